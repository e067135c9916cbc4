// RingCentral webhook subscriptions: created on connect, renewed before they expire, deleted on
// disconnect. RingCentral delivers call (telephony session) and message-store events only to
// a live subscription, and a subscription lapses at its expirationTime unless renewed.
//
// For the connect / disconnect flow (lib/oauth):
//
//   ensureSubscription(integrationId): Promise<EnsureResult>
//     Makes sure the integration has a live subscription pointing at its webhook URL
//     (/api/webhooks/ringcentral/<code>): creates one (RingCentral first performs the
//     Validation-Token handshake against that URL, answered by the inbox), renews it when it
//     expires within the renewal window, replaces it when the URL or the verification token
//     changed, creates a new one when RingCentral no longer knows it. The verification token is
//     generated on first use and kept as the secret credential `verificationToken` (encrypted
//     with the other credentials, so keys:rotate re-encrypts it and the inbox's secret
//     rotation grace period covers a change of it). Call it after a successful connect, sandbox
//     or live. Never throws for a provider failure: the result says "failed" with the reason,
//     the error is kept in state.subscription, and the maintenance tick tries again with backoff.
//
//   removeSubscription(integrationId): Promise<EnsureResult>
//     Deletes the subscription at RingCentral (already gone counts as done) and marks it removed
//     so the maintenance tick does not create it again. Call it on disconnect BEFORE the token
//     is revoked (the delete needs it). A failure is returned, not thrown.
//
//   renewRingCentralSubscriptions(): Promise<number>
//     The maintenance tick (lib/wiring/maintenance.ts): for every connected RingCentral
//     integration whose subscription expires within the window, or that has none yet (creation
//     failed or never ran), and is due (failure backoff), does what ensureSubscription does.
//     Returns how many subscriptions it created or renewed.
//
// Concurrency: every change to one integration's subscription runs under a session advisory
// lock on that integration (a dedicated connection), and the integration row is read again once
// the lock is held, so two workers never both renew or create (the loser skips, or waits when it
// is the connect flow). The state lives in integrations.state.subscription, written with
// jsonb_set so the other keys of the state (the call-log cursor) are never overwritten.
import { createHash, randomBytes } from "node:crypto";
import type { Integration } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { withAdvisoryLock } from "@/lib/locks";
import { logger } from "@/lib/logger";
import { audit } from "@/lib/audit";
import { aadFor, decryptJson, encryptJson } from "@/lib/vault";
import { buildContext, webhookUrl } from "@/lib/integrations/service";
import { forgetIntegration } from "@/lib/webhooks/cache";
import { OAuthReconnectError } from "@/lib/providers/types";
import {
  RingCentralError,
  createSubscription,
  deleteSubscription,
  explain,
  getSubscription,
  renewSubscription,
  type RingCentralContext,
  type SubscriptionInfo,
} from "@/lib/providers/ringcentral/client";

export const DEFAULT_SUBSCRIPTION_TTL = 604_800;
const MAX_BACKOFF_MS = 3600_000;

export type SubscriptionState = {
  id: string | null;
  /** active: live at RingCentral; failed: none live, retried at nextAttemptAt; removed: deleted on disconnect */
  status: "active" | "failed" | "removed";
  address?: string;
  expiresAt?: string | null;
  /** the first characters of the verification token's SHA-256: a changed token means a new subscription */
  tokenHash?: string;
  createdAt?: string;
  renewedAt?: string;
  lastError?: string | null;
  lastErrorAt?: string | null;
  failures?: number;
  nextAttemptAt?: string | null;
};

export type EnsureResult = {
  status: "created" | "renewed" | "active" | "removed" | "failed" | "skipped";
  subscriptionId?: string | null;
  expiresAt?: string | null;
  error?: string;
};

/** Renew when less than this is left: half the lifetime, at most a day. */
export function renewWindowMs(ttlSeconds: number) {
  return Math.min((ttlSeconds * 1000) / 2, 86400_000);
}

