// Google Calendar API v3 through the official generated client (@googleapis/calendar, the
// googleapis project's per-API package: the same code as googleapis' calendar v3, without the
// Node 22 requirement). Every call goes out through the integration's logged fetch (lib/http.ts
// → integration_logs, the bearer scrubbed) by gaxios' `fetchImplementation`; the root URL is
// the integration's endpoint (https://www.googleapis.com/ live, <sandbox>/google-calendar/ in
// sandbox mode), given per call: a root URL in the client's global options would drop the
// sandbox's path prefix.
//
// Auth: the bearer of the integration's OAuth token (lib/oauth through ctx.accessToken()); an
// API 401 is retried ONCE after a forced refresh. OAuthReconnectError (invalid_grant, revoked)
// passes through untouched: a person must connect again.
// Retries: gaxios retries idempotent calls (GET, DELETE) on 429, 5xx, Calendar's 403 rate
// limits and network errors, twice, honouring a short Retry-After; a longer one is surfaced.
import { calendar, type calendar_v3, type MethodOptions } from "@googleapis/calendar";
import { parseRetryAfter } from "@/lib/http";
import type { ProviderContext } from "@/lib/providers/types";
import { classifyFailure, ProviderError, type ProviderFailure } from "@/lib/providers/errors";

export type GoogleCalendarCredentials = { clientId: string; clientSecret: string };
export type SyncDirection = "to_google" | "from_google" | "bidirectional";
export type SyncFrequency = "realtime" | "hourly" | "daily";
export type GoogleCalendarConfig = {
  calendarId: string;
  direction: SyncDirection;
  frequency: SyncFrequency;
  sendUpdates: "all" | "externalOnly" | "none";
};
export type GCalContext = ProviderContext<GoogleCalendarCredentials, GoogleCalendarConfig>;
export type GEvent = calendar_v3.Schema$Event;
export type GEventsPage = calendar_v3.Schema$Events;
export type GChannel = calendar_v3.Schema$Channel;

/** Google's largest page of events.list (the benchmark's minimum: ceil(events / 2500) calls). */
export const MAX_PAGE_SIZE = 2500;
const RETRIES = 2;
const MAX_RETRY_AFTER_MS = 10_000;
const RATE_LIMIT_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded"]);
const NAME = "Google Calendar";

/** A Calendar API answer that is not a success, mapped: status, Google's reason, whether a retry can help. */
export class GoogleCalendarError extends ProviderError {
  declare status: number | null;
  constructor(
    message: string,
    status: number | null,
    public reason: string | null,
    retryable: boolean,
    retryAfterSeconds?: number,
    failure?: ProviderFailure,
  ) {
    super(message, { retryable, status, providerCode: reason ?? undefined, retryAfterSeconds, failure });
    this.name = "GoogleCalendarError";
  }
}

type ErrorLike = {
  message?: string;
  status?: number;
  response?: { status?: number; data?: unknown; headers?: Headers | Record<string, string> };
  config?: { method?: string; retryConfig?: { currentRetryAttempt?: number } };
  code?: string | number;
  name?: string;
};

function header(h: Headers | Record<string, string> | undefined, name: string): string | null {
  if (!h) return null;
  if (typeof (h as Headers).get === "function") return (h as Headers).get(name);
  const rec = h as Record<string, string>;
  return rec[name] ?? rec[name.toLowerCase()] ?? null;
}

function googleError(data: unknown): { message?: string; reason?: string } {
  const e = (data as { error?: { message?: string; errors?: { reason?: string; message?: string }[] } } | undefined)?.error;
  if (!e || typeof e !== "object") return {};
  return { message: e.message ?? e.errors?.[0]?.message, reason: e.errors?.[0]?.reason };
}

const statusOf = (e: unknown) => (e as ErrorLike)?.response?.status ?? (e as ErrorLike)?.status;

const retryAfterMs = (e: ErrorLike) => parseRetryAfter(header(e.response?.headers, "retry-after"));

function retryableStatus(e: ErrorLike): boolean {
  const s = e.response?.status;
  if (s === undefined) return true; // no answer: network error or timeout
  if (s === 429 || s >= 500) return true;
  return s === 403 && RATE_LIMIT_REASONS.has(googleError(e.response?.data).reason ?? "");
}

/** gaxios' retry decision for our calls (it replaces gaxios' own when given). */
function shouldRetry(err: unknown): boolean {
  const e = err as ErrorLike;
  if (e.name === "AbortError" || e.code === "AbortError") return false;
  const method = (e.config?.method ?? "GET").toUpperCase();
  if (method !== "GET" && method !== "DELETE") return false;
  if ((e.config?.retryConfig?.currentRetryAttempt ?? 0) >= RETRIES) return false;
  if (!retryableStatus(e)) return false;
  const after = retryAfterMs(e);
  return after === undefined || after <= MAX_RETRY_AFTER_MS;
}

/** Any failure of a Calendar API call as a GoogleCalendarError, in the words every provider uses (lib/providers/errors.ts). */
function toCalendarError(e: unknown, method: string): GoogleCalendarError {
  const x = e as ErrorLike;
  const status = statusOf(e);
  if (status === undefined || x.response === undefined) {
    // no answer: what the transport says names the call (lib/http puts the action first)
    const c = classifyFailure(e, { name: NAME });
    return new GoogleCalendarError(c.failure === "timeout" ? `${c.message}: ${c.detail}` : c.message, null, "network", true, undefined, c.failure);
  }
  const g = googleError(x.response.data);
  const text = g.message ?? (typeof x.response.data === "string" && x.response.data ? x.response.data.slice(0, 300) : `HTTP ${status}`);
  const c = classifyFailure(
    { status, ok: false, headers: x.response.headers ?? {} },
    { name: NAME, providerCode: g.reason, during: `on ${method}` },
  );
  // Google says "rate limit" with a 403 and a reason as well as with a 429
  const rateLimited = status === 403 && RATE_LIMIT_REASONS.has(g.reason ?? "");
  const said = rateLimited ? `${NAME} is rate limiting this account (403, ${g.reason}) on ${method}` : c.message;
  return new GoogleCalendarError(`${said}: ${text}`, status, g.reason ?? null, c.retryable || rateLimited, c.retryAfterSeconds, rateLimited ? "rate_limited" : c.failure);
}

