// The one way provider calls leave Switchboard. Every attempt gets a timeout, idempotent
// calls are retried on network errors, timeouts, 408/429/5xx (honouring Retry-After), and
// every attempt is written to integration_logs with redacted request and response.
// SDKs that take a fetch implementation get `providerFetch(ctx)`, which logs the same way.
// Every connection is checked where it connects (lib/net-guard.ts: no metadata, loopback or
// private addresses unless allowed): a refused call is logged like a failed one and not retried.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { pgPool } from "@/lib/pg";
import { batcher } from "@/lib/batcher";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { redactBody, redactHeaders, redactUrl, scrub } from "@/lib/redact";
import { searchText } from "@/lib/logs/search";
import { AddressRefusedError, guardedLookup, resolveChecked, type NetworkPolicy } from "@/lib/net-guard";

export type { NetworkPolicy } from "@/lib/net-guard";

export type CallContext = {
  provider: string;
  /** e.g. "telegram.getMe"; shown and filtered on the logs page */
  action: string;
  integrationId?: string | null;
  /** values to scrub wherever they appear (tokens, passwords, keys) */
  secrets?: readonly string[];
  related?: { type: string; id: string };
  timeoutMs?: number;
  /** false: one attempt only; otherwise overrides of the default policy */
  retry?: false | Partial<RetryPolicy>;
  signal?: AbortSignal;
  /** which addresses the call may reach (the provider's `network`); default "public" */
  network?: NetworkPolicy;
  /**
   * Non-2xx answers that are a designed outcome of this call, not a failure: a lookup's 404
   * ("no such contact yet: create it"). Logged with status `expected` (no error), so error
   * rates, "Need attention" and the Logs page's failures count only real failures; never
   * retried. A list of statuses, or a test of the status and body (Zoom's 404 with code 3301
   * means "no recording yet", other 404s do not).
   */
  expect?: readonly number[] | ((status: number, body: string) => boolean);
};

/** Whether `status` (with its body) is an outcome the call declared as expected. */
export function isExpectedStatus(ctx: Pick<CallContext, "expect">, status: number, body = ""): boolean {
  if (status < 300 || !ctx.expect) return false;
  if (typeof ctx.expect === "function") {
    try {
      return ctx.expect(status, body);
    } catch {
      return false;
    }
  }
  return ctx.expect.includes(status);
}

export type RetryPolicy = {
  /** retries after the first attempt */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** a Retry-After longer than this is not waited for: the 429 is returned to the caller */
  maxRetryAfterMs: number;
  retryOn: readonly number[];
};

export type HttpRequest = {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** objects are sent as JSON; URLSearchParams as a form */
  body?: string | URLSearchParams | Record<string, unknown> | unknown[];
  /** POST/PATCH are only retried when the caller says the call is idempotent (e.g. idempotency key) */
  idempotent?: boolean;
};

export type HttpResponse = {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
  durationMs: number;
  attempts: number;
  json<T = unknown>(): T;
};

export class HttpError extends Error {
  constructor(
    public kind: "timeout" | "network" | "aborted",
    message: string,
    public attempts: number,
    /** the destination's address is not allowed (lib/net-guard.ts): never retried */
    public refused = false,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

export function defaultRetryPolicy(): RetryPolicy {
  return {
    retries: env().HTTP_MAX_RETRIES,
    baseDelayMs: 250,
    maxDelayMs: 5_000,
    maxRetryAfterMs: 30_000,
    retryOn: [408, 429, 500, 502, 503, 504],
  };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

function backoff(attempt: number, p: RetryPolicy) {
  const exp = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2)); // "equal jitter"
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(new HttpError("aborted", "The call was cancelled", 0));
    });
  });

function encodeBody(req: HttpRequest): { body?: string; contentType?: string } {
  const b = req.body;
  if (b === undefined) return {};
  if (typeof b === "string") return { body: b };
  if (b instanceof URLSearchParams) return { body: b.toString(), contentType: "application/x-www-form-urlencoded" };
  return { body: JSON.stringify(b), contentType: "application/json" };
}

type Attempt = {
  ctx: CallContext;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  attempt: number;
  started: number;
  status?: number;
  responseHeaders?: Headers;
  responseText?: string;
  error?: string;
};

