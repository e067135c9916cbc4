// Route-handler helpers: who is calling (session or API key), what they may do, bodies read
// with a size limit and validated with zod, and every failure answered in the project's
// error shape ({ error: { code, message, details? } }) without stack traces or secrets.
import { randomUUID } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { z, ZodError, type ZodType } from "zod";
import { ApiError, OAuthReconnectError, errorBody, errors, zodDetails } from "@/lib/errors";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { can, type Permission } from "@/lib/auth/roles";
import type { Scope } from "@/lib/auth/scopes";
import { userFromSessionToken, sessionTokenFromCookieHeader, type SessionUser } from "@/lib/auth/session";
import { verifyApiKey, hasScope, type ApiKeyPrincipal } from "@/lib/auth/api-keys";
import { consume } from "@/lib/rate-limit";
import { clientIp } from "@/lib/auth/client-ip";
import { refuseCrossSite } from "@/lib/auth/csrf";
import type { Actor, RequestMeta } from "@/lib/audit";
import { VaultError } from "@/lib/vault";
import { countApiKeyRequest } from "@/lib/api-usage";
import { callerOf, withIdempotency, type Answer } from "@/lib/idempotency";

export type Caller =
  | { kind: "user"; user: SessionUser; actor: Actor; meta: RequestMeta }
  | { kind: "api_key"; key: ApiKeyPrincipal; actor: Actor; meta: RequestMeta }
  | { kind: "anonymous"; actor: Actor; meta: RequestMeta };

/**
 * Who may call a route. `permission` is checked against a signed-in user's role; `scope`
 * lets API keys holding it call the route too (routes without a scope are session-only).
 */
export type Access = { public: true } | { permission: Permission; scope?: Scope };

type RouteContext = { params: Promise<Record<string, string | string[]>> };

export type HandlerArgs<Q, B, P> = {
  req: NextRequest;
  query: Q;
  body: B;
  params: P;
  caller: Caller;
  requestId: string;
};

/** What the API documentation (lib/openapi) says about a route beyond its schemas. */
export type RouteDocs = {
  summary?: string;
  description?: string;
  /**
   * The response's schema (zod, from the area's contract.ts): the OpenAPI document shows it, the
   * screens import its type, and in the tests (NODE_ENV=test) every answer is checked against it
   * (checkResponse below), so a contract that drifts from what the route returns fails the suite.
   */
  response?: ZodType;
  /** the success status when not 200 (201, 202, 204) */
  status?: number;
  /** accepts an Idempotency-Key header */
  idempotent?: boolean;
};

type Options<Q extends ZodType | undefined, B extends ZodType | undefined, P extends ZodType | undefined> = {
  access: Access;
  query?: Q;
  body?: B;
  params?: P;
  /** bytes; defaults to API_BODY_LIMIT_BYTES */
  bodyLimit?: number;
  docs?: RouteDocs;
  /**
   * Honour an Idempotency-Key header through lib/idempotency.ts (per caller and route; a retry
   * gets the first answer). `keepError`: an error kept as the answer (the outcome is not known).
   */
  idempotency?: true | { keepError?: (e: ApiError) => boolean };
};

/** A route handler made by route(): its options stay readable for the API documentation. */
export type RouteHandler = ((req: NextRequest, ctx?: RouteContext) => Promise<Response>) & {
  route: { access: Access; query?: ZodType; body?: ZodType; params?: ZodType; docs?: RouteDocs; bodyLimit?: number };
};

type Out<T> = T extends ZodType ? z.output<T> : undefined;

export function json(data: unknown, status = 200, headers?: Record<string, string>) {
  return NextResponse.json(data, { status, headers });
}

export function errorResponse(err: ApiError, requestId?: string) {
  return NextResponse.json(errorBody(err.code, err.message, err.details), {
    status: err.status,
    headers: { ...(err.headers ?? {}), ...(requestId ? { "X-Request-Id": requestId } : {}) },
  });
}

/** Zod issues as { path, message } pairs a form can put next to its fields. */
export { zodDetails };

const FIELD_WORDS: Record<string, string> = { body: "the request", credentials: "the credentials", config: "the settings" };

/** "Check the credentials: secret (Required)": what a failed validation says in one line. */
export function checkMessage(what: string, details: { path: string; message: string }[]) {
  const shown = details.slice(0, 3).map((d) => (d.path ? `${d.path} (${d.message})` : d.message));
  return `Check ${what}: ${shown.join(", ")}${details.length > 3 ? ` and ${details.length - 3} more` : ""}`;
}

/**
 * Validates several values a service was handed (the body, then a provider's credentials and
 * config) and reports every field's problem in one 400, not one part per attempt.
 */
