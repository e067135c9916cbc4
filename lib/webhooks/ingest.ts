// Receiving a webhook: read the raw body once (with a size limit), find the integration,
// answer handshakes, verify with the provider's scheme, store the event as pending (its
// durable place in the processing queue), and only then acknowledge. Processing never happens
// here: the answer does not wait for it (lib/webhooks/process.ts runs in the workers).
// Refusals are thrown as ApiError and answered in the project's error shape (lib/webhooks/route.ts).
//
// The hot path talks to PostgreSQL through node-postgres directly: the integration (cached for
// WEBHOOK_CONFIG_CACHE_MS), then one INSERT … ON CONFLICT that also counts duplicates. The
// stored pending row is the queue entry; workers dispatch it to pg-boss (see insertEvent).
import { createHash, randomUUID } from "node:crypto";
import type { Integration } from "@/generated/prisma/client";
import { pgPool } from "@/lib/pg";
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";
import { readBodyText } from "@/lib/api";
import { publicBaseUrl } from "@/lib/urls";
import { logger } from "@/lib/logger";
import { redactValue, scrub } from "@/lib/redact";
import { consume } from "@/lib/rate-limit";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { getProvider } from "@/lib/providers/registry";
import { WebhookBodyError, type ParsedWebhook, type ProviderDefinition, type WebhookVerifyContext } from "@/lib/providers/types";
import { buildContext } from "@/lib/integrations/service";
import { retiredSecrets, secretList, type RetiredSecret } from "@/lib/webhooks/secrets";
import type { InboundRequest, Verdict } from "@/lib/providers/webhook-kit";
import { integrationCache } from "@/lib/webhooks/cache";
import { bindingOf } from "@/lib/providers/bindings";

export type IngestTarget = {
  /** from /api/webhooks/<provider>/<code>; null for /api/webhooks/receive/<code> */
  provider: string | null;
  code: string;
};

/** The URL the provider called: the public base we told it (webhookUrl), plus the path it used. */
function publicUrl(req: Request): string {
  const u = new URL(req.url);
  return publicBaseUrl(req) + (req.headers.get("x-switchboard-path") ?? u.pathname + u.search);
}

const DROP_HEADERS = new Set(["cookie", "x-switchboard-path", CLIENT_IP_HEADER]);

function storedHeaders(headers: Headers, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((v, k) => {
    if (!DROP_HEADERS.has(k)) out[k] = v;
  });
  return redactValue(out, secrets) as Record<string, string>;
}

/**
 * The integration by code, through node-postgres (this is the hot path: no ORM round): the
 * columns buildContext() and the verification need, not the whole row.
 */
async function integrationByCode(code: string): Promise<Integration | null> {
  const ttl = env().WEBHOOK_CONFIG_CACHE_MS;
  const hit = integrationCache.get(code);
  if (hit && Date.now() - hit.at < ttl) return hit.row;
  const r = await pgPool().query<Integration>(
    `select id, code, name, provider, category, description, status, mode, api_endpoint as "apiEndpoint",
            credentials, webhook_secret as "webhookSecret", config, state
       from integrations where code = $1`,
    [code],
  );
  const row = r.rows[0] ?? null;
  if (ttl > 0) {
    if (integrationCache.size > 1000) integrationCache.clear();
    integrationCache.set(code, { row, at: Date.now() });
  }
  return row;
}

async function findIntegration(target: IngestTarget): Promise<{ row: Integration; def: ProviderDefinition }> {
  const row = await integrationByCode(target.code);
  if (!row || (target.provider && row.provider !== target.provider)) {
    throw new ApiError(404, "not_found", `No ${target.provider ?? "custom"} integration with the code "${target.code}"`);
  }
  const def = getProvider(row.provider);
  if (!def?.webhook) throw new ApiError(404, "not_found", `The integration "${row.code}" does not receive webhooks`);
  if (row.status === "inactive") {
    // not stored, not processed: the provider keeps the event and retries later
    throw unavailable(`The integration "${row.code}" is disabled`, 600);
  }
  return { row, def };
}

