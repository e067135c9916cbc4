// What the overview counts: one aggregate query per card over the period's window, every count
// and sum done by PostgreSQL (money summed as bigint in minor units, never as floats), and the
// zod shapes of the answers (for the API documentation).
import { z } from "zod";
import { db } from "@/lib/db";
import { getProvider } from "@/lib/providers/registry";
import { toDecimalString } from "@/lib/money";
import { bucketStarts, type Window } from "@/lib/overview/period";
import type { Scope } from "@/lib/auth/scopes";

export const MESSAGE_CHANNELS = ["sms", "whatsapp", "email", "telegram", "push"] as const;
export const MESSAGE_STATUSES = ["queued", "sent", "delivered", "failed", "undelivered"] as const;
export const PAYMENT_STATUSES = ["pending", "requires_action", "succeeded", "partially_refunded", "refunded", "failed", "canceled"] as const;
export const WEBHOOK_STATUSES = ["pending", "processing", "completed", "failed", "ignored", "rejected"] as const;
export const JOB_STATUSES = ["queued", "running", "completed", "failed", "canceled"] as const;

/** a refresh token expiring within this is shown as needing a reconnect soon */
export const TOKEN_WARNING_MS = 7 * 86_400_000;
/** an error rate shown as a problem: at least this share of at least MIN_CALLS calls failed */
export const ERROR_RATE_WARNING = 0.2;
const MIN_CALLS = 5;

const windowShape = { period: z.enum(["24h", "7d", "30d"]), from: z.iso.datetime(), until: z.iso.datetime() };

function int(v: bigint | number | null | undefined): number {
  const n = Number(v ?? 0);
  if (!Number.isSafeInteger(n)) throw new Error(`count out of range: ${String(v)}`);
  return n;
}

function counts<S extends string>(keys: readonly S[], rows: { status: string; n: number }[]): Record<S, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<S, number>;
  for (const r of rows) if (r.status in out) out[r.status as S] += r.n;
  return out;
}

function windowOut(w: Window) {
  return { period: w.period, from: w.from.toISOString(), until: w.until.toISOString() };
}

// ───────────── provider calls (integration_logs) per bucket ─────────────

export const callsResponse = z.object({
  ...windowShape,
  bucketMinutes: z.number().int(),
  calls: z.array(
    z.object({
      hour: z.iso.datetime().describe("the bucket's start"),
      success: z.number().int().describe("calls answered as designed (2xx, or a non-2xx the call expected, such as a lookup's 404)"),
      error: z.number().int().describe("calls that failed"),
    }),
  ),
});

export async function providerCalls(w: Window): Promise<z.output<typeof callsResponse>> {
  const rows = await db.$queryRaw<{ b: number; success: number; error: number }[]>`
    select floor(extract(epoch from (created_at - ${w.from}::timestamptz)) * 1000 / ${w.bucketMs}::bigint)::int as b,
           (count(*) filter (where status <> 'error'))::int as success,
           (count(*) filter (where status = 'error'))::int as error
      from integration_logs
     where created_at >= ${w.from} and created_at < ${w.until}
     group by 1`;
  const byBucket = new Map(rows.map((r) => [r.b, r]));
  return {
    ...windowOut(w),
    bucketMinutes: w.bucketMs / 60_000,
    calls: bucketStarts(w).map((start, i) => ({ hour: start.toISOString(), success: byBucket.get(i)?.success ?? 0, error: byBucket.get(i)?.error ?? 0 })),
  };
}

// ───────────── integration health ─────────────

const oauthShape = z.object({
  grant: z.enum(["authorization_code", "client_credentials"]),
  /** connected | needs_reconnect | not_connected (authorization_code without a token) | no_token (client_credentials: fetched when first needed) */
  state: z.enum(["connected", "needs_reconnect", "not_connected", "no_token"]),
  expiresAt: z.iso.datetime().nullable().describe("the access token's expiry (refreshed automatically)"),
  refreshTokenExpiresAt: z.iso.datetime().nullable().describe("after this a person must connect again"),
  needsReconnect: z.boolean(),
  expiresSoon: z.boolean().describe("the refresh token runs out within 7 days"),
  lastError: z.string().nullable(),
});

export const healthItem = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  provider: z.string(),
  providerName: z.string(),
  category: z.string(),
  status: z.enum(["active", "inactive", "error", "testing"]),
  mode: z.enum(["live", "sandbox"]),
  lastSuccessAt: z.iso.datetime().nullable(),
  lastErrorAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  lastTestAt: z.iso.datetime().nullable(),
  lastTestOk: z.boolean().nullable(),
  calls: z.number().int().describe("provider calls logged in the period"),
  errors: z.number().int(),
  errorRate: z.number().nullable().describe("errors / calls, null without calls"),
  oauth: oauthShape.nullable().describe("null for providers without OAuth"),
  attention: z.array(z.string()).describe("why a person should look at it; empty when healthy"),
});

