// Firebase Cloud Messaging HTTP v1, called directly (firebase-admin hard-codes Google's
// hosts, so it could not reach the sandbox or a proxy).
//
// Auth is Google's service-account flow done by hand with node:crypto: an RS256 JWT
// {iss: client_email, scope, aud: token URL, iat, exp} signed with the key's private_key is
// exchanged at the token endpoint (grant_type jwt-bearer) for an access token, which is
// cached in memory per integration and key until 60 s before it expires. The assertion,
// the access token and the private key are passed to every call as secrets so lib/http.ts
// scrubs them from integration_logs wherever they appear.
import { createHash, createPrivateKey, sign } from "node:crypto";
import { z } from "zod";
import { HttpError, type HttpResponse } from "@/lib/http";
import { classifyFailure, ProviderError, sendErrorOf, transportCode, type ProviderFailure } from "@/lib/providers/errors";
import { SendError, type OutboundMessage, type ProviderContext } from "@/lib/providers/types";

export const FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
export const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

const WHERE = "Firebase console → Project settings → Service accounts (Generate new private key)";
export const PASTE_HINT = `Paste the whole service-account JSON from ${WHERE}`;

/** The fields of a Google service-account key file we use (the file has a few more). */
export const serviceAccountSchema = z.looseObject({
  type: z.literal("service_account", { error: `This JSON is not a service-account key (its "type" must be "service_account"). ${PASTE_HINT}` }),
  project_id: z
    .string({ error: `project_id is missing. ${PASTE_HINT}` })
    .trim()
    .regex(/^[a-z0-9][a-z0-9.:-]{2,99}$/i, "project_id does not look like a Firebase/Google Cloud project id"),
  private_key_id: z.string().optional(),
  private_key: z
    .string({ error: `private_key is missing. ${PASTE_HINT}` })
    .refine((pem) => /-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem), "private_key is not a PEM private key (-----BEGIN PRIVATE KEY-----)")
    .refine((pem) => {
      try {
        return createPrivateKey(pem).asymmetricKeyType === "rsa";
      } catch {
        return false;
      }
    }, "private_key could not be read as an RSA private key: paste the JSON exactly as downloaded"),
  client_email: z.string({ error: `client_email is missing. ${PASTE_HINT}` }).trim().email("client_email is not an email address"),
  token_uri: z.string().url("token_uri is not a URL").optional(),
});

export type ServiceAccount = z.output<typeof serviceAccountSchema>;

/** Parses the pasted JSON, or returns the problems in sentences for the form. */
export function readServiceAccount(json: string): { ok: true; value: ServiceAccount } | { ok: false; issues: { path: string[]; message: string }[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, issues: [{ path: [], message: `This is not valid JSON. ${PASTE_HINT}` }] };
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, issues: [{ path: [], message: `Expected a JSON object. ${PASTE_HINT}` }] };
  }
  const r = serviceAccountSchema.safeParse(raw);
  if (!r.success) return { ok: false, issues: r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) };
  return { ok: true, value: r.data };
}

export type FcmCredentials = { serviceAccountJson: string };
export type FcmConfig = {
  ratePerSecond?: number;
  androidPriority?: "normal" | "high";
  apnsPriority?: "normal" | "high";
};
export type FcmContext = ProviderContext<FcmCredentials, FcmConfig>;

export function serviceAccountOf(ctx: FcmContext): ServiceAccount {
  const r = readServiceAccount(ctx.credentials.serviceAccountJson);
  // the credentials schema validated it when saved: this only fails if the schema changed
  if (!r.ok) throw new FcmAuthError(r.issues.map((i) => i.message).join("; "), "invalid_credentials");
  return r.value;
}

/** Sandbox: the emulator's own /token; live: the key file's token_uri (Google's by default). */
export function tokenUrl(ctx: FcmContext, sa: ServiceAccount): string {
  if (ctx.integration.mode === "sandbox") return `${ctx.baseUrl.replace(/\/$/, "")}/token`;
  return sa.token_uri ?? GOOGLE_TOKEN_URL;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/** The RS256 service-account assertion Google's token endpoint exchanges for an access token. */
export function signAssertion(sa: ServiceAccount, aud: string, now = Math.floor(Date.now() / 1000)): string {
  const header = { alg: "RS256", typ: "JWT", ...(sa.private_key_id ? { kid: sa.private_key_id } : {}) };
  const claims = { iss: sa.client_email, scope: FCM_SCOPE, aud, iat: now, exp: now + 3600 };
  const unsigned = `${b64url(header)}.${b64url(claims)}`;
  const signature = sign("sha256", Buffer.from(unsigned), createPrivateKey(sa.private_key)).toString("base64url");
  return `${unsigned}.${signature}`;
}

/** Problems getting an access token: always the credentials' side (transient for the outbox). */
export class FcmAuthError extends ProviderError {
  constructor(
    message: string,
    public code: string,
    public status?: number,
    failure?: ProviderFailure,
    retryAfterSeconds?: number,
  ) {
    super(message, { retryable: true, status, providerCode: code, retryAfterSeconds, failure: failure ?? (status === undefined || status === 400 ? "auth" : undefined) });
    this.name = "FcmAuthError";
  }
}

type CachedToken = { token: string; expiresAt: number };
const cache = new Map<string, CachedToken>();
const inflight = new Map<string, Promise<CachedToken>>();

function cacheKey(ctx: FcmContext, sa: ServiceAccount, url: string) {
  const fp = createHash("sha256").update(`${sa.client_email}\n${sa.private_key}\n${url}`).digest("hex").slice(0, 16);
  return `${ctx.integration.id}:${fp}`;
}

/** Values to scrub from logs besides the integration's own secrets. */
function secretsOf(ctx: FcmContext, sa: ServiceAccount, ...extra: string[]) {
  return [...ctx.secrets, sa.private_key, ...(sa.private_key_id ? [sa.private_key_id] : []), ...extra];
}

const TOKEN_ENDPOINT = "Google's token endpoint";
const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive().optional() });