const unavailable = (message: string, retryAfter: number) =>
  new ApiError(503, "unavailable", message, undefined, { "Retry-After": String(retryAfter) });

const MAX_REJECTED_BODY = 64 * 1024;

async function recordRejected(
  row: Integration,
  inbound: InboundRequest,
  verdict: { scheme: string; reason: string },
  secrets: string[],
  subjectOf?: (req: InboundRequest) => string | null,
) {
  const path = new URL(inbound.url).pathname;
  const limit = env().WEBHOOK_REJECTED_PER_MINUTE;
  const room = limit > 0 ? await consume("webhook-rejected", row.id, limit, 60) : { allowed: false as const };
  if (!room.allowed) {
    logger.warn({ integration: row.code, reason: verdict.reason }, "webhook rejected (not recorded: rejection flood)");
    return;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(inbound.rawBody);
    if (inbound.rawBody.length > MAX_REJECTED_BODY) payload = { _truncated: inbound.rawBody.slice(0, MAX_REJECTED_BODY) };
  } catch {
    payload = { _raw: inbound.rawBody.slice(0, MAX_REJECTED_BODY) };
  }
  await insertEvent({
    id: randomUUID(),
    integrationId: row.id,
    provider: row.provider,
    eventType: "unknown",
    externalId: null,
    idempotencyKey: null,
    status: "rejected",
    payload: redactValue(payload, secrets),
    headers: storedHeaders(inbound.headers, secrets),
    sourceIp: inbound.ip,
    path,
    signatureVerified: false,
    verification: scrub(`${verdict.scheme}: ${verdict.reason}`, secrets),
    maxRetries: 0,
    lastError: scrub(verdict.reason, secrets),
    subject: subjectFor(inbound, subjectOf),
  });
  logger.warn({ integration: row.code, reason: verdict.reason, ip: inbound.ip }, "webhook rejected");
}

/** the object the refused body names (not trusted), kept so the refusal shows on its timeline */
function subjectFor(inbound: InboundRequest, subjectOf?: (req: InboundRequest) => string | null): string | null {
  if (!subjectOf) return null;
  try {
    const s = subjectOf(inbound);
    return s ? s.slice(0, 200) : null;
  } catch {
    return null;
  }
}

type NewEvent = {
  id: string;
  integrationId: string;
  provider: string;
  eventType: string;
  externalId: string | null;
  idempotencyKey: string | null;
  status: "pending" | "rejected";
  payload: unknown;
  headers: Record<string, string>;
  sourceIp: string | null;
  path: string;
  signatureVerified: boolean;
  verification: string;
  maxRetries: number;
  lastError?: string;
  subject?: string | null;
};

const INSERT = `insert into webhook_events
      (id, integration_id, provider, event_type, external_id, idempotency_key, status, payload, headers,
       source_ip, path, signature_verified, verification, max_retries, last_error, subject)
    values ($1, $2, $3, $4, $5, $6, $7::"WebhookStatus", $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14, $15, $16)
    on conflict (integration_id, idempotency_key) do update set duplicates = webhook_events.duplicates + 1
    returning id, (xmax = 0) as inserted`;

/**
 * Inserts, or counts a duplicate delivery. A pending row is the event's place in the queue
 * (a transactional outbox): the workers' dispatcher turns new pending rows into pg-boss jobs,
 * one per event, in batches (lib/webhooks/process.ts dispatchWebhooks). Writing the job here
 * as well doubled the database work of every delivery (bench/webhooks.ts); the row alone is
 * durable, so an acknowledged event is never lost.
 */
