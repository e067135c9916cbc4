// The call-log sync (provider sync type "call_log", run by lib/jobs/sync.ts on the integration's
// auto-sync interval, from "Sync now", and after RingCentral says a call ended).
//
// Incremental by start time: the integration's state.callLog.cursor is the newest startTime
// synced; each run asks RingCentral for calls from cursor − callLogOverlapMinutes (a call
// reaches the call log when it ends, stamped with the time it started, so a long call ending
// after the last run starts before the cursor), or from config.callLogFrom (30 days back by
// default) the first time. Every page is written before the next is asked for; the cursor moves
// only when the last page is done, so a failed or cancelled run is simply read again.
// Records are upserted by (integration, record id): re-reading the overlap changes nothing and
// counts as unchanged. Numbers are stored in E.164 and linked to the contact and the driver
// with that number. A RingOut started here (external id "ringout:<id>") becomes its call-log
// record when that arrives (same number, start within minutes), so a call is never listed twice.
//
// RingCentral also offers /call-log-sync (FSync/ISync with a sync token); the start-time cursor
// was chosen so account-level logs work the same way (call-log-sync is per extension).
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import type { SyncResult, SyncRun } from "@/lib/providers/types";
import { callLogPages, type CallLogRecord, type RingCentralContext } from "@/lib/providers/ringcentral/client";
import { PhoneDirectory, toE164, type PartyMatch } from "@/lib/telephony/phones";

export const DEFAULT_OVERLAP_MINUTES = 120;
export const DEFAULT_HISTORY_DAYS = 30;
/** how far apart a RingOut we started and its call-log record may start */
const RINGOUT_MATCH_MINUTES = 10;

export type CallLogState = { cursor?: string | null; lastRunAt?: string; lastDateFrom?: string; lastRecords?: number; lastPages?: number };

export async function readCallLogState(integrationId: string): Promise<CallLogState> {
  const r = await pgPool().query<{ s: CallLogState | null }>(`select state->'callLog' as s from integrations where id = $1`, [integrationId]);
  return r.rows[0]?.s ?? {};
}

/**
 * Writes state.callLog alone (jsonb_set under a row lock): other writers of the integration's
 * state (the subscription, a test) keep their keys, and the cursor never moves backwards.
 */
async function writeCallLogState(integrationId: string, patch: CallLogState) {
  await db.$transaction(async (tx) => {
    const [cur] = await tx.$queryRaw<{ s: CallLogState | null }[]>`select state->'callLog' as s from integrations where id = ${integrationId}::uuid for update`;
    const prev = cur?.s ?? {};
    const next: CallLogState = { ...prev, ...patch, cursor: patch.cursor ?? prev.cursor ?? null };
    if (prev.cursor && patch.cursor && Date.parse(prev.cursor) > Date.parse(patch.cursor)) next.cursor = prev.cursor;
    await tx.$executeRaw`update integrations set state = jsonb_set(coalesce(state, '{}'::jsonb), '{callLog}', ${JSON.stringify(next)}::jsonb, true) where id = ${integrationId}::uuid`;
  });
}

function initialFrom(configured: string | undefined, now = Date.now()): Date {
  if (configured) {
    const t = Date.parse(configured);
    if (!Number.isNaN(t)) return new Date(t);
  }
  return new Date(now - DEFAULT_HISTORY_DAYS * 86400_000);
}

type Prepared = {
  external_id: string;
  session_id: string | null;
  direction: string;
  from_number: string | null;
  from_name: string | null;
  to_number: string | null;
  to_name: string | null;
  contact_id: string | null;
  driver_id: string | null;
  started_at: string;
  duration_seconds: number | null;
  result: string | null;
  action: string | null;
  recording_url: string | null;
  raw: CallLogRecord;
};

/** The number as we file it: E.164 when it is one, else RingCentral's text (an extension, "Anonymous"). */
function fileNumber(p: CallLogRecord["from"]): string | null {
  if (!p) return null;
  return toE164(p.phoneNumber) ?? p.phoneNumber ?? (p.extensionNumber ? `ext. ${p.extensionNumber}` : null);
}

