// Two-way sync of one Google calendar with calendar_events (the provider's "events" sync, run as
// a sync job: lib/jobs/sync.ts).
//
// Pull (direction from_google or bidirectional):
//   - no sync token yet: a full pass, pages of 2,500 (Google's largest), the nextSyncToken of the
//     last page stored in calendar_syncs; local rows Google no longer lists are marked deleted;
//   - then incremental passes with that token: only what changed, deletions as status "cancelled";
//   - 410 Gone (fullSyncRequired): the token is wiped, `resyncs` counted, a full pass follows.
//   A page that fails (5xx, 429, timeout) fails the job with the reason; the page token reached
//   is kept in the integration's state (calendarResume), and the next run resumes from it.
// Push (to_google or bidirectional): rows whose local_version > synced_version are inserted
// (with a Google id derived from our row id, so a retried insert cannot duplicate: 409 → patch),
// patched or deleted; a failure stays on the row (sync_error) and is retried by the next run.
//
// Loop prevention: what comes from Google sets synced_version = local_version (never pushed
// back); what we push stores Google's answer's etag, and a listed item whose etag equals the
// row's is our own write coming back (or nothing new): it is skipped, not applied. When both
// sides changed an event since the last sync, the newer change wins (Google's `updated` against
// the row's local change time); a deletion in Google wins over a pending local edit.
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { logger } from "@/lib/logger";
import { OAuthReconnectError, type SyncRun } from "@/lib/providers/types";
import {
  deleteEvent, getCalendar, GoogleCalendarError, insertEvent, listEventsPage, MAX_PAGE_SIZE, patchEvent,
  type GCalContext, type GEvent,
} from "@/lib/providers/google-calendar/client";
import { fromGoogle, toGoogle, type PulledFields } from "@/lib/calendar/mapping";
import type { CalendarEvent } from "@/generated/prisma/client";

export type SyncDetails = {
  calendarId: string;
  direction: string;
  /** full | incremental | push_only (to_google) */
  mode: "full" | "incremental" | "push_only";
  /** a failed run's page was picked up again */
  resumed: boolean;
  passes: number;
  pages: number;
  listCalls: number;
  /** rows written by the pull (created + updated + deleted) */
  rowsTouched: number;
  pulled: { created: number; updated: number; deleted: number; unchanged: number; conflictsKeptLocal: number; skipped: number };
  pushed: { inserted: number; patched: number; deleted: number; failed: number };
  /** full resyncs a 410 forced in this run */
  resyncs: number;
  syncToken: boolean;
};

type Resume = { calendarId: string; mode: "full" | "incremental"; syncToken: string | null; pageToken: string; startedAt: string; page: number };

// ───────────── the calendar, the resume point ─────────────

/**
 * The calendar's real id: "primary" is the connected account's own calendar, whose id is the
 * account's e-mail (the OAuth token's account id, saved at connect); asked of Google otherwise.
 */
export async function resolveCalendarId(ctx: GCalContext): Promise<string> {
  const configured = ctx.config.calendarId || "primary";
  if (configured !== "primary") return configured;
  const token = await db.oAuthToken.findUnique({ where: { integrationId: ctx.integration.id }, select: { accountId: true } });
  if (token?.accountId) return token.accountId;
  const cal = await getCalendar(ctx, "primary");
  if (!cal.id) throw new Error("Google did not say which calendar is the primary one");
  return cal.id;
}

async function readResume(integrationId: string): Promise<Resume | null> {
  const r = await pgPool().query<{ r: Resume | null }>(`select state->'calendarResume' as r from integrations where id = $1`, [integrationId]);
  const v = r.rows[0]?.r;
  return v && typeof v === "object" && typeof v.pageToken === "string" ? v : null;
}

async function writeResume(integrationId: string, r: Resume | null) {
  await pgPool().query(`update integrations set state = jsonb_set(coalesce(state, '{}'::jsonb), '{calendarResume}', $2::jsonb) where id = $1`, [
    integrationId,
    JSON.stringify(r),
  ]);
}

// ───────────── pull ─────────────

type Existing = { id: string; google_event_id: string; etag: string | null; local_version: number; synced_version: number; deleted_at: Date | null; updated_at: Date };