async function insertEvent(e: NewEvent): Promise<{ id: string; inserted: boolean }> {
  const values = (payload: unknown) => [
    e.id, e.integrationId, e.provider, e.eventType.slice(0, 200), e.externalId?.slice(0, 500) ?? null, e.idempotencyKey,
    e.status, JSON.stringify(payload), JSON.stringify(e.headers), e.sourceIp, e.path.slice(0, 2000), e.signatureVerified,
    e.verification.slice(0, 1000), e.maxRetries, e.lastError?.slice(0, 2000) ?? null, e.subject ?? null,
  ];
  try {
    return (await pgPool().query<{ id: string; inserted: boolean }>(INSERT, values(e.payload))).rows[0];
  } catch (err) {
    // jsonb refuses \u0000 in strings: keep the body as text without them rather than lose it
    if ((err as { code?: string }).code !== "22P05") throw err;
    const text = JSON.stringify(e.payload).replace(/\\u0000/g, "");
    return (await pgPool().query<{ id: string; inserted: boolean }>(INSERT, values({ _unstorable_json: text }))).rows[0];
  }
}

function bodyHash(body: string) {
  return `sha256:${createHash("sha256").update(body, "utf8").digest("hex")}`;
}

export async function ingestWebhook(req: Request, target: IngestTarget): Promise<Response> {
  // the body first: 413 past the limit, with or without Content-Length, before any lookup
  const rawBody = await readBodyText(req, env().WEBHOOK_BODY_LIMIT_BYTES);
  const { row, def } = await findIntegration(target);
  const spec = def.webhook!;

  let ctx: WebhookVerifyContext<Record<string, unknown>, Record<string, unknown>>;
  let retired: RetiredSecret[];
  try {
    retired = retiredSecrets(row);
    const base = buildContext(row);
    ctx = { ...base, secretsFor: (field) => secretList(base.credentials[field], retired, field) };
  } catch {
    // our configuration is incomplete, not the sender's fault: it should retry later
    throw unavailable(`The integration "${row.code}" is not fully configured`, 600);
  }
  const secrets = [...ctx.secrets, ...retired.map((r) => r.value)];
  const inbound: InboundRequest = { rawBody, headers: req.headers, url: publicUrl(req), ip: req.headers.get(CLIENT_IP_HEADER) };

  const handshake = spec.handshake ? await spec.handshake(inbound, ctx) : null;
  if (handshake) return handshake;

  let verdict: Verdict;
  try {
    // the provider's own check, or the area's whose tables hold what it checks against
    const verify = bindingOf(def.id).webhook?.verify ?? spec.verify;
    if (!verify) throw new Error(`${def.name} webhooks cannot be verified in this process (the wiring is not loaded)`);
    verdict = await verify(inbound, ctx);
  } catch (e) {
    // e.g. PayPal's verify endpoint unreachable: we could not decide, so the sender retries
    logger.warn({ integration: row.code, err: scrub((e as Error).message, secrets) }, "webhook verification could not complete");
    throw unavailable("The signature could not be verified right now; retry later", 60);
  }
  if (!verdict.ok) {
    await recordRejected(row, inbound, verdict, secrets, spec.subject);
    if (verdict.retryAfterSeconds) {
      // not decided (a limit on verification calls): a genuine sender retries later
      throw new ApiError(429, "rate_limited", `Webhook refused: ${verdict.reason}`, undefined, { "Retry-After": String(verdict.retryAfterSeconds) });
    }
    // a merchant API expects its own error answer (HTTP 200), not ours
    if (spec.synchronous) return spec.synchronous.refusal(inbound, { code: "unauthorized", reason: verdict.reason });
    throw new ApiError(401, "unauthorized", `Webhook rejected: ${verdict.reason}`);
  }

  let parsed;
  try {
    parsed = spec.parse(inbound, ctx);
  } catch (e) {
    if (!(e instanceof WebhookBodyError)) throw e;
    await recordRejected(row, inbound, { scheme: verdict.scheme, reason: `signature valid, body refused: ${e.message}` }, secrets, spec.subject);
    if (spec.synchronous) return spec.synchronous.refusal(inbound, { code: e.code, reason: e.message });
    throw new ApiError(400, e.code, e.message);
  }

  if (spec.synchronous) return answerNow({ row, def, inbound, ctx, parsed, verdict, headers: storedHeaders(req.headers, secrets), secrets });

  const externalId = parsed.id ? String(parsed.id) : null;
  const stored = await insertEvent({
    id: randomUUID(),
    integrationId: row.id,
    provider: row.provider,
    eventType: parsed.type || "unknown",
    externalId,
    idempotencyKey: externalId ? `id:${externalId}` : bodyHash(rawBody),
    status: "pending",
    payload: parsed.payload,
    headers: storedHeaders(req.headers, secrets),
    sourceIp: inbound.ip,
    path: new URL(inbound.url).pathname,
    signatureVerified: true,
    verification: verdict.note ? `${verdict.scheme}: ${verdict.note}` : verdict.scheme,
    maxRetries: env().WEBHOOK_MAX_RETRIES,
  });
  const ack = spec.acknowledge?.({ id: stored.id, duplicate: !stored.inserted });
  return ack ?? Response.json({ received: true, id: stored.id, duplicate: !stored.inserted });
}

