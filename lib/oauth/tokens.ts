// OAuth tokens, done once for every provider: stored as vault envelopes (oauth_tokens),
// handed to provider code through ctx.accessToken(), refreshed shortly before they expire by
// one process at a time. The refresh runs under a transaction-scoped advisory lock on the
// integration: a second process (or request) that wanted to refresh waits, then finds the
// token the first one stored and uses it, so a refresh token is never spent twice (providers
// that rotate refresh tokens, like RingCentral, would otherwise invalidate the grant).
//
// A refresh the provider refuses for good (invalid_grant: revoked, expired, password changed)
// marks the token needs_reconnect, puts the integration in error, audits it and raises a
// needs_reconnect alert (which tells the admins); provider calls then fail fast with OAuthReconnectError until someone connects again.
// A refresh that fails for a passing reason (timeout, 5xx, 429) keeps the current token while
// it is still valid and is tried again by the next caller or the maintenance tick.
import { randomUUID } from "node:crypto";
import type { OAuthToken } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { lockInTransaction } from "@/lib/locks";
import { env } from "@/lib/env";
import { audit } from "@/lib/audit";
import { logger } from "@/lib/logger";
import { decrypt, encrypt, aadFor } from "@/lib/vault";
import { HttpError, type HttpResponse } from "@/lib/http";
import { OAuthReconnectError, type ModeUrls, type OAuth2Spec, type ProviderContext, type ProviderDefinition } from "@/lib/providers/types";
import { publish } from "@/lib/events";

export function oauthSpec(def: ProviderDefinition): OAuth2Spec | null {
  return def.auth.type === "oauth2" ? def.auth : null;
}

/** The live URL, or the sandbox path on SANDBOX_URL. */
export function modeUrl(urls: ModeUrls, mode: "live" | "sandbox"): string {
  return mode === "sandbox" ? `${env().SANDBOX_URL.replace(/\/$/, "")}${urls.sandbox}` : urls.live;
}

/** The token endpoint's answer (RFC 6749 §5.1), as far as we use it. */
export type TokenResponse = {
  access_token: string;
  token_type?: string;
  expires_in?: number | string;
  refresh_token?: string;
  refresh_token_expires_in?: number | string;
  scope?: string;
  [k: string]: unknown;
};

/** Why a token call did not give a token. */
export class TokenEndpointError extends Error {
  constructor(
    message: string,
    /** invalid_grant: the grant is gone (reconnect); invalid_client: the client id/secret are wrong; transient: try again later */
    public kind: "invalid_grant" | "invalid_client" | "transient" | "rejected",
    public oauthError?: string,
  ) {
    super(message);
    this.name = "TokenEndpointError";
  }
}

function clientAuth(spec: OAuth2Spec, ctx: ProviderContext, form: URLSearchParams): Record<string, string> {
  const id = String(ctx.credentials.clientId ?? "");
  const secret = String(ctx.credentials.clientSecret ?? "");
  if (spec.clientAuth === "basic") {
    // RFC 6749 §2.3.1: both form-urlencoded before base64
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
    return { authorization: `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString("base64")}` };
  }
  form.set("client_id", id);
  form.set("client_secret", secret);
  return {};
}

/**
 * One call to the token endpoint (code exchange, refresh, client credentials), logged like
 * every provider call with the tokens scrubbed. Never retried automatically: a refresh token
 * must not be sent twice on a connection that may have reached the server.
 */
