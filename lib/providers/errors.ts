// One shape for every failed provider call, and one function that classifies a failure.
//
// Every client's error class (SendError for the outbox, PaymentProviderError for payments,
// ZoomError, RingCentralError, GoogleCalendarError, ODataError …) extends ProviderError, so an
// area, a log line or a test can ask any of them the same questions: what kind of failure, may a
// retry help, which HTTP status and provider code, how long to wait. `classifyFailure()` is the
// one place that turns a transport failure (lib/http's HttpError, a fetch/undici error, an
// AbortError or timeout, an SDK error carrying a status) or a non-2xx HttpResponse into those
// answers; a client keeps only what is its provider's own: reading the provider's error body and
// the sentence it says to a person.
//
// Core only: this file imports lib/http and lib/redact, nothing of an area.
import { HttpError, parseRetryAfter, type HttpResponse } from "@/lib/http";
import { scrub } from "@/lib/redact";

export type ProviderFailure =
  /** no answer: refused connection, DNS, reset, a refused address (lib/net-guard.ts) */
  | "network"
  /** no answer in time (our timeout, 408, ETIMEDOUT) */
  | "timeout"
  /** the caller cancelled the call (AbortSignal) */
  | "cancelled"
  /** the credentials or their permissions were refused (401, 403) */
  | "auth"
  /** the object the call is about does not exist (404, 410) */
  | "not_found"
  /** 429 */
  | "rate_limited"
  /** any other 4xx: the request itself was refused */
  | "invalid_request"
  /** the provider's own fault (5xx) */
  | "provider"
  /** an answer came that we cannot read (not JSON, a field missing) */
  | "invalid_response"
  /** anything else */
  | "unknown";

export type ProviderErrorInit = {
  /** derived from `status` when not given */
  failure?: ProviderFailure;
  /** a retry later may work: the same idempotency key makes it safe */
  retryable: boolean;
  /** the HTTP status, when the provider answered */
  status?: number | null;
  /** the provider's own code ("card_declined", "INSTRUMENT_DECLINED", 3001 …) or ours ("timeout") */
  providerCode?: string | number;
  retryAfterSeconds?: number;
  /** the provider id, when known */
  provider?: string;
};

/** The kind of failure an HTTP status means. */
export function failureOfStatus(status: number): ProviderFailure {
  if (status === 401 || status === 403) return "auth";
  if (status === 404 || status === 410) return "not_found";
  if (status === 408) return "timeout";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "provider";
  if (status >= 400) return "invalid_request";
  return "unknown";
}

/** Whether a retry may help after this HTTP status: 408, 429 and 5xx. */
export const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

const OUR_CODES: Record<string, ProviderFailure> = { timeout: "timeout", aborted: "cancelled", network: "network", invalid_response: "invalid_response" };

function failureOfInit(init: ProviderErrorInit): ProviderFailure {
  if (init.failure) return init.failure;
  if (typeof init.status === "number" && init.status >= 400) return failureOfStatus(init.status);
  return OUR_CODES[String(init.providerCode ?? "")] ?? "unknown";
}

/** A provider call that did not work. Subclasses add what their area needs (SendError.kind …). */
export class ProviderError extends Error {
  readonly failure: ProviderFailure;
  status?: number | null;
  providerCode?: string;
  retryAfterSeconds?: number;
  provider?: string;
  readonly #retryable: boolean;

  constructor(message: string, init: ProviderErrorInit) {
    super(message);
    this.name = "ProviderError";
    this.#retryable = init.retryable;
    this.status = init.status ?? null;
    this.failure = failureOfInit(init);
    if (init.providerCode !== undefined) this.providerCode = String(init.providerCode);
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
    if (init.provider !== undefined) this.provider = init.provider;
  }

  /** a retry later may work (a subclass may decide it from its own fields) */
  get retryable(): boolean {
    return this.#retryable;
  }
}