// ───────────── merchant APIs: answered now, stored already done ─────────────

const INSERT_ANSWERED = `insert into webhook_events
      (id, integration_id, provider, event_type, external_id, idempotency_key, status, payload, headers,
       source_ip, path, signature_verified, verification, max_retries, last_error, attempts, processed_at, result, history)
    values ($1, $2, $3, $4, $5, $6, $7::"WebhookStatus", $8::jsonb, $9::jsonb, $10, $11, true, $12, 0, $13, 1, now(), $14::jsonb, $15::jsonb)
    on conflict (integration_id, idempotency_key) do update set duplicates = webhook_events.duplicates + 1`;

/**
 * A `synchronous` provider's verified call (Payme, Click): the area bound to it answers from its
 * own tables at once (lib/payments/merchant.ts), and the call is stored already processed, with
 * the answer's note, for the webhooks screen (a repeat with the same body counts as a duplicate;
 * it got the same answer, made again from the same state). The answer stands even if the record
 * cannot be written: what it says is already committed.
 */
async function answerNow(a: {
  row: Integration;
  def: ProviderDefinition;
  inbound: InboundRequest;
  ctx: WebhookVerifyContext<Record<string, unknown>, Record<string, unknown>>;
  parsed: ParsedWebhook;
  verdict: Verdict;
  headers: Record<string, string>;
  secrets: string[];
}): Promise<Response> {
  const respond = bindingOf(a.def.id).webhook?.respond;
  if (!respond) throw unavailable(`${a.def.name} calls cannot be answered in this process (the wiring is not loaded)`, 60);
  const started = Date.now();
  const answer = await respond(a.inbound, a.ctx, a.parsed);
  const note = scrub(answer.note, a.secrets);
  const history = [{ attempt: 1, at: new Date(started).toISOString(), durationMs: Date.now() - started, outcome: answer.outcome, note }];
  try {
    await pgPool().query(INSERT_ANSWERED, [
      randomUUID(), a.row.id, a.row.provider, (a.parsed.type || "unknown").slice(0, 200), a.parsed.id ? String(a.parsed.id).slice(0, 500) : null,
      bodyHash(a.inbound.rawBody), answer.outcome, JSON.stringify(redactValue(a.parsed.payload, a.secrets)), JSON.stringify(a.headers),
      a.inbound.ip, new URL(a.inbound.url).pathname.slice(0, 2000), (a.verdict.ok && a.verdict.note ? `${a.verdict.scheme}: ${a.verdict.note}` : a.verdict.scheme).slice(0, 1000),
      answer.outcome === "failed" ? note.slice(0, 2000) : null, JSON.stringify({ note, events: answer.events ?? [] }), JSON.stringify(history),
    ]);
  } catch (e) {
    logger.warn({ integration: a.row.code, err: scrub((e as Error).message, a.secrets) }, "merchant API call answered but not recorded");
  }
  return Response.json(answer.body);
}
