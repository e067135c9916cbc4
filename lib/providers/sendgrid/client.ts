// SendGrid v3 through the official SDK (@sendgrid/mail + @sendgrid/client), one MailService and
// one Client per call (the SDK's default export is a process-wide singleton: two integrations
// with different keys must never share it). The SDK builds every request and parses every
// answer; its axios transport is replaced by an adapter that sends through ctx.call, so each
// attempt is logged in integration_logs with the key scrubbed, and our timeouts apply.
import { MailService } from "@sendgrid/mail";
import { Client } from "@sendgrid/client";
import { HttpError, parseRetryAfter } from "@/lib/http";
import { scrub } from "@/lib/redact";
import { classifyFailure, sendErrorOf } from "@/lib/providers/errors";
import { SendError, type ProviderContext } from "@/lib/providers/types";

export type SendgridCredentials = { apiKey: string; webhookPublicKey?: string };
export type SendgridConfig = {
  fromEmail: string;
  fromName?: string;
  replyTo?: string;
  categories?: string[];
  ratePerSecond?: number;
};
export type SendgridContext = ProviderContext<SendgridCredentials, SendgridConfig>;

/** What axios hands an adapter (only the fields we read). */
type AxiosConfig = {
  url?: string;
  baseURL?: string;
  method?: string;
  headers?: unknown;
  data?: unknown;
  params?: Record<string, unknown>;
  validateStatus?: ((status: number) => boolean) | null;
};

/** An answer the SDK turned into its ResponseError: `code` is the HTTP status. */
export type SendgridResponseError = Error & {
  code: number;
  response: { headers: Record<string, string> & { get?(name: string): unknown }; body: unknown };
};

export type SendgridApiError = { message?: string; field?: string | null; help?: string | null };

const STATUS_TEXT: Record<number, string> = {
  200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
  403: "Forbidden", 404: "Not Found", 413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
  502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
};

function joinUrl(base: string | undefined, path: string | undefined, params?: Record<string, unknown>) {
  const url = !base || /^https?:\/\//i.test(path ?? "") ? path ?? "" : `${base.replace(/\/+$/, "")}/${(path ?? "").replace(/^\/+/, "")}`;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null) qs.append(k, String(v));
  const q = qs.toString();
  return q ? `${url}${url.includes("?") ? "&" : "?"}${q}` : url;
}

function plainHeaders(h: unknown): Record<string, string> {
  const src = h && typeof (h as { toJSON?: unknown }).toJSON === "function" ? (h as { toJSON(): unknown }).toJSON() : h;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((src ?? {}) as Record<string, unknown>)) {
    if (v !== undefined && v !== null && v !== false) out[k.toLowerCase()] = String(v);
  }
  return out;
}

/** The SDK, wired to this integration: its key, its endpoint, our logged HTTP path. */
export function sendgridFor(ctx: SendgridContext, action: string) {
  const sent = { requests: 0 };
  const adapter = async (config: AxiosConfig) => {
    sent.requests++;
    const method = (config.method ?? "get").toUpperCase();
    const body = config.data === undefined || config.data === null ? undefined : typeof config.data === "string" ? config.data : JSON.stringify(config.data);
    // ctx.call retries GETs (idempotent) on 5xx/timeouts; a mail send is one attempt: the outbox decides
    const res = await ctx.call(action, { method, url: joinUrl(config.baseURL, config.url, config.params), headers: plainHeaders(config.headers), body });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    const response = { data: res.text, status: res.status, statusText: STATUS_TEXT[res.status] ?? "", headers, config, request: {} };
    const valid = config.validateStatus ? config.validateStatus(res.status) : res.status >= 200 && res.status < 300;
    if (valid) return response;
    // what axios's own adapters reject with: the SDK turns it into a ResponseError
    throw Object.assign(new Error(`Request failed with status code ${res.status}`), { response, config, isAxiosError: true });
  };
  const client = new Client();
  client.setApiKey(ctx.credentials.apiKey); // first: it resets baseUrl
  client.setDefaultRequest("baseUrl", ctx.baseUrl);
  client.setDefaultRequest({ adapter } as never);
  const mail = new MailService();
  mail.setClient(client);
  return { client, mail, sent };
}

export function isResponseError(e: unknown): e is SendgridResponseError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === "number" && !!(e as { response?: unknown }).response;
}