/** What `classifyFailure` says about one failure. */
export type Classified = {
  failure: ProviderFailure;
  retryable: boolean;
  /** the HTTP status when an answer came, else null */
  status: number | null;
  retryAfterMs?: number;
  /** Retry-After rounded up to whole seconds */
  retryAfterSeconds?: number;
  /** the transport's or SDK's own words, secrets scrubbed ("connect ECONNREFUSED 127.0.0.1:9") */
  detail: string;
  /** a sentence for a person, secrets scrubbed: "Zoom did not answer in time" */
  message: string;
  /** lib/http refused the destination's address (lib/net-guard.ts) */
  refused?: boolean;
};

export type ClassifyOptions = {
  /**
   * the provider's name as people know it: "PayPal", "Google Calendar"; or what is called, in
   * the middle of a sentence: "the endpoint" (a sentence that starts with it says "The endpoint")
   */
  name: string;
  /** values scrubbed from `detail` and `message` (tokens, keys, passwords) */
  secrets?: readonly string[];
  /** for an answer: the provider's own code, said beside the status ("(HTTP 503, backendError)") */
  providerCode?: string;
  /** for an answer: which call, said after the status ("on events.list", "during read Catalog_X") */
  during?: string;
};

const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ECONNABORTED"]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "ECONNECTION",
  "ESOCKET",
  "EDNS",
  "ETLS",
  "EPROXY",
]);

type Errorish = {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  status?: unknown;
  statusCode?: unknown;
  cause?: unknown;
  headers?: unknown;
  response?: { status?: unknown; headers?: unknown };
};

/** lib/http's HttpResponse, or a fetch Response an SDK handed back */
function isAnswer(x: unknown): x is Pick<HttpResponse, "status" | "ok" | "headers"> {
  const r = x as HttpResponse;
  return !!r && typeof r === "object" && !(r instanceof Error) && typeof r.status === "number" && typeof r.ok === "boolean" && !!r.headers;
}

function header(h: unknown, name: string): string | null {
  if (!h || typeof h !== "object") return null;
  if (typeof (h as Headers).get === "function") return (h as Headers).get(name);
  const rec = h as Record<string, unknown>;
  const v = rec[name] ?? rec[name.toLowerCase()] ?? rec[name.replace(/(^|-)\w/g, (m) => m.toUpperCase())];
  return v === undefined || v === null || v === false ? null : String(Array.isArray(v) ? v[0] : v);
}

/** lib/http's HttpError, also when an SDK wrapped it as the `cause` of its own error (gaxios' GaxiosError). */
function wrappedHttpError(e: unknown, depth = 0): HttpError | undefined {
  if (e instanceof HttpError) return e;
  const cause = (e as Errorish | null)?.cause;
  return depth < 3 && cause && typeof cause === "object" ? wrappedHttpError(cause, depth + 1) : undefined;
}

/** The HTTP status an SDK error carries: `statusCode` (Stripe), `status` (Twilio, gaxios), `response.status`, SendGrid's numeric `code`. */
function sdkStatus(e: Errorish): number | undefined {
  for (const v of [e.statusCode, e.status, e.response?.status, e.response && typeof e.code === "number" ? e.code : undefined]) {
    if (typeof v === "number" && v >= 100 && v <= 599) return v;
  }
  return undefined;
}

/** Node's or undici's error code, looking through `cause` (fetch's "fetch failed"). */
function errnoCode(e: Errorish, depth = 0): string | undefined {
  if (typeof e.code === "string") return e.code;
  if (depth < 3 && e.cause && typeof e.cause === "object") return errnoCode(e.cause as Errorish, depth + 1);
  return undefined;
}

function words(e: unknown): string {
  const x = e as Errorish;
  const msg = typeof x?.message === "string" && x.message ? x.message : String(e);
  // fetch's "fetch failed" says nothing: its cause does
  if (msg === "fetch failed" && x.cause && typeof (x.cause as Errorish).message === "string") return `${msg}: ${(x.cause as Errorish).message}`;
  return msg;
}

/** The name at the start of a sentence: "the endpoint" → "The endpoint" ("SMS.ru" stays). */
const atStart = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