async function writeLog(a: Attempt) {
  const secrets = a.ctx.secrets ?? [];
  const url = redactUrl(a.url, secrets);
  const expected = !a.error && a.status !== undefined && a.status >= 400 && isExpectedStatus(a.ctx, a.status, a.responseText);
  const error = a.error ? scrub(a.error, secrets) : a.status !== undefined && a.status >= 400 && !expected ? `HTTP ${a.status}` : null;
  const ok = !a.error && a.status !== undefined && a.status < 400;
  const reqCt = a.headers["content-type"] ?? a.headers["Content-Type"];
  const resCt = a.responseHeaders?.get("content-type");
  const responseHeaders: Record<string, string> = {};
  a.responseHeaders?.forEach((v, k) => {
    responseHeaders[k] = v;
  });
  await enqueueLog({
    created_at: new Date(a.started).toISOString(),
    integration_id: a.ctx.integrationId ?? null,
    provider: a.ctx.provider,
    action: a.ctx.action,
    direction: "outbound",
    status: ok ? "success" : expected ? "expected" : "error",
    method: a.method,
    url,
    status_code: a.status ?? null,
    duration_ms: Date.now() - a.started,
    attempt: a.attempt,
    request: { headers: redactHeaders(a.headers, secrets), body: redactBody(a.body, reqCt, secrets) },
    response:
      a.status === undefined ? null : { headers: redactHeaders(responseHeaders, secrets), body: redactBody(a.responseText, resCt, secrets) },
    error,
    related_type: a.ctx.related?.type ?? null,
    related_id: a.ctx.related?.id ?? null,
    search: searchText({ action: a.ctx.action, url, error, relatedId: a.ctx.related?.id }),
  });
}

// Log rows are written in batches: calls made at the same moment (a bulk send, many webhook
// handlers) share one INSERT instead of one statement each. Every caller still waits until its
// row is stored, so a call's log row exists once the call returns.
type LogRow = Record<string, unknown>;
const LOG_COLUMNS = `created_at timestamptz, integration_id uuid, provider text, action text, direction "LogDirection", status "LogStatus",
  method text, url text, status_code int, duration_ms int, attempt int, request jsonb, response jsonb, error text, related_type text,
  related_id text, search text`;
const LOG_INSERT = `insert into integration_logs (created_at, integration_id, provider, action, direction, status, method, url, status_code,
    duration_ms, attempt, request, response, error, related_type, related_id, search)
  select created_at, integration_id, provider, action, direction, status, method, url, status_code, duration_ms, attempt, request, response,
    error, related_type, related_id, search from jsonb_to_recordset($1::jsonb) as x(${LOG_COLUMNS})`;

const enqueueLog = batcher<LogRow>(async (rows) => {
  try {
    await pgPool().query(LOG_INSERT, [JSON.stringify(rows)]);
  } catch {
    // one bad row (e.g. text PostgreSQL cannot store) must not lose the others
    for (const row of rows) {
      try {
        await pgPool().query(LOG_INSERT, [JSON.stringify([row])]);
      } catch (e) {
        logger.error({ err: (e as Error).message, action: row.action }, "could not write integration log");
      }
    }
  }
  return [];
});

/**
 * Logs a provider call that did not go over HTTP (SMTP, a socket protocol) the same way:
 * one integration_logs row, secrets scrubbed.
 */
export async function recordCall(
  ctx: CallContext,
  entry: {
    method: string;
    url: string;
    statusCode?: number;
    durationMs: number;
    request?: { headers?: Record<string, string>; body?: string; contentType?: string };
    response?: { body?: string; contentType?: string };
    error?: string;
  },
) {
  const headers = new Headers();
  if (entry.response?.contentType) headers.set("content-type", entry.response.contentType);
  await writeLog({
    ctx,
    method: entry.method,
    url: entry.url,
    headers: { ...(entry.request?.headers ?? {}), ...(entry.request?.contentType ? { "content-type": entry.request.contentType } : {}) },
    body: entry.request?.body,
    attempt: 1,
    started: Date.now() - entry.durationMs,
    status: entry.statusCode,
    responseHeaders: entry.response ? headers : undefined,
    responseText: entry.response?.body,
    error: entry.error,
  });
}