export async function tokenCall(
  ctx: ProviderContext,
  def: ProviderDefinition,
  action: string,
  params: Record<string, string>,
  opts: { query?: Record<string, string>; secrets?: string[] } = {},
): Promise<TokenResponse> {
  const spec = oauthSpec(def)!;
  const form = new URLSearchParams(params);
  const headers = clientAuth(spec, ctx, form);
  const url = new URL(modeUrl(spec.tokenUrl, ctx.integration.mode));
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  let res: HttpResponse;
  try {
    res = await ctx.call(action, { method: "POST", url: url.toString(), headers, body: form }, { retry: false, secrets: [...ctx.secrets, ...(opts.secrets ?? [])] });
  } catch (e) {
    const why = e instanceof HttpError ? `${e.kind}: ${e.message}` : (e as Error).message;
    throw new TokenEndpointError(`${def.name}'s token endpoint could not be reached (${why})`, "transient");
  }
  let body: Record<string, unknown>;
  try {
    body = res.json<Record<string, unknown>>() ?? {};
  } catch {
    body = {};
  }
  if (res.ok && typeof body.access_token === "string" && body.access_token) return body as TokenResponse;
  const code = typeof body.error === "string" ? body.error : undefined;
  const desc = typeof body.error_description === "string" ? body.error_description : typeof body.reason === "string" ? body.reason : undefined;
  const detail = `${code ?? `HTTP ${res.status}`}${desc ? `: ${desc}` : ""}`;
  if (res.status >= 500 || res.status === 429 || res.status === 408) {
    throw new TokenEndpointError(`${def.name}'s token endpoint answered HTTP ${res.status}; will try again`, "transient", code);
  }
  if (code === "invalid_grant") throw new TokenEndpointError(`${def.name} refused the saved authorization (${detail})`, "invalid_grant", code);
  if (code === "invalid_client" || code === "unauthorized_client" || res.status === 401) {
    throw new TokenEndpointError(`${def.name} rejected the client ID or secret (${detail}): check them on the integration's settings`, "invalid_client", code);
  }
  if (res.ok) throw new TokenEndpointError(`${def.name}'s token endpoint answered without an access token`, "rejected");
  throw new TokenEndpointError(`${def.name}'s token endpoint refused the request (${detail})`, "rejected", code);
}

const seconds = (v: unknown) => {
  const n = typeof v === "string" ? Number(v) : typeof v === "number" ? v : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
};

type Tx = Parameters<Parameters<typeof db.$transaction>[0]>[0];

/** Stores a token response: new row (connect) or the refreshed one; the refresh token is kept when none came back. */
export async function saveTokens(
  tx: Tx,
  integrationId: string,
  current: OAuthToken | null,
  t: TokenResponse,
  extra: { accountId?: string | null; accountName?: string | null; connectedById?: string | null } = {},
): Promise<OAuthToken> {
  const id = current?.id ?? randomUUID();
  const now = Date.now();
  const exp = seconds(t.expires_in);
  const rexp = seconds(t.refresh_token_expires_in);
  const data = {
    accessToken: encrypt(t.access_token, aadFor.oauthAccessToken(id)),
    ...(t.refresh_token ? { refreshToken: encrypt(t.refresh_token, aadFor.oauthRefreshToken(id)) } : {}),
    ...(rexp ? { refreshTokenExpiresAt: new Date(now + rexp * 1000) } : {}),
    tokenType: t.token_type ?? "Bearer",
    scope: t.scope ?? current?.scope ?? null,
    expiresAt: exp ? new Date(now + exp * 1000) : null,
    refreshedAt: new Date(now),
    status: "connected",
    lastError: null,
    ...(extra.accountId !== undefined ? { accountId: extra.accountId } : {}),
    ...(extra.accountName !== undefined ? { accountName: extra.accountName } : {}),
    ...(extra.connectedById !== undefined ? { connectedById: extra.connectedById } : {}),
  };
  if (current) return tx.oAuthToken.update({ where: { id }, data });
  // a connect replaces whatever was there (a reconnect after needs_reconnect)
  await tx.oAuthToken.deleteMany({ where: { integrationId } });
  return tx.oAuthToken.create({ data: { id, integrationId, ...data } });
}

const accessCache = new Map<string, string>();

function accessOf(row: OAuthToken): string {
  const hit = accessCache.get(row.accessToken);
  if (hit) return hit;
  const v = decrypt(row.accessToken, aadFor.oauthAccessToken(row.id));
  if (accessCache.size > 500) accessCache.clear();
  accessCache.set(row.accessToken, v);
  return v;
}

/** Expires within the refresh window (or has no known expiry and was never refreshed). */
function dueSoon(row: OAuthToken, now = Date.now()) {
  return !!row.expiresAt && row.expiresAt.getTime() - now <= env().OAUTH_REFRESH_BEFORE_SECONDS * 1000;
}

function stillValid(row: OAuthToken, now = Date.now()) {
  return !row.expiresAt || row.expiresAt.getTime() > now + 5000;
}

