// The outbox. Every message is a row before anything is sent; the row is the queue entry.
//
//   enqueue      → rows with status queued (recipients normalized, templates rendered)
//   dispatcher   → queued rows without a job get pg-boss jobs (MESSAGE_JOB_SIZE ids each)
//   job          → claims its rows (a lease), sends each through the channel's route:
//                  the integrations of the channel in priority order, fixed at the first
//                  attempt (or the one pinned integration)
//   success      → sent (delivered when the provider's answer proves it: Telegram)
//   permanent    → failed at once with the reason (invalid number, unsubscribed …)
//   transient    → queued again after a backoff, MESSAGE_MAX_ATTEMPTS_PER_PROVIDER times,
//                  then the next integration of the route; failed when none is left
//   callbacks    → "message.status" events from webhook handlers (or polling) move the
//                  status forward only: queued < sent < delivered | undelivered | failed
//   sweeper      → rows whose job or worker was lost become dispatchable again
//
// Sending is at least once: if a worker dies after the provider accepted a message and
// before the row says so, the lease runs out and the message is sent again. Providers with
// idempotency keys get the message id as one where they accept it.
import { randomUUID } from "node:crypto";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { batcher } from "@/lib/batcher";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { errors } from "@/lib/errors";
import { scrub } from "@/lib/redact";
import { producer, QUEUES } from "@/lib/jobs/boss";
import { getProvider } from "@/lib/providers/registry";
import { buildContext, webhookUrl } from "@/lib/integrations/service";
import { SendError, type Channel, type OutboundMessage, type ProviderDefinition, type SendResult, type StatusUpdate } from "@/lib/providers/types";
import { HttpError } from "@/lib/http";
import { normalizeRecipient } from "@/lib/messaging/recipients";
import { findTemplate, render, secretVariablesOf } from "@/lib/messaging/templates";
import { maskData, maskText, seal, secretForms, unseal, type Sealed } from "@/lib/messaging/secret";
import { activeIntegrations, cachedIntegration } from "@/lib/integrations/cache";
import type { Integration, MessageTemplate } from "@/generated/prisma/client";

export type Draft = {
  channel: Channel;
  to: string;
  toName?: string | null;
  subject?: string | null;
  text?: string | null;
  html?: string | null;
  template?: { key: string; data: Record<string, unknown> } | null;
  options?: OutboundMessage["options"];
  /** send through this integration only (no fallback) */
  integrationId?: string | null;
  related?: { type: string; id: string } | null;
  idempotencyKey?: string | null;
  createdBy?: string | null;
  /**
   * One-time secrets in the text (an OTP code): the message is stored and shown masked, its
   * real text sealed for the worker. A template declared secret adds its secret variables.
   */
  secretValues?: string[] | null;
};

const LIMITS: Record<Channel, number> = { sms: 1600, whatsapp: 4096, email: 1_000_000, push: 4000, telegram: 4096 };

type Row = {
  id: string;
  channel: Channel;
  recipient: string;
  recipientName: string | null;
  subject: string | null;
  body: string;
  html: string | null;
  templateKey: string | null;
  templateData: object | undefined;
  options: object;
  integrationId: string | null;
  pinned: boolean;
  relatedType: string | null;
  relatedId: string | null;
  idempotencyKey: string | null;
  createdBy: string | null;
  batchId: string | null;
  history: object[];
  secret: boolean;
  sealed: string | null;
};