const ROW = `x(id uuid, expected int, title text, description text, location text, starts_at timestamptz, ends_at timestamptz, all_day boolean,
  time_zone text, attendees jsonb, reminders jsonb, recurrence jsonb, status text, etag text, google_updated_at timestamptz, google_event_id text)`;

function record(f: PulledFields, extra: Record<string, unknown>) {
  return {
    ...extra,
    title: f.title,
    description: f.description,
    location: f.location,
    starts_at: f.startsAt.toISOString(),
    ends_at: f.endsAt.toISOString(),
    all_day: f.allDay,
    time_zone: f.timeZone,
    attendees: f.attendees,
    reminders: f.reminders,
    recurrence: f.recurrence,
    status: f.status,
    etag: f.etag,
    google_updated_at: f.googleUpdatedAt?.toISOString() ?? null,
  };
}

/** Applies one page of events.list in a few statements (the rows it lists, read once). */
async function applyPage(integrationId: string, calendarId: string, items: GEvent[], d: SyncDetails, seen: Set<string> | null) {
  const ids = items.map((i) => i.id).filter((id): id is string => !!id);
  if (seen) for (const id of ids) seen.add(id);
  if (!ids.length) return;
  const pool = pgPool();
  const existing = await pool.query<Existing>(
    `select id, google_event_id, etag, local_version, synced_version, deleted_at, updated_at
       from calendar_events where integration_id = $1 and calendar_id = $2 and google_event_id = any($3::text[])`,
    [integrationId, calendarId, ids],
  );
  const byId = new Map(existing.rows.map((r) => [r.google_event_id, r]));
  const inserts: Record<string, unknown>[] = [];
  const updates: Record<string, unknown>[] = [];
  const deletes: { id: string; expected: number; etag: string | null }[] = [];

  for (const item of items) {
    if (!item.id) continue;
    const row = byId.get(item.id);
    if (item.status === "cancelled") {
      // deleted in Google: gone here too, unless we never had it or already deleted it
      if (!row || row.deleted_at) d.pulled.unchanged += row ? 1 : 0;
      else deletes.push({ id: row.id, expected: row.local_version, etag: item.etag ?? null });
      if (!row) d.pulled.skipped++;
      continue;
    }
    if (row && item.etag && row.etag === item.etag) {
      d.pulled.unchanged++; // our own write coming back, or nothing new
      continue;
    }
    const f = fromGoogle(item);
    if (!f) {
      d.pulled.skipped++;
      continue;
    }
    if (!row) {
      inserts.push(record(f, { id: randomUUID(), google_event_id: item.id }));
      continue;
    }
    if (row.local_version > row.synced_version && (f.googleUpdatedAt?.getTime() ?? 0) <= row.updated_at.getTime()) {
      d.pulled.conflictsKeptLocal++; // changed on both sides, ours is newer: the push phase sends it
      continue;
    }
    updates.push(record(f, { id: row.id, expected: row.local_version }));
  }

  if (inserts.length) {
    const r = await pool.query(
      `insert into calendar_events (id, integration_id, calendar_id, google_event_id, etag, title, description, location, starts_at, ends_at,
              all_day, time_zone, attendees, reminders, recurrence, status, origin, local_version, synced_version, google_updated_at,
              last_synced_at, created_at, updated_at)
       select x.id, $2, $3, x.google_event_id, x.etag, x.title, x.description, x.location, x.starts_at, x.ends_at, x.all_day, x.time_zone,
              coalesce(x.attendees, '[]'::jsonb), x.reminders, x.recurrence, x.status, 'google', 1, 1, x.google_updated_at, now(), now(), now()
         from jsonb_to_recordset($1::jsonb) as ${ROW}
       on conflict (integration_id, calendar_id, google_event_id) do nothing`,
      [JSON.stringify(inserts), integrationId, calendarId],
    );
    d.pulled.created += r.rowCount ?? 0;
  }
  if (updates.length) {
    // only if the row did not change here meanwhile (the expected version): otherwise it is a
    // conflict the next run settles
    const r = await pool.query(
      `update calendar_events c
          set title = x.title, description = x.description, location = x.location, starts_at = x.starts_at, ends_at = x.ends_at,
              all_day = x.all_day, time_zone = x.time_zone, attendees = coalesce(x.attendees, '[]'::jsonb), reminders = x.reminders,
              recurrence = x.recurrence, status = x.status, etag = x.etag, google_updated_at = x.google_updated_at, deleted_at = null,
              local_version = c.local_version + 1, synced_version = c.local_version + 1, sync_error = null, last_synced_at = now(), updated_at = now()
         from jsonb_to_recordset($1::jsonb) as ${ROW}
        where c.id = x.id and c.local_version = x.expected`,
      [JSON.stringify(updates)],
    );
    d.pulled.updated += r.rowCount ?? 0;
  }
  if (deletes.length) {
    const r = await pool.query(
      `update calendar_events c
          set deleted_at = now(), status = 'cancelled', etag = coalesce(x.etag, c.etag),
              local_version = c.local_version + 1, synced_version = c.local_version + 1, sync_error = null, last_synced_at = now(), updated_at = now()
         from jsonb_to_recordset($1::jsonb) as x(id uuid, expected int, etag text)
        where c.id = x.id and c.local_version = x.expected`,
      [JSON.stringify(deletes)],
    );
    d.pulled.deleted += r.rowCount ?? 0;
  }
}