// One pool of kept-alive connections per network policy: a connection opened (and checked) for
// a provider allowed on private addresses is never reused by one that is not.
const agents = new Map<string, http.Agent>();
function agentFor(protocol: string, policy: NetworkPolicy): http.Agent {
  const key = `${protocol}${policy}`;
  let a = agents.get(key);
  if (!a) {
    a = protocol === "https:" ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    agents.set(key, a);
  }
  return a;
}

/** Closes the kept-alive connections (tests that change ALLOWED_PRIVATE_HOSTS start clean). */
export function closeConnections() {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function decoded(res: http.IncomingMessage): Readable {
  const enc = String(res.headers["content-encoding"] ?? "").trim().toLowerCase();
  const z =
    enc === "gzip" || enc === "x-gzip"
      ? zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH })
      : enc === "deflate"
        ? zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH })
        : enc === "br"
          ? zlib.createBrotliDecompress()
          : null;
  if (!z) return res;
  res.on("error", (e) => z.destroy(e));
  return res.pipe(z);
}

/**
 * One HTTP exchange over node:http(s), connected only to addresses lib/net-guard allows: the
 * name is resolved (and checked) by the connection's own lookup, so the address checked is the
 * address connected to. Redirects are not followed. Answers a fetch Response.
 */
async function send(url: string, init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal; policy: NetworkPolicy }): Promise<Response> {
  const u = new URL(url);
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new TypeError(`Only http(s) URLs can be called, not ${u.protocol}`);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  // an address written in the URL is not looked up: checked here
  if (net.isIP(host)) await resolveChecked({ host, port, policy: init.policy });
  init.signal.throwIfAborted();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(init.headers)) headers[k.toLowerCase()] = v;
  headers["accept-encoding"] ??= "gzip, deflate, br";
  headers["user-agent"] ??= "Switchboard";
  if (init.body !== undefined) headers["content-length"] = String(Buffer.byteLength(init.body));
  return new Promise<Response>((resolve, reject) => {
    const req = (u.protocol === "https:" ? https : http).request({
      protocol: u.protocol,
      hostname: host,
      port,
      path: `${u.pathname}${u.search}`,
      method: init.method,
      headers,
      agent: agentFor(u.protocol, init.policy),
      lookup: guardedLookup(port, init.policy),
      ...(u.username ? { auth: `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` } : {}),
    });
    let response: http.IncomingMessage | undefined;
    const onAbort = () => {
      req.destroy(init.signal.reason as Error);
      response?.destroy(init.signal.reason as Error);
    };
    init.signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e) => {
      init.signal.removeEventListener("abort", onAbort);
      reject(init.signal.aborted ? init.signal.reason : e);
    });
    req.on("response", (res) => {
      response = res;
      const status = res.statusCode ?? 0;
      const responseHeaders = new Headers();
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
        try {
          responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        } catch {
          // a header value fetch would refuse too: left out
        }
      }
      if (status < 200 || status > 599) {
        res.destroy();
        reject(Object.assign(new Error(`invalid HTTP status ${status}`), { code: "EBADSTATUS" }));
        return;
      }
      const empty = NULL_BODY.has(status) || init.method === "HEAD";
      let body: ReadableStream<Uint8Array> | null = null;
      if (empty) res.resume();
      else {
        const stream = decoded(res);
        stream.once("close", () => init.signal.removeEventListener("abort", onAbort));
        body = Readable.toWeb(stream) as ReadableStream<Uint8Array>;
      }
      if (empty) init.signal.removeEventListener("abort", onAbort);
      // a reason phrase fetch would refuse (control or non-Latin-1 characters) is left out
      const statusText = /^[\t\x20-\x7e\x80-\xff]*$/.test(res.statusMessage ?? "") ? (res.statusMessage ?? "") : "";
      resolve(new Response(body, { status, statusText, headers: responseHeaders }));
    });
    req.end(init.body);
  });
}