/** Normalizes, renders and checks drafts; every problem reported with its index. */
export async function prepareDrafts(drafts: Draft[], opts: { batchId?: string; path?: string } = {}): Promise<Row[]> {
  const templates = new Map<string, MessageTemplate>();
  const problems: { path: string; message: string }[] = [];
  const rows: Row[] = [];
  const at = (i: number, f: string) => (drafts.length === 1 && !opts.path ? f : `${opts.path ?? "messages"}.${i}.${f}`);
  for (const [i, d] of drafts.entries()) {
    // every problem of a draft is reported together (recipient, text, subject), not one per attempt
    const before = problems.length;
    const to = normalizeRecipient(d.channel, d.to ?? "");
    if (!to.ok) problems.push({ path: at(i, "to"), message: to.reason });
    let subject = d.subject ?? null;
    let text = d.text ?? null;
    let html = d.html ?? null;
    const secretValues: unknown[] = [...(d.secretValues ?? [])];
    let secretKeys: string[] = [];
    if (d.template) {
      const k = `${d.template.key}:${d.channel}`;
      let t = templates.get(k);
      if (!t) {
        try {
          t = await findTemplate(d.template.key, d.channel);
        } catch {
          problems.push({ path: at(i, "template"), message: `There is no ${d.channel} template "${d.template.key}"` });
          continue;
        }
        templates.set(k, t);
      }
      try {
        const htmlText = d.channel === "telegram" && (d.options?.parseMode ?? "HTML") === "HTML";
        const r = render(t, d.template.data ?? {}, { htmlText });
        subject = subject ?? r.subject;
        text = r.text;
        html = html ?? r.html;
        secretKeys = secretVariablesOf(t);
        for (const k of secretKeys) secretValues.push(d.template.data?.[k]);
      } catch (e) {
        problems.push({ path: at(i, "template"), message: (e as Error).message });
        continue;
      }
    }
    if (!text?.trim()) problems.push({ path: at(i, "text"), message: "The message text is empty" });
    else if (text.length > LIMITS[d.channel]) {
      problems.push({ path: at(i, "text"), message: `Too long for ${d.channel}: ${text.length} characters (at most ${LIMITS[d.channel]})` });
    }
    if (d.channel === "email" && !subject?.trim()) problems.push({ path: at(i, "subject"), message: "An e-mail needs a subject" });
    if (problems.length > before || !to.ok || !text) continue;
    const id = randomUUID();
    const forms = secretForms(secretValues);
    const secret = forms.length > 0 || secretKeys.length > 0;
    rows.push({
      id,
      channel: d.channel,
      recipient: to.value,
      recipientName: d.toName ?? null,
      // a secret message is stored masked: every answer and screen reads these columns
      subject: secret ? maskText(subject, forms) : subject,
      body: secret ? maskText(text, forms) : text,
      html: secret ? maskText(html, forms) : html,
      secret,
      sealed: secret ? seal(id, { subject, text, html, secrets: forms } satisfies Sealed) : null,
      templateKey: d.template?.key ?? null,
      templateData: d.template ? ((secret ? maskData(d.template.data ?? {}, secretKeys) : d.template.data) as object) : undefined,
      options: (d.options ?? {}) as object,
      integrationId: d.integrationId ?? null,
      pinned: !!d.integrationId,
      relatedType: d.related?.type ?? null,
      relatedId: d.related?.id ?? null,
      idempotencyKey: d.idempotencyKey ?? null,
      createdBy: d.createdBy ?? null,
      batchId: opts.batchId ?? null,
      history: [{ at: new Date().toISOString(), event: "queued", ...(d.template ? { detail: `template ${d.template.key}` } : {}) }],
    });
  }
  if (problems.length) {
    throw errors.validation(problems.length === 1 ? problems[0].message : `${problems.length} messages are invalid`, problems);
  }
  return rows;
}

/** Stores one message (the Idempotency-Key returns the first one on a retried request). */
export async function enqueue(draft: Draft) {
  if (draft.idempotencyKey) {
    const existing = await db.message.findUnique({ where: { idempotencyKey: draft.idempotencyKey } });
    if (existing) return { message: existing, replayed: true };
  }
  const [row] = await prepareDrafts([draft]);
  if (row.integrationId) await requireIntegrationFor(row.channel, row.integrationId);
  try {
    const message = await db.message.create({ data: row });
    return { message, replayed: false };
  } catch (e) {
    if ((e as { code?: string }).code === "P2002" && draft.idempotencyKey) {
      const message = await db.message.findUnique({ where: { idempotencyKey: draft.idempotencyKey } });
      if (message) return { message, replayed: true };
    }
    throw e;
  }
}