/**
 * After a complete full pass: rows that came from Google (or reached it) and that Google no
 * longer lists were deleted there while we could not follow (a 410 window). Rows pushed or
 * changed here since the pass began are left alone.
 */
async function sweepUnlisted(integrationId: string, calendarId: string, seen: Set<string>, passStart: Date): Promise<number> {
  const r = await pgPool().query(
    `update calendar_events
        set deleted_at = now(), status = 'cancelled', local_version = local_version + 1, synced_version = local_version + 1,
            last_synced_at = now(), updated_at = now()
      where integration_id = $1 and calendar_id = $2 and deleted_at is null and etag is not null
        and local_version = synced_version and (last_synced_at is null or last_synced_at < $3)
        and not (google_event_id = any($4::text[]))`,
    [integrationId, calendarId, passStart, [...seen]],
  );
  return r.rowCount ?? 0;
}

/** A person must connect again: said so in the job's error, whatever the refusal's own words. */
function reconnect(e: OAuthReconnectError): OAuthReconnectError {
  return /again/i.test(e.message) ? e : new OAuthReconnectError(`${e.message.replace(/\.$/, "")}. Connect Google Calendar again from the integration's page.`);
}

function pageFailure(e: unknown, page: number, mode: string): Error {
  if (e instanceof OAuthReconnectError) return reconnect(e);
  const msg = ((e as Error).message ?? String(e)).replace(/\.$/, "");
  const err = new Error(`${mode === "full" ? "Full" : "Incremental"} sync stopped at page ${page}: ${msg}. The next run resumes from this page.`);
  (err as Error & { cause?: unknown }).cause = e;
  return err;
}