async function attemptOnce(a: Attempt, timeoutMs: number, outer?: AbortSignal): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await send(a.url, {
      method: a.method,
      headers: a.headers,
      body: a.body,
      // AbortSignal.any only when there is an outer signal: it is not free on a hot path
      signal: outer ? AbortSignal.any([timeout, outer]) : timeout,
      policy: a.ctx.network ?? "public",
    });
    a.status = res.status;
    a.responseHeaders = res.headers;
    return res;
  } catch (e) {
    const err = e as Error;
    if (err instanceof AddressRefusedError) {
      a.error = err.message;
      throw new HttpError("network", `${a.ctx.action}: ${err.message}`, a.attempt, true);
    }
    if (outer?.aborted) {
      a.error = "cancelled";
      throw new HttpError("aborted", "The call was cancelled", a.attempt);
    }
    if (err.name === "TimeoutError" || err.name === "AbortError") {
      a.error = `timed out after ${timeoutMs} ms`;
      throw new HttpError("timeout", `${a.ctx.action}: no answer within ${timeoutMs} ms`, a.attempt);
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause ?? (err as { code?: string; message?: string });
    a.error = `network error: ${cause?.code ?? cause?.message ?? err.message}`;
    throw new HttpError("network", `${a.ctx.action}: ${a.error}`, a.attempt);
  }
}

/** Makes a provider call; answers with whatever HTTP status came back, throws HttpError only when nothing did. */
export async function request(ctx: CallContext, req: HttpRequest): Promise<HttpResponse> {
  const method = (req.method ?? "GET").toUpperCase();
  const { body, contentType } = encodeBody(req);
  const headers: Record<string, string> = { accept: "application/json", ...(req.headers ?? {}) };
  if (contentType && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = contentType;
  const policy: RetryPolicy = { ...defaultRetryPolicy(), ...(ctx.retry === false ? { retries: 0 } : ctx.retry ?? {}) };
  const retryable = req.idempotent ?? IDEMPOTENT.has(method);
  const maxAttempts = retryable ? 1 + policy.retries : 1;
  const timeoutMs = ctx.timeoutMs ?? env().HTTP_TIMEOUT_MS;
  const started = Date.now();

  for (let attempt = 1; ; attempt++) {
    const a: Attempt = { ctx, method, url: req.url, headers, body, attempt, started: Date.now() };
    let res: Response;
    try {
      res = await attemptOnce(a, timeoutMs, ctx.signal);
    } catch (e) {
      await writeLog(a);
      if (e instanceof HttpError && e.kind !== "aborted" && !e.refused && attempt < maxAttempts) {
        await sleep(backoff(attempt, policy), ctx.signal);
        continue;
      }
      throw e;
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      a.error = `response body could not be read: ${(e as Error).message}`;
      await writeLog(a);
      if (attempt < maxAttempts) {
        await sleep(backoff(attempt, policy), ctx.signal);
        continue;
      }
      throw new HttpError("network", `${ctx.action}: ${a.error}`, attempt);
    }
    a.responseText = text;
    await writeLog(a);
    if (attempt < maxAttempts && policy.retryOn.includes(res.status) && !isExpectedStatus(ctx, res.status, text)) {
      const after = parseRetryAfter(res.headers.get("retry-after"));
      if (after === undefined || after <= policy.maxRetryAfterMs) {
        await sleep(after ?? backoff(attempt, policy), ctx.signal);
        continue;
      }
    }
    return {
      status: res.status,
      ok: res.ok,
      headers: res.headers,
      text,
      durationMs: Date.now() - started,
      attempts: attempt,
      json<T>() {
        return JSON.parse(text) as T;
      },
    };
  }
}

/**
 * A fetch for SDKs (Stripe, Twilio, Google …): one logged attempt per call with the
 * timeout; the SDK's own retry logic decides about retries.
 */
export function providerFetch(ctx: CallContext): typeof fetch {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url;
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).forEach((v, k) => {
      headers[k] = v;
    });
    const body = typeof init?.body === "string" ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : undefined;
    const a: Attempt = { ctx, method, url, headers, body, attempt: 1, started: Date.now() };
    let res: Response;
    try {
      res = await attemptOnce(a, ctx.timeoutMs ?? env().HTTP_TIMEOUT_MS, init?.signal ?? ctx.signal);
    } catch (e) {
      await writeLog(a);
      throw e;
    }
    const text = await res.text();
    a.responseText = text;
    await writeLog(a);
    const nullBody = [101, 204, 205, 304].includes(res.status);
    return new Response(nullBody ? null : text, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