/** Stores many rows in few statements (bulk sends). */
export async function enqueueRows(rows: Row[]) {
  for (let i = 0; i < rows.length; i += 2000) {
    const chunk = rows.slice(i, i + 2000).map((r) => ({
      id: r.id, channel: r.channel, recipient: r.recipient, recipient_name: r.recipientName, subject: r.subject, body: r.body, html: r.html,
      template_key: r.templateKey, template_data: r.templateData ?? null, options: r.options, integration_id: r.integrationId, pinned: r.pinned,
      related_type: r.relatedType, related_id: r.relatedId, idempotency_key: r.idempotencyKey, created_by: r.createdBy, batch_id: r.batchId, history: r.history,
      secret: r.secret, sealed: r.sealed,
    }));
    // one statement per chunk (Prisma's createMany binds every value separately: far slower here)
    await pgPool().query(
      `insert into messages (id, channel, recipient, recipient_name, subject, body, html, template_key, template_data, options, integration_id,
                             pinned, related_type, related_id, idempotency_key, created_by, batch_id, history, secret, sealed)
       select * from jsonb_to_recordset($1::jsonb) as x(id uuid, channel "MessageChannel", recipient text, recipient_name text, subject text,
         body text, html text, template_key text, template_data jsonb, options jsonb, integration_id uuid, pinned boolean, related_type text,
         related_id text, idempotency_key text, created_by text, batch_id uuid, history jsonb, secret boolean, sealed text)`,
      [JSON.stringify(chunk)],
    );
  }
  return rows.length;
}

export async function requireIntegrationFor(channel: Channel, integrationId: string) {
  const row = await db.integration.findUnique({ where: { id: integrationId } });
  if (!row) throw errors.validation("The integration does not exist", [{ path: "integrationId", message: "Unknown integration" }]);
  if (!getProvider(row.provider)?.messaging?.channels.includes(channel)) {
    throw errors.validation(`${row.name} cannot send ${channel} messages`, [{ path: "integrationId", message: `Not a ${channel} integration` }]);
  }
  return row;
}

// ───────────── routes: the channel's integrations in priority order ─────────────

/** Integrations that can send on a channel, in the order they are tried. */
export async function channelRoute(channel: Channel, fresh = false): Promise<string[]> {
  const rows = await activeIntegrations(fresh);
  return rows.filter((r) => getProvider(r.provider)?.messaging?.channels.includes(channel)).map((r) => r.id);
}

// ───────────── dispatch, sweep ─────────────

/** Queued rows that are due and have no job get jobs, in batches. Safe in every worker at once. */
export async function dispatchMessages(limit = 2000): Promise<number> {
  const pool = pgPool();
  // one statement: the rows get their job ids (MESSAGE_JOB_SIZE rows per job, in created order)
  const r = await pool.query<{ id: string; job_id: string }>(
    `with picked as (
        select id, created_at from messages
         where status = 'queued' and queued_at is null and (next_attempt_at is null or next_attempt_at <= now())
         order by created_at
         limit $1
         for update skip locked),
      numbered as (select id, (row_number() over (order by created_at) - 1) / $2 as j from picked),
      jobs as (select j, gen_random_uuid() as job from (select distinct j from numbered) d)
     update messages m set queued_at = now(), job_id = jobs.job
       from numbered join jobs using (j)
      where m.id = numbered.id
      returning m.id, m.job_id`,
    [limit, env().MESSAGE_JOB_SIZE],
  );
  if (!r.rows.length) return 0;
  const byJob = new Map<string, string[]>();
  for (const row of r.rows) byJob.set(row.job_id, [...(byJob.get(row.job_id) ?? []), row.id]);
  try {
    const boss = await producer();
    await boss.insert([...byJob].map(([id, ids]) => ({ id, name: QUEUES.message, data: { ids } })));
  } catch (e) {
    const ids = r.rows.map((x) => x.id);
    await pool.query("update messages set queued_at = null, job_id = null where id = any($1::uuid[]) and status = 'queued'", [ids]).catch(() => {});
    throw e;
  }
  return r.rows.length;
}

/** Queued rows whose job finished or vanished without sending them become dispatchable again. */
export async function sweepMessages(limit = 1000): Promise<number> {
  const r = await pgPool().query(
    `update messages set queued_at = null, job_id = null
      where id in (
        select m.id from messages m
         where m.status = 'queued' and m.queued_at < now() - interval '30 seconds'
           and (m.locked_until is null or m.locked_until < now())
           and not exists (select 1 from ${"pgboss"}.job j
                            where j.name = $2 and j.id = m.job_id and j.state in ('created', 'retry', 'active'))
         limit $1
         for update of m skip locked)`,
    [limit, QUEUES.message],
  );
  if (r.rowCount) logger.info({ requeued: r.rowCount }, "message sweeper made lost messages dispatchable again");
  return r.rowCount ?? 0;
}

// ───────────── sending ─────────────