export function parseAllWith<T extends readonly [ZodType, unknown, string][]>(...parts: T): { [K in keyof T]: z.output<T[K][0]> } {
  const details: { path: string; message: string }[] = [];
  const out = parts.map(([schema, value, field]) => {
    const r = schema.safeParse(value);
    if (!r.success) details.push(...zodDetails(r.error).map((d) => ({ ...d, path: d.path ? `${field}.${d.path}` : field })));
    return r.success ? r.data : undefined;
  });
  if (details.length) throw errors.validation(checkMessage("the highlighted fields", details), details);
  return out as { [K in keyof T]: z.output<T[K][0]> };
}

/** Validates a value a service was handed; 400 with the field paths prefixed by `field`. */
export function parseWith<T extends ZodType>(schema: T, value: unknown, field: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const details = zodDetails(r.error).map((d) => ({ ...d, path: d.path ? `${field}.${d.path}` : field }));
    throw errors.validation(checkMessage(FIELD_WORDS[field] ?? `the ${field}`, details), details);
  }
  return r.data;
}

/** Reads the body as text once, refusing more than `limit` bytes (413) before buffering it all. */
export async function readBodyText(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw errors.tooLarge(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw errors.tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function parseJsonBody<T extends ZodType>(req: Request, schema: T, limit: number): Promise<z.output<T>> {
  const ct = req.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(ct)) {
    throw new ApiError(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json)");
  }
  const text = await readBodyText(req, limit);
  let data: unknown;
  try {
    data = text.length ? JSON.parse(text) : undefined;
  } catch (e) {
    throw new ApiError(400, "invalid_json", `The body is not valid JSON: ${(e as Error).message}`);
  }
  refuseNul(data, "", "The request body");
  const r = schema.safeParse(data);
  if (!r.success) throw invalidInput("The request body", zodDetails(r.error));
  return r.data;
}

/**
 * PostgreSQL text cannot hold a NUL character (U+0000) and no field of ours means one: any
 * string in the input holding it, a value or a key, is refused here, once for every route,
 * with a 400 naming the field (rather than a 500 from the database further on).
 */
function refuseNul(value: unknown, path: string, where: string, depth = 0): void {
  const fail = (at: string) => {
    throw errors.validation(`${where} is invalid: ${at ? `"${at}"` : "it"} contains a NUL character`, [
      { path: at, message: "Must not contain a NUL character (\\u0000)" },
    ]);
  };
  if (typeof value === "string") {
    if (value.includes("\u0000")) fail(path);
    return;
  }
  if (!value || typeof value !== "object" || depth > 64) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => refuseNul(v, path ? `${path}.${i}` : String(i), where, depth + 1));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const at = path ? `${path}.${k}` : k;
    if (k.includes("\u0000")) fail(at);
    refuseNul(v, at, where, depth + 1);
  }
}

/** 400 for input that failed its schema; unknown fields are named in the message too. */
function invalidInput(where: string, details: { path: string; message: string }[]) {
  const unknown = details.filter((d) => d.message.startsWith("Unknown field")).map((d) => `"${d.path}"`);
  const message = unknown.length
    ? `${where} has ${unknown.length === 1 ? "an unknown field" : "unknown fields"}: ${unknown.join(", ")}`
    : `${where} is invalid`;
  return errors.validation(message, details);
}

export function parseQuery<T extends ZodType>(url: URL, schema: T): z.output<T> {
  const obj: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    obj[key] = all.length > 1 ? all : all[0];
  }
  refuseNul(obj, "", "The query string");
  const r = schema.safeParse(obj);
  if (!r.success) throw invalidInput("The query string", zodDetails(r.error));
  return r.data;
}

/** A route that declares no query schema takes no query string: each parameter is an unknown field. */
function refuseQuery(url: URL): undefined {
  const keys = [...new Set(url.searchParams.keys())];
  if (keys.length) throw invalidInput("The query string", keys.map((k) => ({ path: k, message: `Unknown field "${k}"` })));
  return undefined;
}

/** The path's parameters (already decoded by the router), checked like any other input. */
export function parseParams<T extends ZodType>(raw: Record<string, string | string[]>, schema: T | undefined): z.output<T> | Record<string, string | string[]> {
  refuseNul(raw, "", "The path");
  if (!schema) return raw;
  const r = schema.safeParse(raw);
  if (!r.success) throw invalidInput("The path", zodDetails(r.error));
  return r.data;
}

function bearer(req: Request): string | undefined {
  const h = req.headers.get("authorization");
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m ? m[1].trim() : "";
}