/** One pull pass: incremental when a sync token is stored, else full; resumes a failed run's page. */
async function pullPass(ctx: GCalContext, calendarId: string, d: SyncDetails, run?: SyncRun) {
  const integrationId = ctx.integration.id;
  const key = { integrationId_calendarId: { integrationId, calendarId } };
  let syncToken = (await db.calendarSync.findUnique({ where: key }))?.syncToken ?? null;
  let mode: "full" | "incremental" = syncToken ? "incremental" : "full";
  let pageToken: string | undefined;
  let page = 1;
  let passStart = new Date();
  const resume = await readResume(integrationId);
  if (resume && resume.calendarId === calendarId && resume.syncToken === syncToken && resume.mode === mode) {
    pageToken = resume.pageToken;
    page = resume.page;
    passStart = new Date(resume.startedAt);
    d.resumed = true;
  }
  // rows a full pass listed (the sweep needs the whole pass: not after a resume)
  let seen: Set<string> | null = mode === "full" && !pageToken ? new Set() : null;
  let gone = false;
  d.passes++;
  d.mode = mode === "full" || d.mode === "full" ? "full" : "incremental";

  for (;;) {
    let res;
    try {
      res = await listEventsPage(ctx, { calendarId, syncToken: mode === "incremental" ? syncToken! : undefined, pageToken, maxResults: MAX_PAGE_SIZE });
      d.listCalls++;
    } catch (e) {
      d.listCalls++;
      if (e instanceof GoogleCalendarError && e.status === 410 && !gone) {
        // the token (or the page token of an incremental pass) is no longer valid: start over with a full pass
        gone = true;
        d.resyncs++;
        await db.calendarSync.upsert({
          where: key,
          create: { integrationId, calendarId, syncToken: null, resyncs: 1 },
          update: { syncToken: null, resyncs: { increment: 1 } },
        });
        await writeResume(integrationId, null);
        logger.info({ integrationId, calendarId }, "google calendar: sync token expired (410), full resync");
        syncToken = null;
        mode = "full";
        d.mode = "full";
        pageToken = undefined;
        page = 1;
        passStart = new Date();
        seen = new Set();
        continue;
      }
      if (e instanceof GoogleCalendarError && e.status === 400 && pageToken && d.resumed) {
        // a page token kept from a failed run that Google no longer takes: the pass starts over
        await writeResume(integrationId, null);
        d.resumed = false;
        pageToken = undefined;
        page = 1;
        passStart = new Date();
        seen = mode === "full" ? new Set() : null;
        continue;
      }
      throw pageFailure(e, page, mode);
    }
    d.pages++;
    const items = res.items ?? [];
    const before = { ...d.pulled };
    await applyPage(integrationId, calendarId, items, d, seen);
    await run?.progress({
      processed: items.length,
      created: d.pulled.created - before.created,
      updated: d.pulled.updated - before.updated + d.pulled.deleted - before.deleted,
    });
    if (res.nextPageToken) {
      pageToken = res.nextPageToken;
      page++;
      await writeResume(integrationId, { calendarId, mode, syncToken, pageToken, startedAt: passStart.toISOString(), page });
      if (run && (await run.canceled())) throw new Error(`Canceled at page ${page}; the next run resumes from it`);
      continue;
    }
    if (seen) d.pulled.deleted += await sweepUnlisted(integrationId, calendarId, seen, passStart);
    const now = new Date();
    await db.calendarSync.upsert({
      where: key,
      create: { integrationId, calendarId, syncToken: res.nextSyncToken ?? null, lastSyncAt: now, lastFullSyncAt: mode === "full" ? now : null },
      update: { syncToken: res.nextSyncToken ?? null, lastSyncAt: now, ...(mode === "full" ? { lastFullSyncAt: now } : {}) },
    });
    await writeResume(integrationId, null);
    d.syncToken = !!res.nextSyncToken;
    return;
  }
}

// ───────────── push ─────────────

const isGone = (e: unknown) => e instanceof GoogleCalendarError && (e.status === 404 || e.status === 410);

async function markPushed(row: Pick<CalendarEvent, "id">, version: number, ev: GEvent | null) {
  // the etag is kept even when the row changed again meanwhile: our write coming back in the next
  // listing must be recognised as ours
  await pgPool().query(
    `update calendar_events
        set etag = coalesce($3, etag), google_updated_at = coalesce($4::timestamptz, google_updated_at), last_synced_at = now(),
            synced_version = case when local_version = $2 then $2 else synced_version end,
            sync_error = case when local_version = $2 then null else sync_error end
      where id = $1`,
    [row.id, version, ev?.etag ?? null, ev?.updated ?? null],
  );
}

export type PushOutcome = "inserted" | "patched" | "deleted" | "noop";

/**
 * Sends one row's pending change to Google. Throws (after writing sync_error on the row) when
 * Google refuses or cannot be reached; the row stays pending for the next sync.
 */
export async function pushEvent(ctx: GCalContext, row: CalendarEvent): Promise<PushOutcome> {
  const version = row.localVersion;
  if (row.syncedVersion >= version) return "noop";
  const gid = row.googleEventId!;
  try {
    if (row.deletedAt) {
      if (row.etag) {
        try {
          await deleteEvent(ctx, row.calendarId, gid);
        } catch (e) {
          if (!isGone(e)) throw e; // already gone in Google: that is what we wanted
        }
      }
      await markPushed(row, version, null);
      return "deleted";
    }
    if (!row.etag) {
      let ev: GEvent;
      let outcome: PushOutcome = "inserted";
      try {
        ev = await insertEvent(ctx, row.calendarId, { id: gid, ...toGoogle(row, { forInsert: true }) });
      } catch (e) {
        // 409: an earlier insert of this row reached Google but its answer was lost
        if (!(e instanceof GoogleCalendarError && e.status === 409)) throw e;
        ev = await patchEvent(ctx, row.calendarId, gid, toGoogle(row, { forInsert: false }));
        outcome = "patched";
      }
      await markPushed(row, version, ev);
      return outcome;
    }
    try {
      const ev = await patchEvent(ctx, row.calendarId, gid, toGoogle(row, { forInsert: false }));
      await markPushed(row, version, ev);
      return "patched";
    } catch (e) {
      if (!isGone(e)) throw e;
      // deleted in Google while we changed it here: Google's deletion wins (as in the pull)
      await pgPool().query(
        `update calendar_events set deleted_at = coalesce(deleted_at, now()), status = 'cancelled', synced_version = local_version,
                sync_error = null, last_synced_at = now() where id = $1`,
        [row.id],
      );
      return "deleted";
    }
  } catch (e) {
    const msg = e instanceof OAuthReconnectError ? `Not sent: ${e.message}` : (e as Error).message;
    await pgPool().query(`update calendar_events set sync_error = $2 where id = $1`, [row.id, msg.slice(0, 2000)]);
    throw e;
  }
}