type Claimed = {
  id: string;
  channel: Channel;
  recipient: string;
  recipient_name: string | null;
  subject: string | null;
  body: string;
  html: string | null;
  options: OutboundMessage["options"];
  integration_id: string | null;
  pinned: boolean;
  route: string[];
  route_index: number;
  route_attempts: number;
  attempts: number;
  secret: boolean;
  sealed: string | null;
};

type Prepared = { row: Integration; def: ProviderDefinition; rate: number } | { unusable: string };

const limiters = new Map<string, RateLimiterPostgres>();

/** Waits for a send token of the integration's rate (shared by every worker through PostgreSQL). */
async function takeToken(integrationId: string, perSecond: number) {
  if (!perSecond) return;
  const key = `${integrationId}:${perSecond}`;
  let l = limiters.get(key);
  if (!l) {
    l = new RateLimiterPostgres({ storeClient: pgPool(), storeType: "pool", tableName: "rate_limits", tableCreated: true, keyPrefix: "send", points: perSecond, duration: 1 });
    limiters.set(key, l);
  }
  for (;;) {
    try {
      await l.consume(integrationId, 1);
      return;
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      await new Promise((r) => setTimeout(r, Math.max(5, e.msBeforeNext)));
    }
  }
}

function backoff(n: number) {
  const e = env();
  const exp = Math.min(e.MESSAGE_RETRY_MAX_SECONDS, e.MESSAGE_RETRY_BASE_SECONDS * 2 ** Math.max(0, n - 1));
  return exp / 2 + (Math.random() * exp) / 2;
}

function classify(e: unknown): SendError {
  if (e instanceof SendError) return e;
  if (e instanceof HttpError) return new SendError(e.kind === "timeout" ? "The provider did not answer in time" : e.message, "transient", { code: e.kind });
  return new SendError((e as Error)?.message || String(e), "transient", { code: "error" });
}

async function withTimeout<T>(p: Promise<T>, ms: number, ac: AbortController): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        t = setTimeout(() => {
          ac.abort();
          reject(new SendError(`No answer within ${ms / 1000} s`, "transient", { code: "timeout" }));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(t);
  }
}

type Outcome = {
  status: "queued" | "sent" | "delivered" | "failed";
  integrationId: string | null;
  provider: string | null;
  route: string[];
  routeIndex: number;
  routeAttempts: number;
  providerMessageId?: string | null;
  costMicros?: number | null;
  costCurrency?: string | null;
  error?: string | null;
  errorCode?: string | null;
  delaySeconds?: number;
  history: object[];
};

// An attempt's outcome, written with the outcomes of the other sends of the moment in one
// statement. Only a row still claimed by this attempt (same attempts count, still queued) is
// changed: if the lease ran out and another worker took the message over, its attempt decides.
const writeOutcomes = batcher<Record<string, unknown>, boolean>(async (rows) => {
  const r = await pgPool().query<{ id: string }>(
    `with o as (
       select * from jsonb_to_recordset($1::jsonb) as x(id uuid, attempts int, status text, integration_id uuid, provider text,
         route text[], route_index int, route_attempts int, provider_message_id text, cost_micros int, cost_currency text,
         error text, error_code text, delay double precision, history jsonb))
     update messages m set
        status = o.status::"MessageStatus",
        integration_id = coalesce(o.integration_id, m.integration_id), provider = coalesce(o.provider, m.provider),
        route = o.route, route_index = o.route_index, route_attempts = o.route_attempts,
        provider_message_id = coalesce(o.provider_message_id, m.provider_message_id),
        cost_micros = coalesce(o.cost_micros, m.cost_micros), cost_currency = coalesce(o.cost_currency, m.cost_currency),
        error = case when o.status in ('sent', 'delivered') then null else coalesce(o.error, m.error) end,
        error_code = case when o.status in ('sent', 'delivered') then null else coalesce(o.error_code, m.error_code) end,
        next_attempt_at = case when o.status = 'queued' then now() + make_interval(secs => o.delay) end,
        queued_at = case when o.status = 'queued' then null else m.queued_at end,
        job_id = case when o.status = 'queued' then null else m.job_id end,
        locked_until = null,
        sent_at = case when o.status in ('sent', 'delivered') then coalesce(m.sent_at, now()) else m.sent_at end,
        delivered_at = case when o.status = 'delivered' then coalesce(m.delivered_at, now()) else m.delivered_at end,
        sealed = case when o.status in ('delivered', 'failed') then null else m.sealed end,
        history = m.history || o.history,
        updated_at = now()
       from o
      where m.id = o.id and m.attempts = o.attempts and m.status = 'queued'
      returning m.id`,
    [JSON.stringify(rows)],
  );
  const done = new Set(r.rows.map((x) => x.id));
  return rows.map((row) => done.has(row.id as string));
});