export async function authenticate(req: Request, access: Access): Promise<Caller> {
  const meta: RequestMeta = { ip: clientIp(req.headers), userAgent: req.headers.get("user-agent") };
  if ("public" in access) return { kind: "anonymous", actor: { type: "system", label: "anonymous" }, meta };

  const presented = bearer(req);
  if (presented !== undefined) {
    if (!presented) throw errors.unauthorized("Malformed Authorization header: expected Bearer <api key>");
    const check = await verifyApiKey(presented, meta.ip ?? undefined);
    if (!check.ok) {
      const why = { malformed: "is malformed", unknown: "is not valid", revoked: "was revoked", expired: "has expired" }[
        check.reason
      ];
      throw errors.unauthorized(`The API key ${why}`);
    }
    const key = check.key;
    // refusals of a recognised key count in its usage (the overview's errors by key)
    const refused = (e: ApiError) => Object.assign(e, { apiKeyId: key.id });
    if (!access.scope) throw refused(errors.forbidden("This endpoint is for signed-in users, not API keys"));
    if (!hasScope(key, access.scope)) throw refused(errors.forbidden(`The API key lacks the "${access.scope}" scope`));
    const limit = await consume("apikey", key.id, key.rateLimitPerMinute, 60);
    if (!limit.allowed) throw refused(errors.rateLimited(limit.retryAfterSeconds));
    return { kind: "api_key", key, actor: { type: "api_key", id: key.id, label: key.name }, meta };
  }

  const user = await userFromSessionToken(sessionTokenFromCookieHeader(req.headers.get("cookie")));
  if (!user) throw errors.unauthorized();
  // the session is a cookie: a change must come from this site's own pages (lib/auth/csrf.ts)
  refuseCrossSite(req);
  if (!can(user.role, access.permission)) throw errors.forbidden();
  return { kind: "user", user, actor: { type: "user", id: user.id, label: user.email }, meta };
}

/**
 * A second requirement a handler checks once it knows what the request touches (the data an
 * export copies): the permission for sessions, the scope for API keys. 403 naming what is
 * missing and what it is needed for.
 */
export function requireAccess(caller: Caller, access: { permission: Permission; scope: Scope }, neededFor: string): void {
  if (callerHas(caller, access)) return;
  throw errors.forbidden(
    caller.kind === "api_key"
      ? `The API key lacks the "${access.scope}" scope needed for ${neededFor}`
      : `Your role lacks the "${access.permission}" permission needed for ${neededFor}`,
  );
}

/** Whether the caller holds that access too (sessions by role, API keys by scope). */
export function callerHas(caller: Caller, access: { permission: Permission; scope: Scope }): boolean {
  if (caller.kind === "api_key") return hasScope(caller.key, access.scope);
  return caller.kind === "user" && can(caller.user.role, access.permission);
}

/** Maps any thrown value to an ApiError; unexpected errors are logged and hidden. */
export function toApiError(e: unknown, requestId: string): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof ZodError) return errors.validation("Invalid input", zodDetails(e));
  const code = (e as { code?: unknown })?.code;
  if (code === "P2002") return errors.conflict("A record with the same unique value already exists", (e as { meta?: unknown }).meta);
  if (code === "P2025") return errors.notFound();
  if (e instanceof OAuthReconnectError) return errors.needsReconnect(e.message);
  // lib/oauth/tokens' TokenEndpointError (by name: importing it here would pull the outbox into every route)
  if ((e as Error)?.name === "TokenEndpointError") return errors.provider((e as Error).message);
  if (e instanceof VaultError) {
    logger.error({ requestId, err: e.message }, "vault error");
    return new ApiError(500, "internal_error", `Stored secrets could not be decrypted: ${e.message}`);
  }
  logger.error({ requestId, err: (e as Error)?.message, stack: (e as Error)?.stack }, "unhandled error in route");
  return new ApiError(500, "internal_error", `Internal error (request ${requestId})`);
}

export function route<
  Q extends ZodType | undefined = undefined,
  B extends ZodType | undefined = undefined,
  P extends ZodType | undefined = undefined,