export const healthResponse = z.object({
  ...windowShape,
  summary: z.object({ total: z.number().int(), active: z.number().int(), error: z.number().int(), attention: z.number().int(), sandbox: z.number().int(), live: z.number().int() }),
  items: z.array(healthItem),
});

export async function integrationHealth(w: Window): Promise<z.output<typeof healthResponse>> {
  const [rows, logCounts] = await Promise.all([
    db.integration.findMany({
      orderBy: [{ category: "asc" }, { name: "asc" }],
      select: {
        id: true, code: true, name: true, provider: true, category: true, status: true, mode: true,
        lastSuccessAt: true, lastErrorAt: true, lastError: true, lastTestAt: true, lastTestOk: true,
        oauthToken: { select: { status: true, expiresAt: true, refreshTokenExpiresAt: true, refreshToken: true, lastError: true } },
      },
    }),
    db.$queryRaw<{ integration_id: string; calls: number; errors: number }[]>`
      select integration_id, count(*)::int as calls, (count(*) filter (where status = 'error'))::int as errors
        from integration_logs
       where created_at >= ${w.from} and created_at < ${w.until} and integration_id is not null
       group by integration_id`,
  ]);
  const byId = new Map(logCounts.map((c) => [c.integration_id, c]));
  const now = w.until.getTime();
  const items = rows.map((r) => {
    const def = getProvider(r.provider);
    const spec = def?.auth.type === "oauth2" ? def.auth : null;
    let oauth: z.output<typeof oauthShape> | null = null;
    if (spec) {
      const t = r.oauthToken;
      const refreshGone = !!t?.refreshTokenExpiresAt && t.refreshTokenExpiresAt.getTime() <= now;
      // an authorization-code token with no refresh token dies with its access token
      const accessGone = spec.grant === "authorization_code" && !!t && !t.refreshToken && !!t.expiresAt && t.expiresAt.getTime() <= now;
      const state = !t ? (spec.grant === "authorization_code" ? "not_connected" : "no_token") : t.status === "needs_reconnect" ? "needs_reconnect" : "connected";
      const needsReconnect = state === "needs_reconnect" || state === "not_connected" || refreshGone || accessGone;
      oauth = {
        grant: spec.grant,
        state,
        expiresAt: t?.expiresAt?.toISOString() ?? null,
        refreshTokenExpiresAt: t?.refreshTokenExpiresAt?.toISOString() ?? null,
        needsReconnect,
        expiresSoon: !needsReconnect && !!t?.refreshTokenExpiresAt && t.refreshTokenExpiresAt.getTime() - now <= TOKEN_WARNING_MS,
        lastError: t?.status === "needs_reconnect" ? t.lastError : null,
      };
    }
    const c = byId.get(r.id);
    const calls = c?.calls ?? 0;
    const errors = c?.errors ?? 0;
    const errorRate = calls ? errors / calls : null;
    const attention: string[] = [];
    if (r.status === "error") attention.push("In error");
    if (oauth?.state === "not_connected") attention.push("Not connected");
    else if (oauth?.needsReconnect) attention.push("Needs reconnect");
    else if (oauth?.expiresSoon) attention.push("Authorization expires soon");
    if (errorRate !== null && calls >= MIN_CALLS && errorRate >= ERROR_RATE_WARNING) attention.push(`${Math.round(errorRate * 100)}% of calls failed`);
    return {
      id: r.id,
      code: r.code,
      name: r.name,
      provider: r.provider,
      providerName: def?.name ?? r.provider,
      category: r.category,
      status: r.status,
      mode: r.mode,
      lastSuccessAt: r.lastSuccessAt?.toISOString() ?? null,
      lastErrorAt: r.lastErrorAt?.toISOString() ?? null,
      lastError: r.lastError,
      lastTestAt: r.lastTestAt?.toISOString() ?? null,
      lastTestOk: r.lastTestOk,
      calls,
      errors,
      errorRate,
      oauth,
      attention,
    };
  });
  return {
    ...windowOut(w),
    summary: {
      total: items.length,
      active: items.filter((i) => i.status === "active").length,
      error: items.filter((i) => i.status === "error").length,
      attention: items.filter((i) => i.attention.length > 0).length,
      sandbox: items.filter((i) => i.mode === "sandbox").length,
      live: items.filter((i) => i.mode === "live").length,
    },
    items,
  };
}

// ───────────── messages by channel and status ─────────────

const messageCounts = z.object(Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof MESSAGE_STATUSES)[number], z.ZodNumber>);

export const messagesResponse = z.object({
  ...windowShape,
  total: z.number().int(),
  byStatus: messageCounts,
  channels: z.array(z.object({ channel: z.enum(MESSAGE_CHANNELS), total: z.number().int(), byStatus: messageCounts })),
});