async function fetchToken(ctx: FcmContext, sa: ServiceAccount, url: string): Promise<CachedToken> {
  const assertion = signAssertion(sa, url);
  let res: HttpResponse;
  try {
    res = await ctx.call(
      "fcm.token",
      { method: "POST", url, body: new URLSearchParams({ grant_type: JWT_BEARER, assertion }), idempotent: true },
      { secrets: secretsOf(ctx, sa, assertion) },
    );
  } catch (e) {
    if (e instanceof HttpError) {
      const c = classifyFailure(e, { name: TOKEN_ENDPOINT });
      throw new FcmAuthError(c.message, transportCode(c), undefined, c.failure);
    }
    throw e;
  }
  let body: Record<string, unknown> = {};
  try {
    body = res.json<Record<string, unknown>>() ?? {};
  } catch {
    /* not JSON: handled below */
  }
  if (!res.ok) {
    const error = typeof body.error === "string" ? body.error : `HTTP ${res.status}`;
    const desc = typeof body.error_description === "string" ? body.error_description : "";
    const said = desc ? ` (${error}: ${desc})` : ` (${error})`;
    if (error === "invalid_grant") {
      throw new FcmAuthError(
        `Google refused the service account key${said}: the key was revoked or deleted, or the service account is disabled ` +
          `(or this server's clock is off). Generate a new key in ${WHERE} and paste it here`,
        error,
        res.status,
      );
    }
    if (error === "invalid_client" || error === "unauthorized_client") {
      throw new FcmAuthError(`Google does not accept this service account${said}: check it still exists in the Firebase project`, error, res.status);
    }
    if (error === "invalid_scope") {
      throw new FcmAuthError(`Google refused the Firebase Cloud Messaging scope${said}`, error, res.status);
    }
    // any other refusal in the words every provider uses, with Google's error code when it gave one
    const c = classifyFailure(res, { name: TOKEN_ENDPOINT });
    const code = c.failure === "rate_limited" ? "rate_limited" : c.failure === "provider" ? "server_error" : error;
    throw new FcmAuthError(`${c.message}${typeof body.error === "string" ? said : ""}`, code, res.status, c.failure, c.retryAfterSeconds);
  }
  const t = tokenAnswer.safeParse(body);
  if (!t.success) throw new FcmAuthError(`${TOKEN_ENDPOINT} answered without an access token`, "bad_token_answer", res.status);
  return { token: t.data.access_token, expiresAt: Date.now() + (t.data.expires_in ?? 3600) * 1000 };
}

/** A cached access token, or a new one. `fresh` skips the cache (Test connection). */
export async function getAccessToken(ctx: FcmContext, opts: { fresh?: boolean } = {}): Promise<string> {
  const sa = serviceAccountOf(ctx);
  const url = tokenUrl(ctx, sa);
  const key = cacheKey(ctx, sa, url);
  const hit = cache.get(key);
  if (!opts.fresh && hit && hit.expiresAt - 60_000 > Date.now()) return hit.token;
  let p = inflight.get(key);
  if (!p) {
    p = fetchToken(ctx, sa, url).finally(() => inflight.delete(key));
    inflight.set(key, p);
  }
  const got = await p;
  cache.set(key, got);
  return got.token;
}

/** Forgets the integration's cached token(s): the next call gets a new one. */
export function dropAccessToken(ctx: Pick<FcmContext, "integration">) {
  for (const k of cache.keys()) if (k.startsWith(`${ctx.integration.id}:`)) cache.delete(k);
}

// ───────────── send ─────────────

type GoogleError = {
  error?: { code?: number; message?: string; status?: string; details?: { "@type"?: string; errorCode?: string }[] };
};

/** FCM data values must be strings: numbers and booleans are turned into their text, objects into JSON. */
function stringData(data: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!data || Object.keys(data).length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return out;
}