async function finish(m: Claimed, o: Outcome) {
  const written = await writeOutcomes({
    id: m.id,
    attempts: m.attempts,
    status: o.status,
    integration_id: o.integrationId,
    provider: o.provider,
    route: o.route,
    route_index: o.routeIndex,
    route_attempts: o.routeAttempts,
    provider_message_id: o.providerMessageId ?? null,
    cost_micros: o.costMicros ?? null,
    cost_currency: o.costCurrency ?? null,
    error: o.error ?? null,
    error_code: o.errorCode ?? null,
    delay: o.delaySeconds ?? 0,
    history: o.history,
  });
  if (!written) logger.warn({ messageId: m.id }, "message attempt finished after its lease was taken over; result discarded");
}

async function prepareIntegration(id: string, channel: Channel, cache: Map<string, Prepared>): Promise<Prepared> {
  const hit = cache.get(id);
  if (hit) return hit;
  let p: Prepared;
  const row = await cachedIntegration(id);
  const def = row ? getProvider(row.provider) : undefined;
  if (!row) p = { unusable: "the integration was deleted" };
  else if (row.status === "inactive") p = { unusable: `${row.name} is switched off` };
  else if (!def?.messaging?.channels.includes(channel)) p = { unusable: `${row.name} cannot send ${channel}` };
  else {
    try {
      // the credentials and config must be usable; each message then gets its own context
      const conf = buildContext(row).config as { ratePerSecond?: number };
      p = { row, def, rate: conf.ratePerSecond ?? def.messaging.defaultRatePerSecond };
    } catch (e) {
      p = { unusable: `${row.name}: ${(e as Error).message}` };
    }
  }
  cache.set(id, p);
  return p;
}

function openSeal(m: { id: string; sealed: string | null }): Sealed | null {
  if (!m.sealed) return null;
  try {
    return unseal(m.id, m.sealed);
  } catch (e) {
    logger.error({ messageId: m.id, err: (e as Error).message }, "a secret message's seal could not be opened");
    return null;
  }
}

/** The secret values of these messages (those still sealed), to scrub from a status call's log. */
async function sealedSecrets(ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const r = await pgPool().query<{ id: string; sealed: string }>(`select id, sealed from messages where id = any($1::uuid[]) and sealed is not null`, [ids]);
  return r.rows.flatMap((row) => openSeal(row)?.secrets ?? []);
}