/** The token and what it may do: the integration page's OAuth status. */
export async function tokenStatus(integrationId: string) {
  const t = await db.oAuthToken.findUnique({ where: { integrationId } });
  if (!t) return { connected: false as const, status: "disconnected" as const };
  return {
    connected: t.status === "connected",
    status: t.status as "connected" | "needs_reconnect",
    accountId: t.accountId,
    accountName: t.accountName,
    scope: t.scope,
    expiresAt: t.expiresAt,
    refreshTokenExpiresAt: t.refreshTokenExpiresAt,
    hasRefreshToken: !!t.refreshToken,
    refreshedAt: t.refreshedAt,
    connectedAt: t.createdAt,
    lastError: t.lastError,
  };
}

/** Why a reconnect is needed, as the integration page and the error say it. */
function reconnectMessage(def: ProviderDefinition, reason: string) {
  return `${reason}. Connect ${def.name} again from the integration's page.`;
}

/**
 * The grant is gone: only a person can fix it. The token row is flagged in the refresh's
 * transaction (a caller waiting on the lock sees it and makes no call); this does the rest once:
 * the integration in error, the audit entry and the needs_reconnect alert (the admins' notice).
 */
export async function markNeedsReconnect(def: ProviderDefinition, integrationId: string, reason: string, alreadyFlagged = false) {
  const message = reconnectMessage(def, reason);
  const changed = alreadyFlagged
    ? { count: 1 }
    : await db.oAuthToken.updateMany({ where: { integrationId, status: "connected" }, data: { status: "needs_reconnect", lastError: message } });
  await db.integration.update({
    where: { id: integrationId },
    data: { status: "error", lastError: message, lastErrorAt: new Date() },
  });
  if (changed.count === 0) return;
  logger.warn({ integrationId, provider: def.id }, "oauth grant refused: needs reconnect");
  await audit({ type: "system", label: "oauth" }, "oauth.needs_reconnect", "integration", integrationId, { reason });
  // the admins hear about it through the alert lib/alerts opens on this event (notified once)
  const row = await db.integration.findUnique({ where: { id: integrationId }, select: { name: true, provider: true } });
  try {
    await publish({
      type: "integration.needs_reconnect",
      integrationId,
      data: { integrationId, name: row?.name ?? def.name, provider: row?.provider ?? def.id, reason: message, at: new Date().toISOString() },
    });
  } catch (e) {
    // the workers' alert evaluation finds the token and raises the alert anyway
    logger.warn({ integrationId, err: (e as Error).message }, "needs_reconnect event not written");
  }
}

type Outcome = { token: string } | { reconnect: string; flagged: boolean } | { error: TokenEndpointError };

/**
 * Refreshes (or, for client credentials, fetches) the access token under the integration's
 * advisory lock. `seen`: the envelope the caller found; if another process stored a newer
 * one while this one waited for the lock, that one is used and no call is made.
 */