const tokenHash = (t: string) => createHash("sha256").update(t).digest("hex").slice(0, 16);

// ───────────── locking and state ─────────────

async function withSubscriptionLock<T>(integrationId: string, wait: boolean, fn: () => Promise<T>): Promise<T | null> {
  // the connect flow waits (up to 15 s) for a tick that holds the lock (it finishes in seconds)
  const r = await withAdvisoryLock(`ringcentral.subscription:${integrationId}`, fn, { wait: wait ? 15_000 : false });
  return r.acquired ? r.value : null;
}

async function writeState(integrationId: string, s: SubscriptionState) {
  await pgPool().query(`update integrations set state = jsonb_set(coalesce(state, '{}'::jsonb), '{subscription}', $2::jsonb, true) where id = $1`, [
    integrationId,
    JSON.stringify(s),
  ]);
}

const stateOf = (row: Integration): SubscriptionState | null => ((row.state ?? {}) as { subscription?: SubscriptionState }).subscription ?? null;

/** The verification token, generated and stored (encrypted, with the credentials) the first time. */
async function verificationToken(row: Integration, ctx: RingCentralContext): Promise<string> {
  if (ctx.credentials.verificationToken) return ctx.credentials.verificationToken;
  const fresh = randomBytes(24).toString("base64url"); // 32 characters of [A-Za-z0-9_-]
  const aad = aadFor.integrationCredentials(row.id);
  // under the row's lock: a token another process set a moment ago is kept, not replaced
  const token = await db.$transaction(async (tx) => {
    const [r] = await tx.$queryRaw<{ credentials: string | null }[]>`select credentials from integrations where id = ${row.id}::uuid for update`;
    const current = r?.credentials ? decryptJson<Record<string, unknown>>(r.credentials, aad) : {};
    if (typeof current.verificationToken === "string" && current.verificationToken) return current.verificationToken;
    await tx.$executeRaw`update integrations set credentials = ${encryptJson({ ...current, verificationToken: fresh }, aad)} where id = ${row.id}::uuid`;
    return fresh;
  });
  forgetIntegration(row.code);
  if (token === fresh) {
    await audit({ type: "system", label: "ringcentral subscription" }, "integration.update", "integration", row.id, { credentials: { verificationToken: "[set]" } });
  }
  return token;
}

function failed(prev: SubscriptionState | null, e: unknown, base: Partial<SubscriptionState>): SubscriptionState {
  const failures = (prev?.failures ?? 0) + 1;
  const backoff = Math.min(MAX_BACKOFF_MS, 60_000 * 2 ** (failures - 1));
  return {
    id: null,
    status: "failed",
    ...base,
    lastError: explain(e).slice(0, 1000),
    lastErrorAt: new Date().toISOString(),
    failures,
    nextAttemptAt: new Date(Date.now() + backoff).toISOString(),
  };
}

function active(info: SubscriptionInfo, base: SubscriptionState | null, extra: Partial<SubscriptionState>): SubscriptionState {
  return {
    ...(base ?? {}),
    id: info.id,
    status: "active",
    expiresAt: info.expirationTime ?? null,
    lastError: null,
    lastErrorAt: null,
    failures: 0,
    nextAttemptAt: null,
    ...extra,
  };
}

// ───────────── the work ─────────────