function fromStatus(status: number, headers: unknown, opts: ClassifyOptions, detail: string): Classified {
  const name = atStart(opts.name);
  const failure = failureOfStatus(status);
  const ms = parseRetryAfter(header(headers, "retry-after"));
  const secs = ms !== undefined ? Math.ceil(ms / 1000) : undefined;
  const code = opts.providerCode ? `, ${opts.providerCode}` : "";
  const head =
    failure === "auth"
      ? status === 401
        ? `${name} rejected the credentials (401${code})`
        : `${name} does not allow this (403${code})`
      : failure === "rate_limited"
        ? `${name} is rate limiting this account (429${code})`
        : failure === "provider"
          ? `${name} had a server error (HTTP ${status}${code})`
          : failure === "not_found"
            ? `${name} does not know this object (${status}${code})`
            : failure === "timeout"
              ? `${name} did not answer in time (${status}${code})`
              : `${name} refused the request (HTTP ${status}${code})`;
  const message = `${head}${opts.during ? ` ${opts.during}` : ""}${secs !== undefined && failure === "rate_limited" ? `: retry in ${secs} s` : ""}`;
  return {
    failure,
    retryable: retryableStatus(status),
    status,
    ...(ms !== undefined ? { retryAfterMs: ms, retryAfterSeconds: secs } : {}),
    detail,
    message: detail ? `${message}: ${detail}` : message,
  };
}

/**
 * The one classification of a failed provider call: a thrown transport failure (HttpError,
 * fetch/undici, AbortError/TimeoutError, Node's ECONNREFUSED/ETIMEDOUT …, an SDK error with an
 * HTTP status) or a non-2xx answer (HttpResponse or fetch Response). A ProviderError is read back as it is.
 */
export function classifyFailure(e: unknown, opts: ClassifyOptions): Classified {
  const { name } = opts;
  const Name = atStart(name);
  const safe = (s: string) => scrub(s, opts.secrets ?? []);

  if (e instanceof ProviderError) {
    return {
      failure: e.failure,
      retryable: e.retryable,
      status: e.status ?? null,
      ...(e.retryAfterSeconds !== undefined ? { retryAfterMs: e.retryAfterSeconds * 1000, retryAfterSeconds: e.retryAfterSeconds } : {}),
      detail: safe(e.message),
      message: safe(e.message),
    };
  }

  if (isAnswer(e)) {
    // the body is the provider's own format: its client reads it; only its first words go in `detail`
    return fromStatus(e.status, e.headers, opts, "");
  }

  const http = wrappedHttpError(e);
  if (http) {
    const detail = safe(http.message);
    if (http.kind === "timeout") return { failure: "timeout", retryable: true, status: null, detail, message: `${Name} did not answer in time` };
    if (http.kind === "aborted") return { failure: "cancelled", retryable: true, status: null, detail, message: `The call to ${name} was cancelled` };
    return { failure: "network", retryable: true, status: null, detail, message: `Could not reach ${name}: ${detail}`, ...(http.refused ? { refused: true } : {}) };
  }

  const x = (e ?? {}) as Errorish;
  const detail = safe(words(e));
  const errName = typeof x.name === "string" ? x.name : "";
  if (errName === "TimeoutError") return { failure: "timeout", retryable: true, status: null, detail, message: `${Name} did not answer in time` };
  if (errName === "AbortError" || x.code === "ABORT_ERR") return { failure: "cancelled", retryable: true, status: null, detail, message: `The call to ${name} was cancelled` };

  const status = sdkStatus(x);
  if (status !== undefined) return fromStatus(status, x.headers ?? x.response?.headers, opts, detail);

  const code = errnoCode(x);
  if (code && TIMEOUT_CODES.has(code)) return { failure: "timeout", retryable: true, status: null, detail, message: `${Name} did not answer in time` };
  if ((code && NETWORK_CODES.has(code)) || detail.startsWith("fetch failed")) {
    return { failure: "network", retryable: true, status: null, detail, message: `Could not reach ${name}: ${detail}` };
  }
  return { failure: "unknown", retryable: true, status: null, detail, message: `The call to ${name} failed: ${detail}` };
}