function prepare(r: CallLogRecord, match: PartyMatch | undefined): Prepared {
  return {
    external_id: r.id,
    session_id: r.sessionId ?? null,
    direction: r.direction === "Inbound" ? "Inbound" : "Outbound",
    from_number: fileNumber(r.from),
    from_name: r.from?.name ?? null,
    to_number: fileNumber(r.to),
    to_name: r.to?.name ?? null,
    contact_id: match?.contactId ?? null,
    driver_id: match?.driverId ?? null,
    started_at: new Date(r.startTime).toISOString(),
    duration_seconds: typeof r.duration === "number" ? Math.round(r.duration) : null,
    result: r.result ?? null,
    action: r.action ?? null,
    recording_url: r.recording?.contentUri ?? null,
    raw: r,
  };
}

/** the other party: the caller of an inbound call, the called number of an outbound one */
const otherParty = (p: Pick<Prepared, "direction" | "from_number" | "to_number">) => (p.direction === "Inbound" ? p.from_number : p.to_number);

export type UpsertCounts = { created: number; updated: number; unchanged: number; linked: number; ringOutsMatched: number };

const UPSERT = `
  with x as (
    select * from jsonb_to_recordset($2::jsonb) as x(external_id text, session_id text, direction text, from_number text, from_name text,
      to_number text, to_name text, contact_id uuid, driver_id uuid, started_at timestamptz, duration_seconds int, result text, action text,
      recording_url text, raw jsonb))
  insert into call_logs as c (integration_id, external_id, session_id, source, direction, from_number, from_name, to_number, to_name,
                              contact_id, driver_id, started_at, duration_seconds, result, action, recording_url, raw, updated_at)
  select $1, external_id, session_id, 'call_log', direction, from_number, from_name, to_number, to_name, contact_id, driver_id,
         started_at, duration_seconds, result, action, recording_url, raw, now()
    from x
  on conflict (integration_id, external_id) do update set
    session_id = excluded.session_id,
    direction = excluded.direction,
    from_number = excluded.from_number,
    from_name = coalesce(excluded.from_name, c.from_name),
    to_number = excluded.to_number,
    to_name = coalesce(excluded.to_name, c.to_name),
    contact_id = coalesce(excluded.contact_id, c.contact_id),
    driver_id = coalesce(excluded.driver_id, c.driver_id),
    started_at = excluded.started_at,
    duration_seconds = excluded.duration_seconds,
    result = excluded.result,
    action = excluded.action,
    recording_url = excluded.recording_url,
    -- a RingOut row keeps what we knew when we started it and gains its call-log record
    raw = case when c.source = 'ringout' then coalesce(c.raw, '{}'::jsonb) || jsonb_build_object('callLog', excluded.raw) else excluded.raw end,
    call_status = case when c.source = 'ringout' and c.call_status = 'InProgress' then 'Finished' else c.call_status end,
    updated_at = now()
  where (c.session_id, c.direction, c.from_number, c.to_number, c.started_at, c.duration_seconds, c.result, c.action, c.recording_url)
          is distinct from
        (excluded.session_id, excluded.direction, excluded.from_number, excluded.to_number, excluded.started_at, excluded.duration_seconds,
         excluded.result, excluded.action, excluded.recording_url)
     or (excluded.contact_id is not null and c.contact_id is distinct from excluded.contact_id)
     or (excluded.driver_id is not null and c.driver_id is distinct from excluded.driver_id)
     or (c.source = 'ringout' and not coalesce(c.raw ? 'callLog', false))
  returning (xmax = 0) as inserted`;