/** Brings one integration's subscription to the state it should be in. Call with the lock held. */
async function reconcile(integrationId: string, opts: { onlyIfDue: boolean }): Promise<EnsureResult> {
  const row = await db.integration.findUnique({ where: { id: integrationId } });
  if (!row || row.provider !== "ringcentral") return { status: "skipped", error: "not a RingCentral integration" };
  if (row.status === "inactive") return { status: "skipped", error: "the integration is disabled" };
  const prev = stateOf(row);
  const now = Date.now();
  let ctx: RingCentralContext;
  try {
    ctx = buildContext(row) as RingCentralContext;
  } catch (e) {
    await writeState(row.id, failed(prev, e, {}));
    return { status: "failed", error: explain(e) };
  }
  const ttl = ctx.config.subscriptionTtlSeconds ?? DEFAULT_SUBSCRIPTION_TTL;
  const address = webhookUrl("ringcentral", row.code);
  if (opts.onlyIfDue) {
    const retryDue = !prev?.nextAttemptAt || Date.parse(prev.nextAttemptAt) <= now;
    const due =
      prev?.status === "active" && prev.expiresAt
        ? retryDue && (Date.parse(prev.expiresAt) - now < renewWindowMs(ttl) || !!prev.nextAttemptAt)
        : retryDue;
    if (!due || prev?.status === "removed") return { status: "skipped" };
  }

  let token: string;
  try {
    token = await verificationToken(row, ctx);
  } catch (e) {
    await writeState(row.id, failed(prev, e, {}));
    return { status: "failed", error: explain(e) };
  }
  const hash = tokenHash(token);
  const same = prev?.status === "active" && !!prev.id && prev.address === address && prev.tokenHash === hash;

  if (same && prev?.id && prev.expiresAt && Date.parse(prev.expiresAt) - now >= renewWindowMs(ttl)) {
    if (opts.onlyIfDue) {
      if (prev.nextAttemptAt) await writeState(row.id, { ...prev, nextAttemptAt: null });
      return { status: "active", subscriptionId: prev.id, expiresAt: prev.expiresAt };
    }
    // asked for (a connect, a reconnect): make sure RingCentral still has it
    try {
      const info = await getSubscription(ctx, prev.id);
      if (!info.status || info.status === "Active") return { status: "active", subscriptionId: prev.id, expiresAt: info.expirationTime ?? prev.expiresAt };
      logger.info({ integration: row.code, subscription: prev.id, status: info.status }, "RingCentral subscription is not active: creating a new one");
    } catch (e) {
      if (!(e instanceof RingCentralError && e.status === 404)) return { status: "active", subscriptionId: prev.id, expiresAt: prev.expiresAt, error: `not verified: ${explain(e)}` };
    }
  } else if (same && prev?.id) {
    try {
      const info = await renewSubscription(ctx, prev.id);
      const next = active(info, prev, { renewedAt: new Date().toISOString() });
      await writeState(row.id, next);
      return { status: "renewed", subscriptionId: info.id, expiresAt: next.expiresAt };
    } catch (e) {
      if (!(e instanceof RingCentralError && e.status === 404)) {
        // keep the live subscription in the state: it still works until it expires
        const f = failed(prev, e, {});
        await writeState(row.id, { ...prev, lastError: f.lastError, lastErrorAt: f.lastErrorAt, failures: f.failures, nextAttemptAt: f.nextAttemptAt });
        return { status: "failed", subscriptionId: prev.id, expiresAt: prev.expiresAt, error: explain(e) };
      }
      logger.info({ integration: row.code, subscription: prev.id }, "RingCentral no longer knows the subscription: creating a new one");
    }
  }

  // a new subscription (none yet, gone, or the address or the token changed); RingCentral's
  // handshake reaches the inbox at once: it must not answer from a row cached before a reconnect
  forgetIntegration(row.code);
  let info: SubscriptionInfo;
  try {
    info = await createSubscription(ctx, { address, verificationToken: token, expiresIn: ttl });
  } catch (e) {
    const f = failed(prev, e, { address, tokenHash: hash });
    // a replacement that failed leaves the current subscription working (and tracked) meanwhile
    const keep = prev?.status === "active" && prev.id && !same ? { ...prev, lastError: f.lastError, lastErrorAt: f.lastErrorAt, failures: f.failures, nextAttemptAt: f.nextAttemptAt } : f;
    await writeState(row.id, keep);
    return { status: "failed", subscriptionId: keep.id, error: explain(e) };
  }
  await writeState(row.id, active(info, null, { address, tokenHash: hash, createdAt: new Date().toISOString() }));
  // the one it replaces (another URL or token) stops only now, so no event falls between the two
  if (prev?.id && prev.id !== info.id && prev.status === "active") {
    await deleteSubscription(ctx, prev.id).catch((e) => {
      if (!(e instanceof RingCentralError && e.status === 404)) logger.warn({ integration: row.code, err: explain(e) }, "the replaced RingCentral subscription could not be deleted: it lapses by itself");
    });
  }
  return { status: "created", subscriptionId: info.id, expiresAt: info.expirationTime ?? null };
}