async function sendOne(m: Claimed, cache: Map<string, Prepared>) {
  const e = env();
  const now = () => new Date().toISOString();
  const history: object[] = [];
  let route = m.route;
  if (!route.length) route = m.pinned && m.integration_id ? [m.integration_id] : await channelRoute(m.channel);
  if (!route.length) {
    history.push({ at: now(), event: "failed", detail: `no active ${m.channel} integration` });
    return finish(m, {
      status: "failed", integrationId: null, provider: null, route, routeIndex: 0, routeAttempts: 0, history,
      error: `No active ${m.channel} integration: add one on the Integrations page`, errorCode: "no_integration",
    });
  }
  let idx = m.route_index;
  let routeAttempts = m.route_attempts;
  let prepared: Prepared | undefined;
  while (idx < route.length) {
    prepared = await prepareIntegration(route[idx], m.channel, cache);
    if (!("unusable" in prepared)) break;
    history.push({ at: now(), event: "skipped", integration: route[idx], detail: prepared.unusable });
    idx++;
    routeAttempts = 1;
  }
  if (!prepared || "unusable" in prepared || idx >= route.length) {
    history.push({ at: now(), event: "failed", detail: "no usable integration left" });
    return finish(m, {
      status: "failed", integrationId: null, provider: null, route, routeIndex: idx, routeAttempts, history,
      error: `None of the ${m.channel} integrations could be used`, errorCode: "no_integration",
    });
  }
  const { row, def, rate } = prepared;
  // a secret message's real text comes from its seal; its secret values are scrubbed from the
  // call log and from errors wherever they appear (Twilio's Body, SMS.ru's msg, a JSON text …)
  let content: Sealed = { subject: m.subject, text: m.body, html: m.html, secrets: [] };
  if (m.secret) {
    const opened = openSeal(m);
    if (!opened) {
      history.push({ at: now(), event: "failed", detail: "the secret text is no longer available" });
      return finish(m, {
        status: "failed", integrationId: null, provider: null, route, routeIndex: idx, routeAttempts, history,
        error: "The one-time secret of this message is no longer available: ask for a new code", errorCode: "secret_unavailable",
      });
    }
    content = opened;
  }
  // a context per message: its calls' log rows point at this message; a send that outlives
  // MESSAGE_SEND_TIMEOUT_SECONDS is aborted
  const ac = new AbortController();
  const ctx = buildContext(row, { related: { type: "message", id: m.id }, signal: ac.signal, secrets: content.secrets });
  const out: OutboundMessage = {
    id: m.id,
    channel: m.channel,
    to: m.recipient,
    toName: m.recipient_name,
    subject: content.subject,
    text: content.text,
    html: content.html,
    options: m.options ?? {},
    statusCallbackUrl: webhookUrl(def.id, row.code),
  };
  const base = { integrationId: row.id, provider: def.id, route, routeIndex: idx };
  const started = Date.now();
  let result: SendResult;
  try {
    await takeToken(row.id, rate);
    result = await withTimeout(def.messaging!.send(ctx, out), e.MESSAGE_SEND_TIMEOUT_SECONDS * 1000, ac);
  } catch (err) {
    const se = classify(err);
    const error = scrub(se.message, ctx.secrets).slice(0, 1000);
    const entry = { at: now(), event: "attempt_failed", provider: def.id, integration: row.name, attempt: m.attempts, durationMs: Date.now() - started, error, kind: se.kind, ...(se.opts.code ? { code: se.opts.code } : {}) };
    history.push(entry);
    if (se.kind === "permanent") {
      if (se.opts.recipientGone && m.channel === "push") {
        await db.deviceToken.deleteMany({ where: { token: m.recipient } });
        history.push({ at: now(), event: "token_removed", detail: "the provider says this device token is gone for good" });
      }
      history.push({ at: now(), event: "failed", detail: error });
      return finish(m, { ...base, status: "failed", routeAttempts, error, errorCode: se.opts.code ?? "permanent", history });
    }
    const retryAfter = se.opts.retryAfterSeconds;
    const canWait = retryAfter === undefined || retryAfter <= e.MESSAGE_RETRY_MAX_SECONDS;
    if (routeAttempts < e.MESSAGE_MAX_ATTEMPTS_PER_PROVIDER && canWait) {
      const delay = Math.max(backoff(routeAttempts), retryAfter ?? 0);
      history.push({ at: now(), event: "retry_scheduled", provider: def.id, detail: `in ${Math.round(delay * 10) / 10} s` });
      return finish(m, { ...base, status: "queued", routeAttempts, error, errorCode: se.opts.code ?? "transient", delaySeconds: delay, history });
    }
    if (idx + 1 < route.length && !m.pinned) {
      history.push({ at: now(), event: "fallback", provider: def.id, detail: `giving up on ${row.name} after ${routeAttempts} attempt(s); trying the next integration` });
      return finish(m, { ...base, routeIndex: idx + 1, status: "queued", routeAttempts: 0, error, errorCode: se.opts.code ?? "transient", delaySeconds: 0, history });
    }
    history.push({ at: now(), event: "failed", detail: `${error} (after ${m.attempts} attempt(s)${route.length > 1 ? ` on ${route.length} integrations` : ""})` });
    return finish(m, { ...base, status: "failed", routeAttempts, error, errorCode: se.opts.code ?? "transient", history });
  }
  history.push({
    at: now(),
    event: result.status,
    provider: def.id,
    integration: row.name,
    attempt: m.attempts,
    durationMs: Date.now() - started,
    ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}),
    ...(result.providerStatus ? { detail: result.providerStatus } : {}),
  });
  return finish(m, {
    ...base,
    status: result.status,
    routeAttempts,
    providerMessageId: result.providerMessageId ?? null,
    costMicros: result.costMicros ?? null,
    costCurrency: result.costCurrency ?? null,
    history,
  });
}

