// The OAuth connect flow, the same for every provider that declares `auth.type: "oauth2"`
// with the authorization_code grant:
//   GET /api/oauth/<provider>/start?integration_id=…   (an admin clicks Connect)
//     → a single-use `state` (stored as its SHA-256, bound to that admin, 10 minutes) and a
//       PKCE verifier (vault envelope) are saved; the browser goes to the provider's consent page
//   GET /api/oauth/<provider>/callback?code=…&state=…  (the provider sends the admin back)
//     → the state is consumed (deleted in the same statement that reads it), must belong to the
//       same signed-in admin and provider; the code is exchanged with the verifier; the tokens
//       are stored encrypted; the integration becomes active.
// Disconnect revokes the grant at the provider (RFC 7009) before deleting the tokens.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { audit, type Who } from "@/lib/audit";
import { logger } from "@/lib/logger";
import { publicBaseUrl } from "@/lib/urls";
import { encrypt, decrypt, aadFor } from "@/lib/vault";
import { getProvider } from "@/lib/providers/registry";
import type { ProviderDefinition } from "@/lib/providers/types";
import { buildContext, getIntegrationRow, mergeState, testIntegration } from "@/lib/integrations/service";
import { forgetRoutes } from "@/lib/integrations/cache";
import { modeUrl, oauthSpec, saveTokens, tokenCall, tokenStatus } from "@/lib/oauth/tokens";
import { deliver, emit } from "@/lib/events";
import { bindingOf } from "@/lib/providers/bindings";

const STATE_TTL_MS = 10 * 60_000;
const sha256hex = (s: string) => createHash("sha256").update(s).digest("hex");


export function callbackUrl(provider: string) {
  return `${publicBaseUrl()}/api/oauth/${encodeURIComponent(provider)}/callback`;
}

function requireOAuth(def: ProviderDefinition | undefined, provider: string) {
  const spec = def && oauthSpec(def);
  if (!def || !spec) throw errors.notFound(`OAuth provider "${provider}"`);
  return { def, spec };
}