const api = calendar({ version: "v3" });

/** The root the generated client resolves /calendar/v3/... against (a trailing slash keeps the path). */
export function rootUrl(ctx: Pick<GCalContext, "baseUrl">) {
  return ctx.baseUrl.endsWith("/") ? ctx.baseUrl : `${ctx.baseUrl}/`;
}

/** answers that are a call's designed outcome, logged as expected: deleting an event already gone (404/410) is what was wanted */
const EXPECTED: Record<string, readonly number[]> = { "events.delete": [404, 410] };

function methodOptions(ctx: GCalContext, method: string, token: string): MethodOptions {
  return {
    rootUrl: rootUrl(ctx),
    headers: { Authorization: `Bearer ${token}` },
    fetchImplementation: ctx.fetch(`google-calendar.${method}`, { secrets: [...ctx.secrets, token], ...(EXPECTED[method] ? { expect: EXPECTED[method] } : {}) }),
    signal: ctx.signal,
    retry: true,
    retryConfig: {
      retry: RETRIES,
      retryDelay: 200,
      noResponseRetries: RETRIES,
      httpMethodsToRetry: ["GET", "DELETE"],
      shouldRetry,
      retryBackoff: async (err, defaultMs) => {
        const after = retryAfterMs(err as ErrorLike);
        await new Promise((r) => setTimeout(r, after ?? defaultMs));
      },
    },
  };
}

/**
 * One Calendar API call: the bearer from the integration's OAuth token, one forced refresh and
 * one more try after a 401, Google's errors mapped to GoogleCalendarError. `token` uses a given
 * access token instead (while connecting, before the token is stored).
 */
export async function gcal<T>(
  ctx: GCalContext,
  method: string,
  call: (api: calendar_v3.Calendar, opts: MethodOptions) => Promise<{ data: T }>,
  opts: { token?: string } = {},
): Promise<T> {
  let token = opts.token ?? (await ctx.accessToken());
  for (let attempt = 1; ; attempt++) {
    try {
      return (await call(api, methodOptions(ctx, method, token))).data;
    } catch (e) {
      if (statusOf(e) === 401 && attempt === 1 && !opts.token) {
        // the token was revoked or expired early: refresh once (OAuthReconnectError when the grant is gone)
        token = await ctx.accessToken({ force: true });
        continue;
      }
      const err = toCalendarError(e, method);
      if (err.status === 401) {
        err.message = `${err.message}. Google refused a freshly refreshed access token: reconnect the Google account.`;
      }
      throw err;
    }
  }
}

// ───────────── the calls Switchboard makes ─────────────

export const listCalendars = (ctx: GCalContext) =>
  gcal(ctx, "calendarList.list", (a, o) => a.calendarList.list({ maxResults: 250 }, o));

export const getCalendar = (ctx: GCalContext, calendarId: string, token?: string) =>
  gcal(ctx, "calendars.get", (a, o) => a.calendars.get({ calendarId }, o), { token });

/** One page of events.list: a full pass (no syncToken) or an incremental one (with it). */
export const listEventsPage = (ctx: GCalContext, q: { calendarId: string; syncToken?: string; pageToken?: string; maxResults?: number }) =>
  gcal<GEventsPage>(ctx, "events.list", (a, o) =>
    a.events.list(
      {
        calendarId: q.calendarId,
        maxResults: q.maxResults ?? MAX_PAGE_SIZE,
        ...(q.syncToken ? { syncToken: q.syncToken } : {}),
        ...(q.pageToken ? { pageToken: q.pageToken } : {}),
      },
      o,
    ),
  );

export const getEvent = (ctx: GCalContext, calendarId: string, eventId: string) =>
  gcal<GEvent>(ctx, "events.get", (a, o) => a.events.get({ calendarId, eventId }, o));

export const insertEvent = (ctx: GCalContext, calendarId: string, body: GEvent) =>
  gcal<GEvent>(ctx, "events.insert", (a, o) => a.events.insert({ calendarId, sendUpdates: ctx.config.sendUpdates, requestBody: body }, o));

export const patchEvent = (ctx: GCalContext, calendarId: string, eventId: string, body: GEvent) =>
  gcal<GEvent>(ctx, "events.patch", (a, o) => a.events.patch({ calendarId, eventId, sendUpdates: ctx.config.sendUpdates, requestBody: body }, o));

export const deleteEvent = (ctx: GCalContext, calendarId: string, eventId: string) =>
  gcal<void>(ctx, "events.delete", (a, o) => a.events.delete({ calendarId, eventId, sendUpdates: ctx.config.sendUpdates }, o));

export const watchEvents = (ctx: GCalContext, calendarId: string, channel: { id: string; token: string; address: string; ttlSeconds: number }) =>
  gcal<GChannel>(ctx, "events.watch", (a, o) =>
    a.events.watch(
      {
        calendarId,
        requestBody: { id: channel.id, type: "web_hook", address: channel.address, token: channel.token, params: { ttl: String(channel.ttlSeconds) } },
      },
      o,
    ),
  );

export const stopChannel = (ctx: GCalContext, id: string, resourceId: string) =>
  gcal<void>(ctx, "channels.stop", (a, o) => a.channels.stop({ requestBody: { id, resourceId } }, o));