export async function ensureSubscription(integrationId: string): Promise<EnsureResult> {
  const r = await withSubscriptionLock(integrationId, true, () => reconcile(integrationId, { onlyIfDue: false }));
  return r ?? { status: "skipped", error: "another process is changing this subscription right now" };
}

export async function removeSubscription(integrationId: string): Promise<EnsureResult> {
  const r = await withSubscriptionLock(integrationId, true, async (): Promise<EnsureResult> => {
    const row = await db.integration.findUnique({ where: { id: integrationId } });
    if (!row) return { status: "skipped", error: "no such integration" };
    const prev = stateOf(row);
    const removed: SubscriptionState = { id: null, status: "removed", address: prev?.address, tokenHash: prev?.tokenHash, expiresAt: null, lastError: null, lastErrorAt: null, failures: 0, nextAttemptAt: null };
    if (!prev?.id) {
      await writeState(row.id, removed);
      return { status: "removed" };
    }
    try {
      await deleteSubscription(buildContext(row) as RingCentralContext, prev.id);
    } catch (e) {
      if (!(e instanceof RingCentralError && e.status === 404)) {
        const why = e instanceof OAuthReconnectError ? `${e.message} (it lapses by itself at ${prev.expiresAt ?? "its expiry"})` : explain(e);
        await writeState(row.id, { ...removed, lastError: `Could not delete subscription ${prev.id}: ${why}`.slice(0, 1000), lastErrorAt: new Date().toISOString() });
        return { status: "failed", subscriptionId: prev.id, error: why };
      }
    }
    await writeState(row.id, removed);
    return { status: "removed", subscriptionId: prev.id };
  });
  return r ?? { status: "skipped", error: "another process is changing this subscription right now" };
}

/** The maintenance tick: renews what expires soon, creates what is missing. */
export async function renewRingCentralSubscriptions(limit = 50): Promise<number> {
  const due = await pgPool().query<{ id: string }>(
    `select i.id from integrations i
       join oauth_tokens t on t.integration_id = i.id and t.status = 'connected'
      where i.provider = 'ringcentral' and i.status <> 'inactive'
        and coalesce(i.state->'subscription'->>'status', '') <> 'removed'
        -- after a failure, not before its backoff
        and coalesce((i.state->'subscription'->>'nextAttemptAt')::timestamptz, '-infinity') <= now()
        and (case when i.state->'subscription'->>'status' = 'active' and i.state->'subscription'->>'expiresAt' is not null
                  then (i.state->'subscription'->>'expiresAt')::timestamptz
                         < now() + make_interval(secs => least(coalesce((i.config->>'subscriptionTtlSeconds')::int, $1) / 2.0, 86400))
                       -- a renewal or a replacement (another URL or token) that failed is tried again
                       or i.state->'subscription'->>'nextAttemptAt' is not null
                  else true end)
      order by i.id limit $2`,
    [DEFAULT_SUBSCRIPTION_TTL, limit],
  );
  let n = 0;
  for (const { id } of due.rows) {
    try {
      // a worker that finds the lock taken skips: the holder is doing this very work
      const r = await withSubscriptionLock(id, false, () => reconcile(id, { onlyIfDue: true }));
      if (r?.status === "created" || r?.status === "renewed") n++;
      if (r?.status === "failed") logger.warn({ integrationId: id, err: r.error }, "RingCentral subscription not renewed");
    } catch (e) {
      logger.warn({ integrationId: id, err: (e as Error).message }, "RingCentral subscription maintenance failed");
    }
  }
  return n;
}