/** Runs a send job: claims its messages (those still queued and due) and sends them. */
export async function processMessages(ids: string[]): Promise<number> {
  const e = env();
  const claim = await pgPool().query<Claimed>(
    `update messages set locked_until = now() + make_interval(secs => $2), attempts = attempts + 1, route_attempts = route_attempts + 1
      where id = any($1::uuid[]) and status = 'queued'
        and (locked_until is null or locked_until < now())
        and (next_attempt_at is null or next_attempt_at <= now() + interval '1 second')
      returning id, channel, recipient, recipient_name, subject, body, html, options, integration_id, pinned, route, route_index, route_attempts, attempts, secret, sealed`,
    [ids, e.MESSAGE_LEASE_SECONDS],
  );
  const rows = claim.rows;
  const cache = new Map<string, Prepared>();
  await Promise.all(
    rows.map((m) =>
      withSendSlot(async () => {
        try {
          await sendOne(m, cache);
        } catch (err) {
          // our own failure (database): the lease runs out and the sweeper hands it on
          logger.error({ messageId: m.id, err: (err as Error).message }, "message attempt crashed");
        }
      }),
    ),
  );
  return rows.length;
}

// Sends in flight in this process, shared by all its jobs: while one job waits for its last
// sends, the next job's messages already use the free slots.
let inFlight = 0;
const waiting: (() => void)[] = [];
async function withSendSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (inFlight >= env().MESSAGE_PARALLEL) await new Promise<void>((r) => waiting.push(r));
  else inFlight++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  }
}

// ───────────── delivery reports ─────────────

const RANK = `(case m.status when 'queued' then 0 when 'sent' then 1 else 2 end)`;

/**
 * Applies delivery reports for one integration. A status only moves forward (a late "sent"
 * never overwrites "delivered"); every report adds a timeline entry. Reports are applied in
 * one statement per round (a round holds at most one report per message, in the order given).
 * Returns the provider ids whose message is not (yet) known: the send's result may not be
 * written yet.
 */
export async function applyStatusUpdates(integrationId: string, updates: StatusUpdate[]): Promise<{ applied: number; unknown: string[] }> {
  let applied = 0;
  const unknown = new Set<string>();
  let rest = updates;
  while (rest.length) {
    const seen = new Set<string>();
    const round: StatusUpdate[] = [];
    const later: StatusUpdate[] = [];
    for (const u of rest) (seen.has(u.providerMessageId) ? later : (seen.add(u.providerMessageId), round)).push(u);
    rest = later;
    const rows = round.map((u) => ({
      pmid: u.providerMessageId,
      status: u.status,
      at: u.at ?? null,
      error: u.error ?? null,
      error_code: u.errorCode ?? null,
      cost_micros: u.costMicros ?? null,
      cost_currency: u.costCurrency ?? null,
      entry: {
        at: u.at ?? new Date().toISOString(),
        event: u.event,
        status: u.status,
        source: "provider",
        ...(u.error ? { error: u.error } : {}),
        ...(u.errorCode ? { code: u.errorCode } : {}),
      },
    }));
    const r = await pgPool().query<{ pmid: string }>(
      `with u as (
         select x.*, (case x.status when 'queued' then 0 when 'sent' then 1 else 2 end) as nr
           from jsonb_to_recordset($2::jsonb) as x(pmid text, status text, at timestamptz, error text, error_code text,
                                                   cost_micros int, cost_currency text, entry jsonb))
       update messages m set
          status = case when u.nr > ${RANK} then u.status::"MessageStatus" else m.status end,
          delivered_at = case when u.status = 'delivered' and u.nr > ${RANK} then coalesce(u.at, now()) else m.delivered_at end,
          sent_at = coalesce(m.sent_at, u.at, now()),
          error = case when u.status in ('failed', 'undelivered') and u.nr > ${RANK} then coalesce(u.error, u.status) else m.error end,
          error_code = case when u.status in ('failed', 'undelivered') and u.nr > ${RANK} then u.error_code else m.error_code end,
          cost_micros = coalesce(u.cost_micros, m.cost_micros), cost_currency = coalesce(u.cost_currency, m.cost_currency),
          sealed = case when u.nr = 2 then null else m.sealed end,
          history = m.history || jsonb_build_array(u.entry),
          updated_at = now()
        from u
       where m.integration_id = $1 and m.provider_message_id = u.pmid
       returning m.provider_message_id as pmid`,
      [integrationId, JSON.stringify(rows)],
    );
    applied += r.rowCount ?? 0;
    const hit = new Set(r.rows.map((x) => x.pmid));
    for (const u of round) if (!hit.has(u.providerMessageId)) unknown.add(u.providerMessageId);
  }
  return { applied, unknown: [...unknown] };
}

