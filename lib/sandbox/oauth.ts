// The OAuth 2.0 authorization server the sandboxes share (Google, RingCentral, Zoom): an app
// registry (what a developer console holds), a consent page a person clicks through, the token
// endpoint (authorization_code with PKCE S256, refresh_token with optional rotation,
// client_credentials and Zoom's account_credentials), RFC 7009 revocation, and bearer checks
// for the provider's API routes. It behaves like the real servers where it matters to us:
// codes are single use and bound to the redirect URI and the PKCE challenge, a revoked grant
// answers invalid_grant, unknown clients and wrong secrets answer invalid_client.
//
// Control routes (tests, the demo): POST /<id>/__oauth/clients, POST /<id>/__oauth/expire-access,
// POST /<id>/__oauth/revoke-grants, GET /<id>/__oauth/stats?client_id=.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, Hono } from "hono";
import type { SandboxKit } from "@/lib/sandbox/kit";
import { escapeHtml, hostedPage, plainCss } from "@/lib/sandbox/html";

type Grant = { id: string; clientId: string; sub: string; scope: string; revoked: boolean };
type Client = { clientId: string; clientSecret: string; redirectUris: string[]; name?: string };
type Pending = { clientId: string; redirectUri: string; state: string | null; scope: string; challenge: string | null; method: string | null; expiresAt: number };
type Code = Omit<Pending, "expiresAt"> & { sub: string; expiresAt: number; used: boolean };
type Stats = { authorizationCode: number; refresh: number; clientCredentials: number; revoke: number; failed: number };

export type OAuthServerOptions = {
  /** the sandbox module id (its routes live under /<provider>) */
  provider: string;
  /** shown on the consent page: "Google", "RingCentral" */
  displayName?: string;
  /** relative to the module, e.g. "/o/oauth2/v2/auth"; omitted for client_credentials-only servers */
  authorizePath?: string;
  tokenPath: string;
  revokePath?: string;
  clientAuth: "basic" | "body" | "either";
  grants: readonly ("authorization_code" | "refresh_token" | "client_credentials" | "account_credentials")[];
  /** seconds; default 3600 */
  accessTtlSeconds?: number;
  /** a refresh hands out a new refresh token and retires the old one (RingCentral) */
  rotateRefreshTokens?: boolean;
  /** seconds; refresh tokens never expire when omitted (Google) */
  refreshTtlSeconds?: number;
  /** "Bearer" (Google) or "bearer" (RingCentral, Zoom) */
  tokenType?: string;
  /** extra fields of the token response (RingCentral owner_id, Zoom api_url) */
  tokenExtras?(info: { clientId: string; sub: string; grant: string }): Record<string, unknown>;
};

export type BearerInfo = { clientId: string; scope: string; sub: string };

export type OAuthServer = {
  /** the bearer's grant, or null when missing, unknown, expired or revoked (answer 401) */
  verify(authorization: string | undefined | null): BearerInfo | null;
  register(client: { clientId: string; clientSecret: string; redirectUris?: string[]; name?: string }): void;
};

const token = (prefix: string) => `${prefix}${randomBytes(24).toString("base64url")}`;
const sha256url = (s: string) => createHash("sha256").update(s).digest("base64url");