/** The init of a ProviderError subclass from a classification (code: ours for failures without a status). */
export function initOf(c: Classified, extra: Partial<ProviderErrorInit> = {}): ProviderErrorInit {
  return {
    failure: c.failure,
    retryable: c.retryable,
    status: c.status,
    ...(c.retryAfterSeconds !== undefined ? { retryAfterSeconds: c.retryAfterSeconds } : {}),
    ...extra,
  };
}

/** Our code for a failure that has no provider code: "timeout", "aborted", "network", "unknown". */
export function transportCode(c: Pick<Classified, "failure">): string {
  return c.failure === "cancelled" ? "aborted" : c.failure;
}

// ───────────── the areas' error classes (they were in lib/providers/types.ts) ─────────────

/**
 * A send that did not work. `permanent`: the recipient's or the message's fault (invalid
 * number, unsubscribed, unregistered token): fails at once. `transient`: the provider's side
 * (timeout, 5xx, 429, bad credentials): retried with backoff, then the next integration.
 */
export class SendError extends ProviderError {
  constructor(
    message: string,
    public kind: "permanent" | "transient",
    public opts: {
      code?: string;
      retryAfterSeconds?: number;
      /** the device token is gone for good (FCM UNREGISTERED): delete it */
      recipientGone?: boolean;
      /** the classification, when the send failed in transport or with an HTTP status */
      failure?: ProviderFailure;
      status?: number | null;
    } = {},
  ) {
    super(message, {
      retryable: kind === "transient",
      failure: opts.failure ?? (kind === "permanent" && typeof opts.status !== "number" ? "invalid_request" : undefined),
      status: opts.status,
      providerCode: opts.code,
      retryAfterSeconds: opts.retryAfterSeconds,
    });
    this.name = "SendError";
  }
}

/**
 * Any failure of a send as the outbox needs it: `kind` is the send's verdict (transient unless
 * the client knows the message or the recipient is at fault), the rest is the failure's
 * classification as classifyFailure gives it (kind of failure, HTTP status, Retry-After), so a
 * send failure says and carries what any other call of that provider does. `code`: the
 * provider's code when the client has one, else ours ("timeout", "network" …); `message`: the
 * client's own sentence, when it has a better one than the classification's.
 */
export function sendErrorOf(e: unknown, how: ClassifyOptions & { kind?: SendError["kind"]; code?: string; message?: string }): SendError {
  if (e instanceof SendError) return e;
  const c = classifyFailure(e, how);
  return new SendError(how.message ?? c.message, how.kind ?? "transient", {
    code: how.code ?? transportCode(c),
    failure: c.failure,
    status: c.status,
    ...(c.retryAfterSeconds !== undefined ? { retryAfterSeconds: c.retryAfterSeconds } : {}),
  });
}

/**
 * A provider call that did not work. `retryable`: 5xx, 429, timeouts (the same idempotency key
 * makes a retry safe); otherwise the request itself was refused (declined card, invalid amount,
 * bad credentials) and the message says why.
 */
export class PaymentProviderError extends ProviderError {
  constructor(
    message: string,
    retryable: boolean,
    public opts: { code?: string; status?: number; retryAfterSeconds?: number; failure?: ProviderFailure } = {},
  ) {
    super(message, {
      retryable,
      failure: opts.failure,
      status: opts.status,
      providerCode: opts.code,
      retryAfterSeconds: opts.retryAfterSeconds,
    });
    this.name = "PaymentProviderError";
  }
}

/** A payment call's failure that the client has no words of its own for (no answer, refused, cancelled …), as classifyFailure says it. */
export function paymentErrorOf(e: unknown, how: ClassifyOptions): PaymentProviderError {
  if (e instanceof PaymentProviderError) return e;
  const c = classifyFailure(e, how);
  return new PaymentProviderError(c.message, c.retryable, {
    code: transportCode(c),
    failure: c.failure,
    ...(c.status !== null ? { status: c.status } : {}),
    ...(c.retryAfterSeconds !== undefined ? { retryAfterSeconds: c.retryAfterSeconds } : {}),
  });
}