>(opts: Options<Q, B, P>, handler: (args: HandlerArgs<Out<Q>, Out<B>, Out<P>>) => Promise<Response | unknown>): RouteHandler {
  const fn = async (req: NextRequest, ctx?: RouteContext): Promise<Response> => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 100) || randomUUID();
    let caller: Caller | undefined;
    try {
      caller = await authenticate(req, opts.access);
      const rawParams = (await ctx?.params) ?? {};
      const params = parseParams(rawParams, opts.params);
      const query = opts.query ? parseQuery(new URL(req.url), opts.query) : refuseQuery(new URL(req.url));
      const body = opts.body ? await parseJsonBody(req, opts.body, opts.bodyLimit ?? env().API_BODY_LIMIT_BYTES) : undefined;
      const run = async () => {
        const result = await handler({
          req,
          query: query as Out<Q>,
          body: body as Out<B>,
          params: params as Out<P>,
          caller: caller!,
          requestId,
        });
        const res = result instanceof Response ? result : json(result ?? { ok: true });
        if (opts.docs?.response && env().NODE_ENV === "test") await checkResponse(opts.docs.response, res, req);
        return res;
      };
      const key = opts.idempotency ? req.headers.get("idempotency-key") : null;
      const res = key !== null && caller.kind !== "anonymous" ? await idempotently(opts.idempotency!, caller, req, key, { body, params, query }, run) : await run();
      res.headers.set("X-Request-Id", requestId);
      if (caller.kind === "api_key") countApiKeyRequest(caller.key.id, res.status);
      return res;
    } catch (e) {
      const err = toApiError(e, requestId);
      const keyId = caller?.kind === "api_key" ? caller.key.id : (e as { apiKeyId?: string }).apiKeyId;
      if (keyId) countApiKeyRequest(keyId, err.status);
      return errorResponse(err, requestId);
    }
  };
  return Object.assign(fn, { route: { access: opts.access, query: opts.query, body: opts.body, params: opts.params, docs: opts.docs, bodyLimit: opts.bodyLimit } });
}

/**
 * Tests only: a successful JSON answer, as the client reads it (dates are strings), must match
 * the route's declared response schema, with no field the schema does not name (zod strips
 * unknown keys, so a difference after parsing is an undocumented field). A mismatch is thrown:
 * it is a defect of the contract or of the route, and the route's tests fail on it. A file
 * (Content-Disposition: attachment, e.g. a JSON export answering its own creation) is not the
 * route's JSON answer and is not checked.
 */
async function checkResponse(schema: ZodType, res: Response, req: NextRequest): Promise<void> {
  if (res.status < 200 || res.status >= 300 || !/json/i.test(res.headers.get("content-type") ?? "")) return;
  if (/^\s*attachment/i.test(res.headers.get("content-disposition") ?? "")) return;
  const text = await res.clone().text();
  const seen = (text ? JSON.parse(text) : null) as unknown;
  const r = schema.safeParse(seen);
  const where = `${req.method} ${new URL(req.url).pathname}`;
  if (!r.success) {
    const details = zodDetails(r.error).slice(0, 5).map((d) => `${d.path || "(root)"}: ${d.message}`);
    throw new ApiError(500, "response_contract", `The answer of ${where} does not match its declared response: ${details.join("; ")}`);
  }
  const extra = undocumented(seen, JSON.parse(JSON.stringify(r.data)) as unknown, "");
  if (extra.length) throw new ApiError(500, "response_contract", `The answer of ${where} has fields its declared response does not name: ${extra.slice(0, 5).join(", ")}`);
}

/** Paths present in `seen` but missing from the schema's parsed output (stripped as unknown). */
function undocumented(seen: unknown, parsed: unknown, path: string): string[] {
  if (!seen || typeof seen !== "object" || !parsed || typeof parsed !== "object") return [];
  if (Array.isArray(seen)) return Array.isArray(parsed) ? seen.flatMap((v, i) => undocumented(v, parsed[i], `${path}${i}.`)) : [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(seen)) {
    if (!(k in parsed)) out.push(`${path}${k}`);
    else out.push(...undocumented(v, (parsed as Record<string, unknown>)[k], `${path}${k}.`));
  }
  return out;
}

/** Runs a route's handler through lib/idempotency.ts: the answer is stored, a retry gets it back. */
async function idempotently(
  opt: true | { keepError?: (e: ApiError) => boolean },
  caller: Exclude<Caller, { kind: "anonymous" }>,
  req: NextRequest,
  key: string,
  request: unknown,
  run: () => Promise<Response>,
): Promise<Response> {
  let first: Response | undefined;
  const out = await withIdempotency(
    {
      caller: callerOf(caller.actor),
      operation: `${req.method} ${new URL(req.url).pathname}`,
      key,
      request,
      keepError: opt === true ? undefined : opt.keepError,
    },
    async (): Promise<Answer> => {
      first = await run();
      const text = await first.clone().text();
      return { status: first.status, body: text ? (JSON.parse(text) as unknown) : null };
    },
  );
  if (!out.replayed && first) return first;
  return json(out.body, out.status, { "Idempotent-Replayed": "true" });
}

/** Route params that are ids. */
export const idParams = z.strictObject({ id: z.string().uuid("Not a valid id") });