/** Writes one page of call-log records; re-reading a record that did not change writes nothing. */
export async function upsertCallRecords(integrationId: string, records: CallLogRecord[], dir = new PhoneDirectory()): Promise<UpsertCounts> {
  const counts: UpsertCounts = { created: 0, updated: 0, unchanged: 0, linked: 0, ringOutsMatched: 0 };
  if (!records.length) return counts;
  // one record per id (a page boundary moving under us can repeat one)
  const unique = [...new Map(records.map((r) => [r.id, r])).values()];
  const first = unique.map((r) => prepare(r, undefined));
  const matches = await dir.lookup(first.map(otherParty));
  const rows = unique.map((r, i) => prepare(r, matches.get(otherParty(first[i]) ?? "")));
  counts.linked = rows.filter((r) => r.contact_id || r.driver_id).length;

  // RingOuts started here become their call-log record (before the upsert, which then fills them in)
  for (const r of rows) {
    if (r.direction !== "Outbound" || !/ringout/i.test(r.action ?? "") || !r.to_number) continue;
    const m = await pgPool().query(
      `update call_logs set external_id = $3, updated_at = now()
        where id = (select id from call_logs
                     where integration_id = $1 and source = 'ringout' and external_id like 'ringout:%' and to_number = $2
                       and started_at between $4::timestamptz - make_interval(mins => $5) and $4::timestamptz + make_interval(mins => $5)
                       and not exists (select 1 from call_logs y where y.integration_id = $1 and y.external_id = $3)
                     order by abs(extract(epoch from started_at - $4::timestamptz)) limit 1
                     for update skip locked)
        returning id`,
      [integrationId, r.to_number, r.external_id, r.started_at, RINGOUT_MATCH_MINUTES],
    );
    counts.ringOutsMatched += m.rowCount ?? 0;
  }

  const res = await pgPool().query<{ inserted: boolean }>(UPSERT, [integrationId, JSON.stringify(rows)]);
  counts.created = res.rows.filter((r) => r.inserted).length;
  counts.updated = res.rows.length - counts.created;
  counts.unchanged = rows.length - res.rows.length;
  return counts;
}

/** The provider's sync "call_log". */
export async function syncCallLog(ctx: RingCentralContext, run: SyncRun): Promise<SyncResult> {
  const integrationId = ctx.integration.id;
  const state = await readCallLogState(integrationId);
  const overlapMin = ctx.config.callLogOverlapMinutes ?? DEFAULT_OVERLAP_MINUTES;
  const cursor = state.cursor ? new Date(state.cursor) : null;
  const dateFrom = cursor ? new Date(cursor.getTime() - overlapMin * 60_000) : initialFrom(ctx.config.callLogFrom);
  const dir = new PhoneDirectory();
  const total: UpsertCounts & { records: number; invalid: number; pages: number } = {
    created: 0, updated: 0, unchanged: 0, linked: 0, ringOutsMatched: 0, records: 0, invalid: 0, pages: 0,
  };
  let newest = cursor;
  for await (const page of callLogPages(ctx, { dateFrom, level: ctx.config.callLogLevel ?? "extension" })) {
    const c = await upsertCallRecords(integrationId, page.records, dir);
    total.pages++;
    total.records += page.records.length;
    total.invalid += page.invalid;
    for (const k of ["created", "updated", "unchanged", "linked", "ringOutsMatched"] as const) total[k] += c[k];
    for (const r of page.records) {
      const t = new Date(r.startTime);
      if (!newest || t > newest) newest = t;
    }
    await run.progress({ processed: page.records.length + page.invalid, created: c.created, updated: c.updated, failed: page.invalid });
    if (await run.canceled()) throw new Error(`Canceled after page ${page.page}: the next run reads from the last finished sync again`);
  }
  const now = new Date().toISOString();
  await writeCallLogState(integrationId, {
    cursor: newest ? newest.toISOString() : undefined,
    lastRunAt: now,
    lastDateFrom: dateFrom.toISOString(),
    lastRecords: total.records,
    lastPages: total.pages,
  });
  return {
    details: {
      dateFrom: dateFrom.toISOString(),
      cursor: newest?.toISOString() ?? null,
      level: ctx.config.callLogLevel ?? "extension",
      ...total,
    },
  };
}