export async function messagesByChannel(w: Window): Promise<z.output<typeof messagesResponse>> {
  const rows = await db.$queryRaw<{ channel: string; status: string; n: number }[]>`
    select channel::text as channel, status::text as status, count(*)::int as n
      from messages
     where created_at >= ${w.from} and created_at < ${w.until}
     group by 1, 2`;
  const channels = MESSAGE_CHANNELS.map((channel) => {
    const byStatus = counts(MESSAGE_STATUSES, rows.filter((r) => r.channel === channel));
    return { channel, total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus };
  }).filter((c) => c.total > 0);
  const byStatus = counts(MESSAGE_STATUSES, rows);
  return { ...windowOut(w), total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus, channels };
}

// ───────────── payments by currency ─────────────

const paymentCounts = z.object(Object.fromEntries(PAYMENT_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof PAYMENT_STATUSES)[number], z.ZodNumber>);

export const paymentsResponse = z.object({
  ...windowShape,
  total: z.number().int(),
  byStatus: paymentCounts,
  currencies: z.array(
    z.object({
      currency: z.string().length(3),
      count: z.number().int().describe("payments created in the period, any status"),
      succeededCount: z.number().int(),
      succeededMinor: z.number().int().describe("sum of the succeeded payments' amounts, in the currency's minor units"),
      succeeded: z.string().describe('the same as a decimal string in the currency\'s own digits ("1234.50", JPY "1000")'),
      byStatus: paymentCounts,
    }),
  ),
});

export async function paymentsByCurrency(w: Window): Promise<z.output<typeof paymentsResponse>> {
  const rows = await db.$queryRaw<{ currency: string; status: string; n: number; amount: bigint }[]>`
    select currency, status::text as status, count(*)::int as n, sum(amount_minor) as amount
      from payments
     where created_at >= ${w.from} and created_at < ${w.until}
     group by 1, 2`;
  const currencies = [...new Set(rows.map((r) => r.currency))].sort().map((currency) => {
    const mine = rows.filter((r) => r.currency === currency);
    const ok = mine.find((r) => r.status === "succeeded");
    const succeededMinor = int(ok?.amount ?? 0n);
    let succeeded: string;
    try {
      succeeded = toDecimalString(succeededMinor, currency);
    } catch {
      succeeded = String(succeededMinor); // an unknown currency code: its minor units as they are
    }
    const byStatus = counts(PAYMENT_STATUSES, mine);
    return { currency, count: Object.values(byStatus).reduce((a, b) => a + b, 0), succeededCount: ok?.n ?? 0, succeededMinor, succeeded, byStatus };
  });
  const byStatus = counts(PAYMENT_STATUSES, rows);
  return { ...windowOut(w), total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus, currencies };
}

// ───────────── webhooks and sync jobs by status ─────────────

export const webhooksResponse = z.object({
  ...windowShape,
  total: z.number().int(),
  byStatus: z.object(Object.fromEntries(WEBHOOK_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof WEBHOOK_STATUSES)[number], z.ZodNumber>),
});

export async function webhooksByStatus(w: Window): Promise<z.output<typeof webhooksResponse>> {
  const rows = await db.$queryRaw<{ status: string; n: number }[]>`
    select status::text as status, count(*)::int as n
      from webhook_events
     where received_at >= ${w.from} and received_at < ${w.until}
     group by 1`;
  const byStatus = counts(WEBHOOK_STATUSES, rows);
  return { ...windowOut(w), total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus };
}

export const jobsResponse = z.object({
  ...windowShape,
  total: z.number().int(),
  byStatus: z.object(Object.fromEntries(JOB_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof JOB_STATUSES)[number], z.ZodNumber>),
  itemsProcessed: z.number().int().describe("records the period's jobs processed"),
  itemsFailed: z.number().int().describe("records they failed on"),
});

export async function syncJobOutcomes(w: Window): Promise<z.output<typeof jobsResponse>> {
  const rows = await db.$queryRaw<{ status: string; n: number; processed: bigint; failed: bigint }[]>`
    select status::text as status, count(*)::int as n, coalesce(sum(processed), 0) as processed, coalesce(sum(failed), 0) as failed
      from sync_jobs
     where created_at >= ${w.from} and created_at < ${w.until}
     group by 1`;
  const byStatus = counts(JOB_STATUSES, rows);
  return {
    ...windowOut(w),
    total: Object.values(byStatus).reduce((a, b) => a + b, 0),
    byStatus,
    itemsProcessed: rows.reduce((a, r) => a + int(r.processed), 0),
    itemsFailed: rows.reduce((a, r) => a + int(r.failed), 0),
  };
}

// ───────────── API requests and errors by key ─────────────

