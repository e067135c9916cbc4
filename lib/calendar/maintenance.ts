// Google Calendar upkeep, run by every worker every OAUTH_MAINTENANCE_SECONDS (lib/wiring/maintenance.ts):
// for each connected Google Calendar integration, under a per-integration advisory lock (so
// several workers never open two channels or stop each other's):
//   - realtime: one open push channel on the synced calendar, replaced before it expires (the
//     new one is opened first, then the old one stopped: no gap); channels of a calendar no
//     longer synced, or duplicates, are stopped;
//   - hourly / daily, or to_google (nothing to listen to), or not connected: channels stopped;
//   - the sync schedule follows the frequency when it changes (realtime keeps an hourly safety
//     sync; a newly connected integration gets its first sync right away);
//   - a notification that arrived while a sync ran and found no later sync gets one.
import type { Integration } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { withAdvisoryLock } from "@/lib/locks";
import { logger } from "@/lib/logger";
import { ApiError } from "@/lib/errors";
import { OAuthReconnectError } from "@/lib/providers/types";
import type { GCalContext, SyncFrequency } from "@/lib/providers/google-calendar/client";
import { closeChannel, openChannel, openChannels, RENEW_BEFORE_MS } from "@/lib/calendar/channels";
import { resolveCalendarId } from "@/lib/calendar/sync";
import { SYNC_TYPE } from "@/lib/calendar/notifications";
import { requestSync } from "@/lib/jobs/sync";
import { buildContext } from "@/lib/integrations/service";

/** the sync interval each frequency gives (realtime: push channels plus this safety sync) */
export const FREQUENCY_MINUTES: Record<SyncFrequency, number> = { realtime: 60, hourly: 60, daily: 24 * 60 };

const lockKey = (id: string) => `google-calendar:maintenance:${id}`;

async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T | null> {
  const r = await withAdvisoryLock(key, fn, { wait: false });
  return r.acquired ? r.value : null;
}

/** The schedule a frequency implies, applied once per change of frequency (an admin may still edit it afterwards). */
async function applySchedule(row: Integration, frequency: SyncFrequency) {
  if ((row.state as Record<string, unknown> | null)?.calendarSchedule === frequency) return;
  const minutes = FREQUENCY_MINUTES[frequency];
  const synced = await db.calendarSync.count({ where: { integrationId: row.id, syncToken: { not: null } } });
  await pgPool().query(
    `update integrations
        set auto_sync = true, sync_interval_minutes = $2,
            next_sync_at = case when $3 then now() else now() + make_interval(mins => $2) end,
            state = jsonb_set(coalesce(state, '{}'::jsonb), '{calendarSchedule}', to_jsonb($4::text))
      where id = $1`,
    [row.id, minutes, synced === 0, frequency],
  );
}

async function catchUpNotifications(integrationId: string) {
  const last = await db.calendarChannel.aggregate({ where: { integrationId }, _max: { lastMessageAt: true } });
  const at = last._max.lastMessageAt;
  if (!at) return;
  const job = await db.syncJob.findFirst({ where: { integrationId, type: SYNC_TYPE }, orderBy: { createdAt: "desc" } });
  if (job && (job.status === "queued" || job.status === "running" || job.createdAt >= at)) return;
  try {
    await requestSync(integrationId, { type: SYNC_TYPE, trigger: "scheduled", actor: { type: "system", label: "calendar maintenance" } });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
}

/** Channels and schedule of one integration; how many channels it opened. */
export async function maintainCalendarIntegration(row: Integration): Promise<number> {
  const token = await db.oAuthToken.findUnique({ where: { integrationId: row.id }, select: { status: true } });
  const connected = token?.status === "connected";
  let ctx: GCalContext;
  try {
    ctx = buildContext(row) as GCalContext;
  } catch {
    return 0; // incomplete credentials or config: the integration page says so
  }
  const open = await openChannels(row.id);
  const realtime = connected && ctx.config.frequency === "realtime" && ctx.config.direction !== "to_google";
  if (connected) await applySchedule(row, ctx.config.frequency);
  if (!realtime) {
    for (const ch of open) await closeChannel(connected ? ctx : null, ch);
    return 0;
  }
  const calendarId = await resolveCalendarId(ctx);
  for (const ch of open.filter((c) => c.calendarId !== calendarId)) await closeChannel(ctx, ch);
  const mine = open.filter((c) => c.calendarId === calendarId);
  const fresh = mine.find((c) => c.expiresAt.getTime() - Date.now() > RENEW_BEFORE_MS && c.resourceId);
  let opened = 0;
  if (!fresh) {
    await openChannel(ctx, calendarId);
    opened++;
  }
  for (const ch of mine.filter((c) => c !== fresh)) await closeChannel(ctx, ch);
  await catchUpNotifications(row.id);
  return opened;
}

/** One integration's upkeep now (after a connect), under the same lock as the periodic run. */
export async function maintainCalendar(integrationId: string): Promise<number> {
  const row = await db.integration.findUniqueOrThrow({ where: { id: integrationId } });
  return (await withLock(lockKey(row.id), () => maintainCalendarIntegration(row))) ?? 0;
}

/** Every worker's periodic call: how many push channels were opened (new or renewed). */
export async function renewCalendarChannels(): Promise<number> {
  const rows = await db.integration.findMany({ where: { provider: "google-calendar", status: { not: "inactive" } } });
  let opened = 0;
  for (const row of rows) {
    try {
      opened += (await withLock(lockKey(row.id), () => maintainCalendarIntegration(row))) ?? 0;
    } catch (e) {
      if (e instanceof OAuthReconnectError) {
        // nobody can call Google for this integration until a person reconnects: channels die with the grant
        await db.calendarChannel.updateMany({ where: { integrationId: row.id, stoppedAt: null }, data: { stoppedAt: new Date() } });
      }
      logger.warn({ integration: row.code, err: (e as Error).message }, "google calendar maintenance failed");
    }
  }
  return opened;
}