async function refreshLocked(ctx: ProviderContext, def: ProviderDefinition, seen: string | null, force: boolean): Promise<string> {
  const spec = oauthSpec(def)!;
  const integrationId = ctx.integration.id;
  const outcome: Outcome = await db.$transaction(
    async (tx) => {
      await lockInTransaction(tx, `oauth:${integrationId}`);
      const row = await tx.oAuthToken.findUnique({ where: { integrationId } });
      if (row?.status === "needs_reconnect") return { reconnect: row.lastError ?? `${def.name} must be connected again`, flagged: false };
      if (row && row.accessToken !== seen && stillValid(row)) return { token: accessOf(row) };
      if (row && !force && !dueSoon(row)) return { token: accessOf(row) };
      try {
        let t: TokenResponse;
        if (spec.grant === "client_credentials") {
          const cc = spec.clientCredentials?.(ctx) ?? {};
          // a grant named in the query (Zoom's account_credentials) is not repeated in the body
          const grantType: Record<string, string> = cc.query?.grant_type ? {} : { grant_type: "client_credentials" };
          t = await tokenCall(ctx, def, "oauth.client_credentials", { ...grantType, ...(cc.form ?? {}) }, { query: cc.query });
        } else {
          if (!row) return { reconnect: `${def.name} is not connected`, flagged: false };
          if (!row.refreshToken) return { reconnect: `${def.name} gave no refresh token`, flagged: false };
          const refresh = decrypt(row.refreshToken, aadFor.oauthRefreshToken(row.id));
          t = await tokenCall(ctx, def, "oauth.refresh", { grant_type: "refresh_token", refresh_token: refresh }, { secrets: [refresh] });
        }
        const saved = await saveTokens(tx, integrationId, row, t);
        accessCache.set(saved.accessToken, t.access_token);
        return { token: t.access_token };
      } catch (e) {
        if (!(e instanceof TokenEndpointError)) throw e;
        if (e.kind === "invalid_grant" && spec.grant === "authorization_code") {
          // flagged before the lock is released: a caller waiting for it makes no second call
          await tx.oAuthToken.update({ where: { integrationId }, data: { status: "needs_reconnect", lastError: reconnectMessage(def, e.message) } });
          return { reconnect: e.message, flagged: true };
        }
        // a passing failure while the current token still works: keep using it
        if (e.kind === "transient" && row && !force && stillValid(row)) {
          logger.warn({ integrationId, err: e.message }, "oauth refresh failed; the current token is still valid");
          return { token: accessOf(row) };
        }
        await tx.oAuthToken.updateMany({ where: { integrationId }, data: { lastError: e.message } });
        return { error: e };
      }
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  if ("token" in outcome) return outcome.token;
  if ("reconnect" in outcome) {
    if (outcome.flagged) await markNeedsReconnect(def, integrationId, outcome.reconnect, true);
    throw new OAuthReconnectError(outcome.flagged ? reconnectMessage(def, outcome.reconnect) : outcome.reconnect);
  }
  throw outcome.error;
}

/** ctx.accessToken(): a valid access token for the integration, refreshed first when due. */
export async function getAccessToken(ctx: ProviderContext, def: ProviderDefinition, opts: { force?: boolean; rejected?: string } = {}): Promise<string> {
  const spec = oauthSpec(def);
  if (!spec) throw new Error(`${def.name} does not use OAuth`);
  const row = await db.oAuthToken.findUnique({ where: { integrationId: ctx.integration.id } });
  if (row?.status === "needs_reconnect") throw new OAuthReconnectError(row.lastError ?? `${def.name} must be connected again`);
  if (!row && spec.grant === "authorization_code") throw new OAuthReconnectError(`${def.name} is not connected yet: an admin must click Connect on the integration's page`);
  // the API refused `rejected`, but someone has stored a newer token since: use that one
  if (row && opts.force && opts.rejected && accessOf(row) !== opts.rejected && stillValid(row)) return accessOf(row);
  if (row && !opts.force && !dueSoon(row)) return accessOf(row);
  return refreshLocked(ctx, def, row?.accessToken ?? null, !!opts.force);
}

/**
 * The maintenance tick's refresh: tokens that expire soon, and refresh tokens not exercised
 * for OAUTH_REFRESH_EVERY_HOURS (a daily refresh keeps grants alive that providers expire
 * when unused, and finds revoked ones before a person needs them).
 */
export async function refreshDueTokens(build: (integrationId: string) => Promise<{ ctx: ProviderContext; def: ProviderDefinition } | null>): Promise<{ refreshed: number; failed: number }> {
  const soon = new Date(Date.now() + env().OAUTH_REFRESH_BEFORE_SECONDS * 1000 * 2);
  const stale = new Date(Date.now() - env().OAUTH_REFRESH_EVERY_HOURS * 3600_000);
  const due = await db.oAuthToken.findMany({
    where: {
      status: "connected",
      refreshToken: { not: null },
      integration: { status: { not: "inactive" } },
      OR: [{ expiresAt: { lte: soon } }, { refreshedAt: { lte: stale } }, { refreshedAt: null }],
    },
    select: { integrationId: true, accessToken: true, expiresAt: true },
    take: 100,
  });
  let refreshed = 0;
  let failed = 0;
  for (const t of due) {
    try {
      const b = await build(t.integrationId);
      if (!b) continue;
      await refreshLocked(b.ctx, b.def, t.accessToken, true);
      refreshed++;
    } catch (e) {
      failed++;
      logger.warn({ integrationId: t.integrationId, err: (e as Error).message }, "scheduled oauth refresh failed");
    }
  }
  return { refreshed, failed };
}