/** Pushes every pending row of the calendar once (in batches); failures stay on their rows. */
async function pushPending(ctx: GCalContext, calendarId: string, d: SyncDetails, run?: SyncRun) {
  const tried: string[] = [];
  for (;;) {
    const ids = await pgPool().query<{ id: string }>(
      `select id from calendar_events
        where integration_id = $1 and calendar_id = $2 and local_version > synced_version and not (id = any($3::uuid[]))
        order by updated_at limit 100`,
      [ctx.integration.id, calendarId, tried],
    );
    if (!ids.rows.length) return;
    const rows = await db.calendarEvent.findMany({ where: { id: { in: ids.rows.map((r) => r.id) } } });
    for (const row of rows) {
      tried.push(row.id);
      try {
        const outcome = await pushEvent(ctx, row);
        if (outcome === "inserted") d.pushed.inserted++;
        else if (outcome === "patched") d.pushed.patched++;
        else if (outcome === "deleted") d.pushed.deleted++;
        await run?.progress({ processed: 1, ...(outcome === "inserted" ? { created: 1 } : outcome === "noop" ? {} : { updated: 1 }) });
      } catch (e) {
        if (e instanceof OAuthReconnectError) throw reconnect(e);
        d.pushed.failed++;
        await run?.progress({ processed: 1, failed: 1 });
      }
    }
  }
}

/** The newest push notification of the calendar's channels (a change Google told us about). */
async function lastNotification(integrationId: string, calendarId: string): Promise<Date | null> {
  const r = await db.calendarChannel.aggregate({ where: { integrationId, calendarId }, _max: { lastMessageAt: true } });
  return r._max.lastMessageAt ?? null;
}

/** The whole sync of the integration's calendar, as the sync job runs it. */
export async function syncCalendar(ctx: GCalContext, run?: SyncRun): Promise<SyncDetails> {
  const calendarId = await resolveCalendarId(ctx);
  const direction = ctx.config.direction;
  const d: SyncDetails = {
    calendarId,
    direction,
    mode: direction === "to_google" ? "push_only" : "incremental",
    resumed: false,
    passes: 0,
    pages: 0,
    listCalls: 0,
    rowsTouched: 0,
    pulled: { created: 0, updated: 0, deleted: 0, unchanged: 0, conflictsKeptLocal: 0, skipped: 0 },
    pushed: { inserted: 0, patched: 0, deleted: 0, failed: 0 },
    resyncs: 0,
    syncToken: false,
  };
  const pulls = direction !== "to_google";
  let passStart = new Date();
  if (pulls) await pullPass(ctx, calendarId, d, run);
  if (direction !== "from_google") await pushPending(ctx, calendarId, d, run);
  if (pulls) {
    // Google told us about changes while this run was busy (the push notification's own sync
    // was not queued because this one was running): pick them up now, at most twice
    for (let i = 0; i < 2; i++) {
      const last = await lastNotification(ctx.integration.id, calendarId);
      if (!last || last <= passStart) break;
      passStart = new Date();
      await pullPass(ctx, calendarId, d, run);
    }
  } else {
    d.syncToken = !!(await db.calendarSync.findUnique({ where: { integrationId_calendarId: { integrationId: ctx.integration.id, calendarId } } }))?.syncToken;
  }
  d.rowsTouched = d.pulled.created + d.pulled.updated + d.pulled.deleted;
  return d;
}