/** Starts a connect: the URL of the provider's consent page to send the admin to. */
export async function startConnect(provider: string, integrationId: string, userId: string, who: Who, returnTo?: string | null): Promise<string> {
  const row = await getIntegrationRow(integrationId);
  if (row.provider !== provider) throw errors.validation(`The integration is not a ${provider} integration`);
  const { def, spec } = requireOAuth(getProvider(provider), provider);
  if (spec.grant !== "authorization_code" || !spec.authorizeUrl) {
    throw errors.unprocessable(`${def.name} connects with its client credentials: use Test connection instead`);
  }
  const ctx = buildContext(row);
  if (!ctx.credentials.clientId) throw errors.unprocessable(`Fill in the ${def.name} client ID and secret first`);
  const state = randomBytes(32).toString("base64url");
  const id = sha256hex(state);
  const verifier = spec.pkce ? randomBytes(48).toString("base64url") : null;
  const redirectUri = callbackUrl(provider);
  await db.oAuthState.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await db.oAuthState.create({
    data: {
      id,
      integrationId,
      userId,
      provider,
      codeVerifier: verifier ? encrypt(verifier, aadFor.oauthCodeVerifier(id)) : null,
      redirectUri,
      // only our own pages: never an open redirect
      returnTo: returnTo && returnTo.startsWith("/") && !returnTo.startsWith("//") ? returnTo.slice(0, 500) : null,
      expiresAt: new Date(Date.now() + STATE_TTL_MS),
    },
  });
  const url = new URL(modeUrl(spec.authorizeUrl, row.mode));
  const params: Record<string, string> = {
    response_type: "code",
    client_id: String(ctx.credentials.clientId),
    redirect_uri: redirectUri,
    state,
    ...(spec.scopes.length ? { scope: spec.scopes.join(" ") } : {}),
    ...(verifier ? { code_challenge: createHash("sha256").update(verifier).digest("base64url"), code_challenge_method: "S256" } : {}),
    ...(spec.authorizeParams ?? {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  await audit(who.actor, "oauth.connect_started", "integration", integrationId, { provider }, who.meta);
  return url.toString();
}

export type CallbackOutcome = { integrationId: string | null; returnTo: string; ok: boolean; message: string };

/** Finishes a connect from the provider's redirect. Never throws for the provider's own errors: the admin gets a message. */
export async function finishConnect(provider: string, query: Record<string, string | undefined>, userId: string, who: Who): Promise<CallbackOutcome> {
  const { def, spec } = requireOAuth(getProvider(provider), provider);
  if (!query.state) throw errors.validation("The provider's answer has no state: start the connection again from the integration's page");
  // consumed by the read: a replayed callback finds nothing
  const st = await db.oAuthState.delete({ where: { id: sha256hex(query.state) } }).catch(() => null);
  if (!st || st.provider !== provider) throw errors.validation("This connection attempt is unknown or was already used: start again from the integration's page");
  const back = st.returnTo ?? `/integrations/${st.integrationId}`;
  if (st.userId !== userId) {
    await audit(who.actor, "oauth.callback_rejected", "integration", st.integrationId, { reason: "another user's state" }, who.meta);
    throw errors.forbidden("This connection was started by another user: start it again yourself");
  }
  if (st.expiresAt.getTime() < Date.now()) return { integrationId: st.integrationId, returnTo: back, ok: false, message: "The connection took longer than 10 minutes: start again" };
  if (query.error) {
    const message = query.error === "access_denied" ? `Access was not granted on ${def.name}'s consent page` : `${def.name} answered ${query.error}${query.error_description ? `: ${query.error_description}` : ""}`;
    await audit(who.actor, "oauth.connect_failed", "integration", st.integrationId, { error: query.error }, who.meta);
    return { integrationId: st.integrationId, returnTo: back, ok: false, message };
  }
  if (!query.code) return { integrationId: st.integrationId, returnTo: back, ok: false, message: `${def.name} sent no authorization code` };

  const row = await getIntegrationRow(st.integrationId);
  const ctx = buildContext(row, { related: { type: "integration", id: row.id } });
  const verifier = st.codeVerifier ? decrypt(st.codeVerifier, aadFor.oauthCodeVerifier(st.id)) : null;
  let t;
  try {
    t = await tokenCall(
      ctx,
      def,
      "oauth.exchange",
      { grant_type: "authorization_code", code: query.code, redirect_uri: st.redirectUri, ...(verifier ? { code_verifier: verifier } : {}) },
      { secrets: [query.code, ...(verifier ? [verifier] : [])] },
    );
  } catch (e) {
    const message = (e as Error).message;
    await audit(who.actor, "oauth.connect_failed", "integration", row.id, { error: message }, who.meta);
    return { integrationId: row.id, returnTo: back, ok: false, message };
  }
  let account: { id?: string | null; name?: string | null } = {};
  try {
    account = (await spec.account?.(ctx, { accessToken: t.access_token, response: t })) ?? {};
  } catch (e) {
    logger.warn({ integration: row.code, err: (e as Error).message }, "oauth account lookup failed");
  }
  const now = new Date();
  const connected = await db.$transaction(async (tx) => {
    await saveTokens(tx, row.id, null, t, { accountId: account.id ?? null, accountName: account.name ?? null, connectedById: userId });
    await tx.integration.update({
      where: { id: row.id },
      data: { status: "active", lastError: null, lastSuccessAt: now, state: mergeState(row.state, { oauth: { connectedAt: now.toISOString(), account: account.name ?? account.id ?? null } }) },
    });
    return emit(tx, { type: "integration.connected", integrationId: row.id, data: { integrationId: row.id, provider: row.provider } });
  });
  forgetRoutes();
  await audit(who.actor, "oauth.connected", "integration", row.id, { provider, account: account.name ?? account.id ?? null, scope: t.scope ?? null }, who.meta);
  let message = `Connected to ${def.name}${account.name || account.id ? ` as ${account.name ?? account.id}` : ""}`;
  // what connecting sets up: the provider's own step, then the areas' (push channels, webhook
  // subscriptions, first syncs), which subscribe to integration.connected. The event was written
  // with the tokens; it is delivered here at once, and by the workers if this process dies first
  // or a subscriber fails (it is retried with backoff)
  let failure: string | null = null;
  try {
    if (spec.afterConnect) await spec.afterConnect(buildContext(await getIntegrationRow(row.id)));
  } catch (e) {
    failure = (e as Error).message;
  }
  const outcome = await deliver(connected);
  failure ??= outcome.failed[0]?.error ?? null;
  if (failure) {
    logger.warn({ integration: row.code, err: failure }, "setting up after connecting failed");
    await db.integration.update({ where: { id: row.id }, data: { lastError: `Connected, but setting up failed: ${failure}`, lastErrorAt: new Date() } });
    message += `, but setting up failed: ${failure}`;
  }
  // a new connection makes the last connection test (usually "Not connected") stale: run it
  // again with the new grant, so the page shows what is true now (testIntegration records
  // failures as results and does not throw for the provider's answers)
  try {
    await testIntegration(row.id, who);
  } catch (e) {
    logger.warn({ integration: row.code, err: (e as Error).message }, "connection test after connecting failed");
    await clearLastTest(row.id);
  }
  return { integrationId: row.id, returnTo: back, ok: true, message };
}

/** Forgets the last connection test's result (the history keeps it). */
async function clearLastTest(integrationId: string) {
  await db.integration.update({ where: { id: integrationId }, data: { lastTestAt: null, lastTestOk: null, lastTestMessage: null } });
}

/** Revokes the grant at the provider (when it has a revocation endpoint) and deletes the tokens. */
export async function disconnect(integrationId: string, who: Who) {
  const row = await getIntegrationRow(integrationId);
  const { def, spec } = requireOAuth(getProvider(row.provider), row.provider);
  const token = await db.oAuthToken.findUnique({ where: { integrationId } });
  let revoked: boolean | null = null;
  let revokeError: string | null = null;
  if (token) {
    const ctx = buildContext(row, { related: { type: "integration", id: row.id } });
    // the provider's own step and the area's (stopping Google's channels, deleting RingCentral's
    // subscription) run while the grant still works
    const before = [spec.beforeDisconnect, bindingOf(def.id).beforeDisconnect].filter((f) => !!f);
    if (token.status === "connected") {
      for (const step of before) {
        try {
          await step(ctx);
        } catch (e) {
          logger.warn({ integration: row.code, err: (e as Error).message }, "oauth beforeDisconnect failed");
        }
      }
    }
    if (spec.revokeUrl) {
      // the refresh token revokes the whole grant; the access token is all some grants have
      const value = token.refreshToken ? decrypt(token.refreshToken, aadFor.oauthRefreshToken(token.id)) : decrypt(token.accessToken, aadFor.oauthAccessToken(token.id));
      const form = new URLSearchParams({ token: value });
      const headers: Record<string, string> = {};
      if (spec.clientAuth === "basic") {
        headers.authorization = `Basic ${Buffer.from(`${ctx.credentials.clientId}:${ctx.credentials.clientSecret}`).toString("base64")}`;
      }
      try {
        const res = await ctx.call("oauth.revoke", { method: "POST", url: modeUrl(spec.revokeUrl, row.mode), headers, body: form }, { retry: false, secrets: [...ctx.secrets, value] });
        // 400 invalid_token: already revoked at the provider (the person did it there): nothing left to revoke
        revoked = res.ok || res.status === 400;
        if (!revoked) revokeError = `HTTP ${res.status}`;
      } catch (e) {
        revoked = false;
        revokeError = (e as Error).message;
      }
    }
  }
  // the state as the hooks left it (they may have recorded what they removed)
  const after = await getIntegrationRow(integrationId);
  await db.$transaction([
    db.oAuthToken.deleteMany({ where: { integrationId } }),
    db.integration.update({
      where: { id: integrationId },
      // the last test was about the grant just removed: it no longer says anything
      data: { status: "inactive", lastError: null, lastTestAt: null, lastTestOk: null, lastTestMessage: null, state: mergeState(after.state, { oauth: null }) },
    }),
  ]);
  forgetRoutes();
  await audit(who.actor, "oauth.disconnected", "integration", integrationId, { provider: row.provider, revoked, revokeError }, who.meta);
  return {
    ...(await tokenStatus(integrationId)),
    revoked,
    message: revoked === false ? `Disconnected here, but ${def.name} did not confirm the revocation (${revokeError}): remove the app's access in your ${def.name} account too` : `Disconnected from ${def.name}`,
  };
}
