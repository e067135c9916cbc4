// Google push channels (events.watch) of a calendar: opened when the integration syncs in
// realtime, renewed before they expire, stopped when realtime is switched off or the account is
// disconnected. The channel's token is ours (random, 256 bits), kept as a vault envelope and
// compared in constant time with X-Goog-Channel-Token on each notification (Google signs
// nothing). The row is written before events.watch is called, so the "sync" message Google
// sends right away already finds its channel.
import { randomBytes, randomUUID } from "node:crypto";
import type { CalendarChannel } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { logger } from "@/lib/logger";
import { aadFor, decrypt, encrypt } from "@/lib/vault";
import { GoogleCalendarError, stopChannel, watchEvents, type GCalContext } from "@/lib/providers/google-calendar/client";
import { verifyGooglePush, type GoogleChannel } from "@/lib/providers/google-calendar/verify";
import { type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";
import { buildContext, getIntegrationRow } from "@/lib/integrations/service";

/** asked of Google per channel (its default for Calendar is a week) */
export const CHANNEL_TTL_SECONDS = 7 * 24 * 3600;
/** a channel expiring sooner than this is replaced */
export const RENEW_BEFORE_MS = 24 * 3600_000;

export async function openChannel(ctx: GCalContext, calendarId: string): Promise<CalendarChannel> {
  const id = randomUUID();
  const token = randomBytes(32).toString("base64url");
  await db.calendarChannel.create({
    data: {
      id,
      integrationId: ctx.integration.id,
      calendarId,
      token: encrypt(token, aadFor.calendarChannelToken(id)),
      expiresAt: new Date(Date.now() + CHANNEL_TTL_SECONDS * 1000),
    },
  });
  try {
    const ch = await watchEvents(ctx, calendarId, { id, token, address: ctx.webhookUrl, ttlSeconds: CHANNEL_TTL_SECONDS });
    const expiration = Number(ch.expiration);
    return await db.calendarChannel.update({
      where: { id },
      data: { resourceId: ch.resourceId ?? null, ...(Number.isFinite(expiration) && expiration > 0 ? { expiresAt: new Date(expiration) } : {}) },
    });
  } catch (e) {
    await db.calendarChannel.delete({ where: { id } }).catch(() => {});
    throw e;
  }
}

/** Stops a channel at Google (already gone there is fine) and marks it stopped here. */
export async function closeChannel(ctx: GCalContext | null, ch: CalendarChannel): Promise<void> {
  if (ctx && ch.resourceId && ch.expiresAt > new Date()) {
    try {
      await stopChannel(ctx, ch.id, ch.resourceId);
    } catch (e) {
      if (!(e instanceof GoogleCalendarError && e.status === 404)) throw e;
    }
  }
  await db.calendarChannel.update({ where: { id: ch.id }, data: { stoppedAt: new Date() } });
}

export function openChannels(integrationId: string, calendarId?: string) {
  return db.calendarChannel.findMany({
    where: { integrationId, ...(calendarId ? { calendarId } : {}), stoppedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { expiresAt: "desc" },
  });
}

/**
 * Stops every open channel of the integration. Call it BEFORE the grant is revoked (stopping
 * needs a valid token); when it cannot reach Google the channels are still marked stopped here,
 * and Google stops sending when they expire.
 */
export async function stopCalendarChannels(integrationId: string, given?: GCalContext): Promise<number> {
  const channels = await db.calendarChannel.findMany({ where: { integrationId, stoppedAt: null } });
  if (!channels.length) return 0;
  let ctx: GCalContext | null = given ?? null;
  if (!ctx) {
    try {
      ctx = buildContext(await getIntegrationRow(integrationId)) as GCalContext;
    } catch {
      ctx = null;
    }
  }
  for (const ch of channels) {
    try {
      await closeChannel(ctx, ch);
    } catch (e) {
      logger.warn({ integrationId, channel: ch.id, err: (e as Error).message }, "google calendar: channel not stopped at Google");
      await db.calendarChannel.update({ where: { id: ch.id }, data: { stoppedAt: new Date() } });
    }
  }
  return channels.length;
}

/** Webhook verification: the notification names one of our open channels with its token. */
export async function verifyChannelNotification(req: InboundRequest, integrationId: string): Promise<Verdict> {
  const rows = await db.calendarChannel.findMany({ where: { integrationId, stoppedAt: null, expiresAt: { gt: new Date() } } });
  const channels: GoogleChannel[] = rows.map((r) => ({ id: r.id, token: decrypt(r.token, aadFor.calendarChannelToken(r.id)) }));
  return verifyGooglePush(req, channels);
}