export function buildMessage(ctx: FcmContext, msg: OutboundMessage) {
  const { androidPriority, apnsPriority } = ctx.config;
  return {
    message: {
      token: msg.to,
      notification: { title: msg.subject ?? undefined, body: msg.text },
      data: stringData(msg.options.data),
      android: androidPriority ? { priority: androidPriority === "high" ? "HIGH" : "NORMAL" } : undefined,
      apns: apnsPriority ? { headers: { "apns-priority": apnsPriority === "high" ? "10" : "5" } } : undefined,
    },
  };
}

/** FCM's error answer as a SendError for the outbox (unknown → transient). */
export function classify(ctx: FcmContext, res: HttpResponse): SendError {
  let body: GoogleError = {};
  try {
    body = res.json<GoogleError>() ?? {};
  } catch {
    /* not JSON */
  }
  const e = body.error ?? {};
  const fcmCode = e.details?.find((d) => d["@type"]?.endsWith("google.firebase.fcm.v1.FcmError"))?.errorCode;
  const code = fcmCode ?? e.status ?? `HTTP_${res.status}`;
  const said = e.message ? `: ${e.message}` : "";
  const c = classifyFailure(res, { name: "FCM" });
  const retryAfterSeconds = c.retryAfterSeconds !== undefined ? Math.max(1, c.retryAfterSeconds) : undefined;
  const base = { failure: c.failure, status: res.status };

  // only FCM's own UNREGISTERED code condemns the token: a bare 404 (a wrong project_id or
  // URL) is the integration's problem and must not get every device token deleted
  if (fcmCode === "UNREGISTERED") {
    return new SendError(
      "FCM no longer knows this device token (the app was uninstalled, or the token expired or was replaced): it should be forgotten",
      "permanent",
      { ...base, code, recipientGone: true },
    );
  }
  if (fcmCode === "SENDER_ID_MISMATCH") {
    return new SendError(
      "The device token belongs to another Firebase project than this service account's (SENDER_ID_MISMATCH)",
      "permanent",
      { ...base, code },
    );
  }
  if (res.status === 400) {
    const gone = /registration token is not a valid/i.test(e.message ?? "");
    return new SendError(
      gone ? "The device token is not a valid FCM registration token" : `FCM rejected the message (${code})${said}`,
      "permanent",
      { ...base, code, ...(gone ? { recipientGone: true } : {}) },
    );
  }
  if (res.status === 401) {
    dropAccessToken(ctx);
    return new SendError(
      `FCM did not accept the access token (401 ${code}): a new one will be requested on the next attempt`,
      "transient",
      { ...base, code, retryAfterSeconds },
    );
  }
  if (res.status === 403) {
    return new SendError(
      `FCM refused the service account (403 ${code})${said}: check the Firebase Cloud Messaging API is enabled and the account may send`,
      "transient",
      { ...base, code },
    );
  }
  if (c.failure === "rate_limited") {
    return new SendError(
      `FCM is rate limiting this project (429 ${code})${retryAfterSeconds ? `: retry in ${retryAfterSeconds} s` : ""}`,
      "transient",
      { ...base, code, retryAfterSeconds },
    );
  }
  if (res.status === 404) {
    return new SendError(
      `FCM answered 404 (${code})${said}: check the project_id of the service account and the integration's endpoint`,
      "transient",
      { ...base, code },
    );
  }
  if (c.failure === "provider") {
    return new SendError(`FCM had a server error (${res.status} ${code}): try again later`, "transient", { ...base, code, retryAfterSeconds });
  }
  return new SendError(`FCM answered ${res.status} (${code})${said}`, "transient", { ...base, code, retryAfterSeconds });
}

const sendAnswer = z.object({ name: z.string().min(1) });

/** Sends one message; answers FCM's message id (the last segment of `name`). */
export async function sendToDevice(ctx: FcmContext, msg: OutboundMessage): Promise<{ messageId: string | null; name: string | null }> {
  if (!msg.to || /\s/.test(msg.to)) throw new SendError("The device token is empty or contains spaces", "permanent", { code: "invalid_token" });
  let token: string;
  let sa: ServiceAccount;
  try {
    sa = serviceAccountOf(ctx);
    token = await getAccessToken(ctx);
  } catch (e) {
    if (e instanceof FcmAuthError) throw sendErrorOf(e, { name: "FCM", code: e.code });
    throw e;
  }
  let res: HttpResponse;
  try {
    res = await ctx.call(
      "fcm.send",
      {
        method: "POST",
        url: `${ctx.baseUrl.replace(/\/$/, "")}/v1/projects/${encodeURIComponent(sa.project_id)}/messages:send`,
        headers: { authorization: `Bearer ${token}` },
        body: buildMessage(ctx, msg),
      },
      { secrets: secretsOf(ctx, sa, token) },
    );
  } catch (e) {
    throw sendErrorOf(e, { name: "FCM" });
  }
  if (!res.ok) throw classify(ctx, res);
  let name: string;
  try {
    name = sendAnswer.parse(res.json()).name;
  } catch {
    // FCM took it (2xx) but the answer is not what we know: not worth sending twice
    return { messageId: null, name: null };
  }
  return { messageId: name.split("/").pop() ?? name, name };
}