/**
 * Providers without callbacks (SMS.ru): ask about messages still "sent", oldest asked first,
 * in batches of `batch` until none is due (at most `maxBatches` per integration per tick).
 */
export async function pollStatuses(batch = 100, maxBatches = 50): Promise<number> {
  const rows = await db.integration.findMany({ where: { status: { not: "inactive" }, credentials: { not: null } } });
  let n = 0;
  for (const row of rows) {
    const def = getProvider(row.provider);
    if (!def?.messaging?.fetchStatus) continue;
    const ctx = buildContext(row, { related: { type: "message_status_poll", id: row.id } });
    for (let i = 0; i < maxBatches; i++) {
      const due = await pgPool().query<{ id: string; provider_message_id: string; secret: boolean }>(
        `update messages set updated_at = now()
          where id in (select id from messages
                        where integration_id = $1 and status = 'sent' and provider_message_id is not null
                          and sent_at > now() - interval '3 days'
                          and updated_at < now() - make_interval(secs => $2)
                        order by updated_at limit $3 for update skip locked)
          returning id, provider_message_id, secret`,
        [row.id, env().MESSAGE_STATUS_POLL_SECONDS * 0.9, batch],
      );
      if (!due.rows.length) break;
      try {
        // a provider may echo a message's text (Twilio's body): secret values are scrubbed from the log
        const secrets = await sealedSecrets(due.rows.filter((r) => r.secret).map((r) => r.id));
        const c = secrets.length ? buildContext(row, { related: { type: "message_status_poll", id: row.id }, secrets }) : ctx;
        const updates = await def.messaging.fetchStatus(c, due.rows.map((r) => r.provider_message_id));
        n += (await applyStatusUpdates(row.id, updates.filter((u) => u.status !== "sent"))).applied;
      } catch (e) {
        logger.warn({ integration: row.code, err: (e as Error).message }, "status poll failed");
        break;
      }
      if (due.rows.length < batch) break;
    }
  }
  return n;
}

/** Asks the provider about one message now (GET …/status?refresh=1). */
export async function refreshStatus(messageId: string) {
  const m = await db.message.findUnique({ where: { id: messageId } });
  if (!m) throw errors.notFound("Message");
  if (!m.integrationId || !m.providerMessageId) return { refreshed: false, reason: "The message has not reached a provider yet" };
  const row = await db.integration.findUnique({ where: { id: m.integrationId } });
  const def = row ? getProvider(row.provider) : undefined;
  if (!row || !def?.messaging?.fetchStatus) return { refreshed: false, reason: "This provider reports status by callbacks only" };
  try {
    const secrets = m.secret ? await sealedSecrets([m.id]) : [];
    const updates = await def.messaging.fetchStatus(buildContext(row, { related: { type: "message", id: m.id }, secrets }), [m.providerMessageId]);
    await applyStatusUpdates(row.id, updates.filter((u) => u.status !== "sent" || m.status === "queued"));
    return { refreshed: true };
  } catch (e) {
    throw errors.provider(`${def.name} could not be asked: ${(e as Error).message}`);
  }
}

/** Retention: finished messages older than MESSAGE_RETENTION_DAYS, in batches. */
export async function deleteOldMessages(days = env().MESSAGE_RETENTION_DAYS): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await pgPool().query(
      `delete from messages where id in (
         select id from messages where created_at < now() - make_interval(days => $1) and status <> 'queued' limit 5000)`,
      [days],
    );
    total += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < 5000) break;
  }
  await pgPool().query(`delete from otp_codes where expires_at < now() - interval '1 day'`);
  // a secret message that never reported a final state (no delivery report): its seal is not
  // kept past the status polling window
  await pgPool().query(`update messages set sealed = null where sealed is not null and status <> 'queued' and updated_at < now() - interval '3 days'`);
  return total;
}