export function apiErrors(e: SendgridResponseError): SendgridApiError[] {
  const body = e.response.body as { errors?: unknown } | string | null;
  const list = body && typeof body === "object" && Array.isArray(body.errors) ? body.errors : [];
  return list.filter((x): x is SendgridApiError => !!x && typeof x === "object");
}

function header(e: SendgridResponseError, name: string): string | null {
  const h = e.response.headers;
  const v = typeof h?.get === "function" ? h.get(name) : h?.[name] ?? h?.[name.toLowerCase()];
  return v === undefined || v === null || v === false ? null : String(v);
}

/** Seconds to wait after a 429: Retry-After, else SendGrid's X-RateLimit-Reset (a unix time). */
export function retryAfterSeconds(e: SendgridResponseError): number | undefined {
  const ms = parseRetryAfter(header(e, "retry-after"));
  if (ms !== undefined) return Math.max(1, Math.ceil(ms / 1000));
  const reset = Number(header(e, "x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) return Math.max(1, reset - Math.floor(Date.now() / 1000));
  return undefined;
}

function describe(errors: SendgridApiError[]) {
  return errors
    .map((x) => `${(x.message ?? "").trim()}${x.field ? ` (${x.field})` : ""}`)
    .filter(Boolean)
    .join("; ");
}

// 400s about these fields are the message's or the recipient's fault; the rest (from, the
// account, an unknown field) is our configuration: the next integration may do better
const MESSAGE_FIELDS = /^(personalizations|content|subject|attachments|categories|custom_args|reply_to|reply_to_list|headers|sections|send_at|asm)\b/;

/** Any failure of a SendGrid call, as the outbox needs it. */
export function toSendError(e: unknown, ctx: SendgridContext, requested: boolean): SendError {
  const safe = (s: string) => scrub(s, ctx.secrets);
  if (e instanceof SendError) return e;
  const c = classifyFailure(e, { name: "SendGrid", secrets: ctx.secrets });
  if (e instanceof HttpError) return sendErrorOf(e, { name: "SendGrid", secrets: ctx.secrets });
  if (isResponseError(e)) {
    const status = e.code;
    const base = { failure: c.failure, status };
    const errors = apiErrors(e);
    const detail = safe(describe(errors));
    const suffix = detail ? `: ${detail}` : "";
    if (status === 400) {
      const aboutMessage = errors.length > 0 && errors.every((x) => typeof x.field === "string" && MESSAGE_FIELDS.test(x.field));
      return aboutMessage
        ? new SendError(`SendGrid refused the message (400)${suffix}`, "permanent", { ...base, code: "400" })
        : new SendError(`SendGrid refused the request (400)${suffix}: check the sender and the integration's settings`, "transient", { ...base, code: "400" });
    }
    if (status === 401) return new SendError(`SendGrid rejected the API key (401)${suffix}`, "transient", { ...base, code: "401" });
    if (status === 403) {
      return new SendError(`SendGrid refused the key or the sender (403)${suffix}: the key needs the mail.send permission and the from address a verified sender identity`, "transient", { ...base, code: "403" });
    }
    if (status === 413) return new SendError(`The message is too large for SendGrid (413, 30 MB in all)${suffix}`, "permanent", { ...base, code: "413" });
    if (c.failure === "rate_limited") {
      const after = retryAfterSeconds(e);
      return new SendError(`SendGrid is rate limiting this account (429)${after ? `: retry in ${after} s` : ""}`, "transient", { ...base, code: "429", retryAfterSeconds: after });
    }
    if (c.failure === "provider") return new SendError(`SendGrid had a server error (${status})${suffix}`, "transient", { ...base, code: String(status) });
    return new SendError(`SendGrid answered ${status}${suffix}`, "transient", { ...base, code: String(status) });
  }
  const msg = safe((e as Error)?.message ?? String(e));
  // the SDK refuses to build a request from a malformed message before sending anything
  if (!requested) return new SendError(`The message could not be built for SendGrid: ${msg}`, "permanent", { code: "invalid_message" });
  return sendErrorOf(e, { name: "SendGrid", secrets: ctx.secrets });
}

/** A sentence for a person about why a non-send call failed. */
export function explain(e: unknown, ctx: SendgridContext): string {
  if (isResponseError(e) && e.code === 401) return "SendGrid rejected the API key (401): it was revoked, or mistyped";
  if (isResponseError(e) && e.code === 403) return "SendGrid refused the API key for this call (403): it lacks the permission";
  return toSendError(e, ctx, true).message;
}