export const apiUsageResponse = z.object({
  ...windowShape,
  requests: z.number().int(),
  errors: z.number().int(),
  keys: z.array(
    z.object({
      apiKeyId: z.uuid(),
      name: z.string().describe('the key\'s name; "Deleted key" once it is gone'),
      revoked: z.boolean(),
      deleted: z.boolean(),
      requests: z.number().int(),
      errors: z.number().int().describe("answers with status >= 400"),
    }),
  ),
});

/** Per key, busiest first (counts are written every few seconds: the last seconds may be missing). */
export async function apiUsageByKey(w: Window): Promise<z.output<typeof apiUsageResponse>> {
  const rows = await db.$queryRaw<{ api_key_id: string; name: string | null; revoked: boolean | null; requests: bigint; errors: bigint }[]>`
    select u.api_key_id, k.name, k.revoked_at is not null as revoked, sum(u.requests) as requests, sum(u.errors) as errors
      from api_key_usage u
      left join api_keys k on k.id = u.api_key_id
     where u.hour >= ${w.from} and u.hour < ${w.until}
     group by u.api_key_id, k.name, k.revoked_at
     order by sum(u.requests) desc, k.name`;
  const keys = rows.map((r) => ({ apiKeyId: r.api_key_id, name: r.name ?? "Deleted key", revoked: !!r.revoked, deleted: r.name === null, requests: int(r.requests), errors: int(r.errors) }));
  return { ...windowOut(w), requests: keys.reduce((a, k) => a + k.requests, 0), errors: keys.reduce((a, k) => a + k.errors, 0), keys };
}

// ───────────── open alerts ─────────────

export const alertsResponse = z.object({ open: z.number().int(), critical: z.number().int(), warning: z.number().int() });

/** Alerts still open now (not limited to the period: an open problem stays one). */
export async function openAlerts(): Promise<z.output<typeof alertsResponse>> {
  const [r] = await db.$queryRaw<{ open: number; critical: number }[]>`
    select count(*)::int as open, (count(*) filter (where severity = 'critical'))::int as critical
      from alerts where status = 'open'`;
  return { open: r?.open ?? 0, critical: r?.critical ?? 0, warning: (r?.open ?? 0) - (r?.critical ?? 0) };
}

// ───────────── the cards as the API serves them (app/api/v1/overview/**) ─────────────

type Card<T> = { scope: Scope; summary: string; description: string; response: z.ZodType<T>; count: (w: Window) => Promise<T> };
const card = <T>(c: Card<T>) => c;

export const OVERVIEW_CARDS = {
  calls: card({
    scope: "logs:read",
    summary: "Provider calls over a period",
    description: "Provider calls (integration logs, both directions) per hour (24h), 6 hours (7d) or day (30d), succeeded and failed.",
    response: callsResponse,
    count: providerCalls,
  }),
  health: card({
    scope: "integrations:read",
    summary: "Health of every integration",
    description:
      "Status, sandbox or live, last success and last error, provider calls and their error rate over the period, and for OAuth providers the token's state and expiry. `attention` lists what a person should look at.",
    response: healthResponse,
    count: integrationHealth,
  }),
  messages: card({ scope: "messages:read", summary: "Messages by channel and status", description: "Messages created in the period, counted per channel and status.", response: messagesResponse, count: messagesByChannel }),
  payments: card({
    scope: "payments:read",
    summary: "Payments by currency",
    description: "Payments created in the period per currency: counts per status and the succeeded volume, summed in minor units.",
    response: paymentsResponse,
    count: paymentsByCurrency,
  }),
  webhooks: card({ scope: "webhooks:read", summary: "Webhook events by status", description: "Inbound webhook events received in the period, counted per status.", response: webhooksResponse, count: webhooksByStatus }),
  jobs: card({
    scope: "jobs:read",
    summary: "Sync job outcomes",
    description: "Sync jobs created in the period, counted per status, with the records they processed and failed on.",
    response: jobsResponse,
    count: syncJobOutcomes,
  }),
  apiUsage: card({
    scope: "logs:read",
    summary: "API requests and errors by key",
    description: "Requests made with each API key in the period and how many were answered with an error (status >= 400). Counts are written every few seconds.",
    response: apiUsageResponse,
    count: apiUsageByKey,
  }),
};

export type CallsOverview = z.output<typeof callsResponse>;
export type HealthOverview = z.output<typeof healthResponse>;
export type HealthItem = z.output<typeof healthItem>;
export type MessagesOverview = z.output<typeof messagesResponse>;
export type PaymentsOverview = z.output<typeof paymentsResponse>;
export type WebhooksOverview = z.output<typeof webhooksResponse>;
export type JobsOverview = z.output<typeof jobsResponse>;
export type ApiUsageOverview = z.output<typeof apiUsageResponse>;
export type AlertsOverview = z.output<typeof alertsResponse>;