function safeEqual(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function oauthError(c: Context, status: 400 | 401, error: string, description: string) {
  return c.json({ error, error_description: description }, status);
}

export function mountOAuthServer(app: Hono, kit: SandboxKit, opts: OAuthServerOptions): OAuthServer {
  const accessTtl = opts.accessTtlSeconds ?? 3600;
  // state through kit.state so /__control/reset clears it like every other sandbox's
  const st = () =>
    kit.state(`${opts.provider}:oauth`, () => ({
      clients: new Map<string, Client>(),
      pending: new Map<string, Pending>(),
      codes: new Map<string, Code>(),
      grants: new Map<string, Grant>(),
      access: new Map<string, { grantId: string; expiresAt: number }>(),
      refresh: new Map<string, { grantId: string; expiresAt: number | null; retired: boolean }>(),
      stats: new Map<string, Stats>(),
    }));
  const stats = (clientId: string) => {
    const s = st().stats;
    if (!s.has(clientId)) s.set(clientId, { authorizationCode: 0, refresh: 0, clientCredentials: 0, revoke: 0, failed: 0 });
    return s.get(clientId)!;
  };

  const register: OAuthServer["register"] = (c) => {
    st().clients.set(c.clientId, { clientId: c.clientId, clientSecret: c.clientSecret, redirectUris: c.redirectUris ?? [], name: c.name });
  };

  function issueAccess(grant: Grant) {
    const access = token("sbx_at_");
    st().access.set(access, { grantId: grant.id, expiresAt: Date.now() + accessTtl * 1000 });
    return access;
  }

  function issueRefresh(grant: Grant) {
    const refresh = token("sbx_rt_");
    st().refresh.set(refresh, { grantId: grant.id, expiresAt: opts.refreshTtlSeconds ? Date.now() + opts.refreshTtlSeconds * 1000 : null, retired: false });
    return refresh;
  }

  function tokenResponse(grant: Grant, grantType: string, withRefresh: string | null) {
    return {
      access_token: issueAccess(grant),
      token_type: opts.tokenType ?? "Bearer",
      expires_in: accessTtl,
      ...(withRefresh ? { refresh_token: withRefresh } : {}),
      ...(withRefresh && opts.refreshTtlSeconds ? { refresh_token_expires_in: opts.refreshTtlSeconds } : {}),
      scope: grant.scope,
      ...(opts.tokenExtras?.({ clientId: grant.clientId, sub: grant.sub, grant: grantType }) ?? {}),
    };
  }

  /** The client the request authenticates as, per the server's client authentication method. */
  function authenticate(c: Context, form: Record<string, string>): Client | Response {
    let id: string | undefined;
    let secret: string | undefined;
    const header = c.req.header("authorization");
    if (header?.toLowerCase().startsWith("basic ") && opts.clientAuth !== "body") {
      const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
      const i = decoded.indexOf(":");
      id = decodeURIComponent(decoded.slice(0, i));
      secret = decodeURIComponent(decoded.slice(i + 1));
    } else if (opts.clientAuth !== "basic") {
      id = form.client_id;
      secret = form.client_secret;
    }
    const client = id ? st().clients.get(id) : undefined;
    if (!client || !secret || !safeEqual(secret, client.clientSecret)) {
      if (client) stats(client.clientId).failed++;
      return oauthError(c, 401, "invalid_client", "The OAuth client was not found or its secret does not match.");
    }
    return client;
  }

  async function formOf(c: Context): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const ct = c.req.header("content-type") ?? "";
    if (ct.includes("application/x-www-form-urlencoded") || ct.includes("multipart/form-data")) {
      const body = await c.req.parseBody();
      for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
    } else if (ct.includes("application/json")) {
      const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
      for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
    }
    // Zoom sends grant_type and account_id in the query string of the POST
    for (const [k, v] of Object.entries(c.req.query())) if (!(k in out)) out[k] = v;
    return out;
  }

  const page = (title: string, body: string) =>
    hostedPage(title, body, plainCss({ radius: "0.4rem", primary: "background:#1a73e8;color:#fff;border-color:#1a73e8" }));
  const name = opts.displayName ?? opts.provider;

  if (opts.authorizePath) {
    app.get(opts.authorizePath, (c) => {
      const q = c.req.query();
      const client = st().clients.get(q.client_id ?? "");
      if (!client) return c.html(page("Error", `<h1>Error 401: invalid_client</h1><p>The OAuth client was not found.</p>`), 401);
      if (q.response_type !== "code") return c.html(page("Error", `<h1>Error 400: unsupported_response_type</h1>`), 400);
      const redirectUri = q.redirect_uri ?? "";
      let okUri: boolean;
      try {
        okUri = /^https?:$/.test(new URL(redirectUri).protocol) && (client.redirectUris.length === 0 || client.redirectUris.includes(redirectUri));
      } catch {
        okUri = false;
      }
      if (!okUri) return c.html(page("Error", `<h1>Error 400: redirect_uri_mismatch</h1><p>${escapeHtml(redirectUri)}</p>`), 400);
      if (q.code_challenge && (q.code_challenge_method ?? "plain") !== "S256") {
        return c.redirect(`${redirectUri}${redirectUri.includes("?") ? "&" : "?"}${new URLSearchParams({ error: "invalid_request", error_description: "Only S256 code challenges are accepted", ...(q.state ? { state: q.state } : {}) })}`);
      }
      const id = token("req_");
      st().pending.set(id, {
        clientId: client.clientId,
        redirectUri,
        state: q.state ?? null,
        scope: q.scope ?? "",
        challenge: q.code_challenge ?? null,
        method: q.code_challenge ? "S256" : null,
        expiresAt: Date.now() + 10 * 60_000,
      });
      const scopes = (q.scope ?? "").split(/[\s+]+/).filter(Boolean);
      return c.html(
        page(
          `Sign in with ${name} (sandbox)`,
          `<h1>${escapeHtml(client.name ?? "Switchboard")} wants to access your ${escapeHtml(name)} account</h1>
<p class="note">Sandbox consent screen: no real account is involved.</p>
<form method="post" action="${escapeHtml(`/${opts.provider}${opts.authorizePath}/decision`)}">
<input type="hidden" name="request_id" value="${escapeHtml(id)}">
<fieldset><legend>Account</legend><label>Email <input name="account" value="sandbox.user@example.com" autocomplete="off"></label></fieldset>
${scopes.length ? `<p>It asks for:</p><ul>${scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join("")}</ul>` : ""}
<button class="primary" name="decision" value="allow">Allow</button><button name="decision" value="deny">Deny</button>
</form>`,
        ),
      );
    });

    app.post(`${opts.authorizePath}/decision`, async (c) => {
      const form = await formOf(c);
      const p = st().pending.get(form.request_id ?? "");
      if (!p || p.expiresAt < Date.now()) return c.html(page("Error", "<h1>This sign-in request has expired</h1><p>Start again from the app.</p>"), 400);
      st().pending.delete(form.request_id);
      const back = new URL(p.redirectUri);
      if (form.decision !== "allow") {
        back.searchParams.set("error", "access_denied");
      } else {
        const code = token("sbx_code_");
        st().codes.set(code, { ...p, sub: form.account || "sandbox.user@example.com", expiresAt: Date.now() + 10 * 60_000, used: false });
        back.searchParams.set("code", code);
      }
      if (p.state) back.searchParams.set("state", p.state);
      return c.redirect(back.toString(), 302);
    });
  }

  app.post(opts.tokenPath, async (c) => {
    const form = await formOf(c);
    const client = authenticate(c, form);
    if (client instanceof Response) return client;
    const s = stats(client.clientId);
    const grantType = form.grant_type ?? "";
    if (!opts.grants.includes(grantType as (typeof opts.grants)[number])) {
      s.failed++;
      return oauthError(c, 400, "unsupported_grant_type", `grant_type ${grantType || "(missing)"} is not supported`);
    }
    if (grantType === "authorization_code") {
      s.authorizationCode++;
      const code = st().codes.get(form.code ?? "");
      const fail = (why: string) => {
        s.failed++;
        return oauthError(c, 400, "invalid_grant", why);
      };
      if (!code || code.clientId !== client.clientId) return fail("Malformed auth code.");
      if (code.used) {
        // a replayed code revokes what it produced (RFC 6749 §4.1.2)
        for (const g of st().grants.values()) if (g.clientId === client.clientId && g.sub === code.sub) g.revoked = true;
        return fail("Code was already redeemed.");
      }
      if (code.expiresAt < Date.now()) return fail("Code expired.");
      if (form.redirect_uri !== code.redirectUri) return fail("redirect_uri does not match the authorization request.");
      if (code.challenge) {
        if (!form.code_verifier || !safeEqual(sha256url(form.code_verifier), code.challenge)) return fail("Invalid code verifier.");
      }
      code.used = true;
      const grant: Grant = { id: token("g_"), clientId: client.clientId, sub: code.sub, scope: code.scope, revoked: false };
      st().grants.set(grant.id, grant);
      const refresh = opts.grants.includes("refresh_token") ? issueRefresh(grant) : null;
      return c.json(tokenResponse(grant, grantType, refresh));
    }
    if (grantType === "refresh_token") {
      s.refresh++;
      const r = st().refresh.get(form.refresh_token ?? "");
      const grant = r ? st().grants.get(r.grantId) : undefined;
      if (!r || !grant || grant.clientId !== client.clientId || grant.revoked || r.retired || (r.expiresAt !== null && r.expiresAt < Date.now())) {
        s.failed++;
        return oauthError(c, 400, "invalid_grant", "Token has been expired or revoked.");
      }
      let next: string | null = null;
      if (opts.rotateRefreshTokens) {
        r.retired = true;
        next = issueRefresh(grant);
      }
      return c.json(tokenResponse(grant, grantType, next));
    }
    // client_credentials / account_credentials: no person, no refresh token
    s.clientCredentials++;
    if (grantType === "account_credentials" && !form.account_id) {
      s.failed++;
      return oauthError(c, 400, "invalid_request", "account_id is required");
    }
    const grant: Grant = { id: token("g_"), clientId: client.clientId, sub: form.account_id ?? client.clientId, scope: form.scope ?? "", revoked: false };
    st().grants.set(grant.id, grant);
    return c.json(tokenResponse(grant, grantType, null));
  });

  if (opts.revokePath) {
    app.post(opts.revokePath, async (c) => {
      const form = await formOf(c);
      if (c.req.header("authorization") || form.client_secret) {
        const client = authenticate(c, form);
        if (client instanceof Response) return client;
      }
      const t = form.token ?? "";
      const grantId = st().refresh.get(t)?.grantId ?? st().access.get(t)?.grantId;
      const grant = grantId ? st().grants.get(grantId) : undefined;
      if (!grant) return oauthError(c, 400, "invalid_token", "Token is not valid");
      grant.revoked = true;
      stats(grant.clientId).revoke++;
      return c.json({});
    });
  }

  // ── control ──
  app.post("/__oauth/clients", async (c) => {
    const b = (await c.req.json().catch(() => null)) as { clientId?: string; clientSecret?: string; redirectUris?: string[]; name?: string } | null;
    if (!b?.clientId || !b.clientSecret) return c.json({ error: "clientId and clientSecret are required" }, 400);
    register({ clientId: b.clientId, clientSecret: b.clientSecret, redirectUris: b.redirectUris, name: b.name });
    return c.json({ ok: true }, 201);
  });
  app.post("/__oauth/expire-access", async (c) => {
    const b = (await c.req.json().catch(() => ({}))) as { clientId?: string };
    for (const a of st().access.values()) {
      const g = st().grants.get(a.grantId);
      if (!b.clientId || g?.clientId === b.clientId) a.expiresAt = Date.now() - 1;
    }
    return c.body(null, 204);
  });
  app.post("/__oauth/revoke-grants", async (c) => {
    const b = (await c.req.json().catch(() => ({}))) as { clientId?: string };
    for (const g of st().grants.values()) if (!b.clientId || g.clientId === b.clientId) g.revoked = true;
    return c.body(null, 204);
  });
  app.get("/__oauth/stats", (c) => {
    const id = c.req.query("client_id") ?? "";
    const s = stats(id);
    return c.json({ ...s, tokenCalls: s.authorizationCode + s.refresh + s.clientCredentials });
  });

  return {
    register,
    verify(authorization) {
      const m = /^bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
      if (!m) return null;
      const a = st().access.get(m[1]);
      if (!a || a.expiresAt < Date.now()) return null;
      const g = st().grants.get(a.grantId);
      if (!g || g.revoked) return null;
      return { clientId: g.clientId, scope: g.scope, sub: g.sub };
    },
  };
}
