// Zoom REST API v2 over plain HTTPS through ctx.call (lib/http.ts: timeouts, retries of safe
// calls, one integration_logs row per attempt, secrets scrubbed). Zoom has no official Node
// server SDK worth using here: its Rivet toolkit brings its own HTTP stack, token store and
// webhook server, none of which can be pointed through lib/http or our sandbox, and the few
// calls we make are simple JSON.
//
// Auth is Server-to-Server OAuth (account_credentials), done by lib/oauth: ctx.accessToken()
// hands out the cached token (shared by every process through oauth_tokens) and fetches a new
// one under a database lock when it expires. A 401 from the API (Zoom code 124, "Invalid access
// token") gets one retry with a forced new token; a second 401 is reported, not looped on.
//
// Meeting ids are int64 (above 2^53 they no longer fit a JS number): every answer is parsed
// with parseJsonLossless, which keeps such integers as their decimal text, and ids are strings
// everywhere in our code.
import { ianaTimeZone } from "@/lib/zod-fields";
import { z } from "zod";
import type { CallContext, HttpResponse } from "@/lib/http";
import { classifyFailure, ProviderError, transportCode, type ProviderFailure } from "@/lib/providers/errors";
import { OAuthReconnectError, type ProviderContext } from "@/lib/providers/types";

export type ZoomCredentials = { accountId: string; clientId: string; clientSecret: string; webhookSecretToken?: string };
export type ZoomConfig = {
  hostUserId: string;
  defaultTimezone?: string;
  waitingRoom: boolean;
  joinBeforeHost: boolean;
  autoRecording: "none" | "local" | "cloud";
};
export type ZoomContext = ProviderContext<ZoomCredentials, ZoomConfig>;

// ───────────── int64-safe JSON ─────────────

/**
 * JSON.parse, except that integers a JS number cannot hold exactly (beyond ±2^53) are kept as
 * their decimal text. A reviver is too late (it gets the rounded number) and Node 20 has no
 * JSON.parse source access, so the text is scanned once: strings are skipped whole (with their
 * escapes), and each bare unsafe integer is put in quotes before parsing.
 */
export function parseJsonLossless(text: string): unknown {
  let out = "";
  let last = 0;
  const n = text.length;
  for (let i = 0; i < n; ) {
    const ch = text.charCodeAt(i);
    if (ch === 34) {
      // a string: jump to its closing quote
      for (i++; i < n; ) {
        const c = text.charCodeAt(i);
        if (c === 92) i += 2;
        else if (c === 34) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (ch === 45 || (ch >= 48 && ch <= 57)) {
      const start = i;
      for (i++; i < n; i++) {
        const c = text.charCodeAt(i);
        if (!((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45)) break;
      }
      const tok = text.slice(start, i);
      if (/^-?\d{16,}$/.test(tok) && !Number.isSafeInteger(Number(tok))) {
        out += `${text.slice(last, start)}"${tok}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  return JSON.parse(last === 0 ? text : out + text.slice(last));
}

// ───────────── what Zoom answers (the parts we use) ─────────────

export { ianaTimeZone };

/** an int64 id: text (kept exact by parseJsonLossless) or a number small enough to be exact */
export const int64 = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]).transform(String);

export const zoomOccurrence = z.object({
  occurrence_id: z.union([z.string(), z.number()]).transform(String),
  start_time: z.string(),
  duration: z.number().optional(),
  status: z.string().optional(),
});

export const zoomMeeting = z.object({
  id: int64,
  uuid: z.string().optional(),
  host_id: z.string().optional(),
  topic: z.string(),
  type: z.number().int(),
  status: z.string().optional(),
  start_time: z.string().optional(),
  duration: z.number().optional(),
  timezone: z.string().optional(),
  agenda: z.string().optional(),
  join_url: z.string(),
  start_url: z.string().optional(),
  password: z.string().optional(),
  recurrence: z.record(z.string(), z.unknown()).optional(),
  occurrences: z.array(zoomOccurrence).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});
export type ZoomMeeting = z.output<typeof zoomMeeting>;

export const zoomRecordingFile = z.object({
  id: z.string().optional(),
  recording_start: z.string().optional(),
  recording_end: z.string().optional(),
  file_type: z.string().optional(),
  file_extension: z.string().optional(),
  file_size: z.number().optional(),
  play_url: z.string().optional(),
  download_url: z.string().optional(),
  status: z.string().optional(),
  recording_type: z.string().optional(),
});
export type ZoomRecordingFile = z.output<typeof zoomRecordingFile>;

export const zoomRecordings = z.object({
  uuid: z.string().optional(),
  id: int64.optional(),
  topic: z.string().optional(),
  start_time: z.string().optional(),
  duration: z.number().optional(),
  total_size: z.number().optional(),
  recording_count: z.number().optional(),
  share_url: z.string().optional(),
  recording_files: z.array(zoomRecordingFile).default([]),
});
export type ZoomRecordings = z.output<typeof zoomRecordings>;

export const zoomUser = z.object({
  id: z.string(),
  email: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  display_name: z.string().optional(),
  account_id: z.string().optional(),
  type: z.number().optional(),
});
export type ZoomUser = z.output<typeof zoomUser>;

// ───────────── errors ─────────────

/** Zoom's error codes we explain (from Zoom's API reference; the list is not exhaustive). */
const CODES: Record<number, string> = {
  124: "Invalid access token",
  200: "No permission",
  300: "Validation failed",
  1001: "The user does not exist",
  3000: "Cannot access the meeting",
  3001: "The meeting does not exist (or it has expired)",
  3301: "There is no recording for this meeting",
  4711: "The app lacks a scope this call needs",
};

export type ZoomErrorOpts = {
  /** HTTP status, when Zoom answered */
  status?: number;
  /** Zoom's own code ({"code":3001,…}), or ours: needs_reconnect, invalid_client, timeout, network … */
  code?: number | string;
  /** a retry later may work (5xx, 429, timeouts) */
  transient: boolean;
  retryAfterSeconds?: number;
  /** the app's credentials are the problem: an admin must fix them */
  credentials?: boolean;
  /** the classification (lib/providers/errors.ts), when not derived from status and code */
  failure?: ProviderFailure;
};

export class ZoomError extends ProviderError {
  constructor(
    message: string,
    public opts: ZoomErrorOpts,
  ) {
    super(message, {
      retryable: opts.transient,
      status: opts.status,
      providerCode: opts.code,
      retryAfterSeconds: opts.retryAfterSeconds,
      failure: opts.failure ?? (opts.credentials && opts.status === undefined ? "auth" : undefined),
    });
    this.name = "ZoomError";
  }
  get notFound() {
    return this.opts.status === 404;
  }
}

function transportError(e: unknown): ZoomError {
  if (e instanceof ZoomError) return e;
  const c = classifyFailure(e, { name: "Zoom" });
  return new ZoomError(c.message, { transient: c.retryable, code: transportCode(c), failure: c.failure });
}

/** ctx.accessToken() failures, as ZoomErrors a person can act on. */
function tokenError(e: unknown): ZoomError {
  if (e instanceof ZoomError) return e;
  if (e instanceof OAuthReconnectError) return new ZoomError(e.message, { transient: false, credentials: true, code: "needs_reconnect" });
  // lib/oauth's TokenEndpointError (matched by name: importing lib/oauth here would make the
  // provider registry depend on the token store). kind: invalid_client | invalid_grant | rejected | transient
  if (e instanceof Error && e.name === "TokenEndpointError") {
    const kind = String((e as { kind?: unknown }).kind ?? "rejected");
    if (kind === "transient") return new ZoomError(e.message, { transient: true, code: "token_unavailable" });
    return new ZoomError(`${e.message}. Zoom gave no access token: check the Account ID, Client ID and Client Secret of the Server-to-Server OAuth app (and that the app is activated)`, {
      transient: false,
      credentials: true,
      code: kind,
    });
  }
  return transportError(e);
}

type ZoomErrorBody = { code?: number | string; message?: string; errors?: { field?: string; message?: string }[] };

export function apiError(res: HttpResponse): ZoomError {
  let body: ZoomErrorBody = {};
  try {
    const parsed = parseJsonLossless(res.text);
    if (parsed && typeof parsed === "object") body = parsed as ZoomErrorBody;
  } catch {
    /* not JSON */
  }
  const code = typeof body.code === "number" ? body.code : typeof body.code === "string" && /^\d+$/.test(body.code) ? Number(body.code) : undefined;
  const fields = body.errors?.length ? `: ${body.errors.map((f) => [f.field, f.message].filter(Boolean).join(" ")).join("; ")}` : "";
  const said = `${body.message ?? CODES[code ?? -1] ?? `HTTP ${res.status}`}${fields}`;
  const tag = code !== undefined ? ` (Zoom code ${code}, HTTP ${res.status})` : ` (HTTP ${res.status})`;
  const c = classifyFailure(res, { name: "Zoom" });
  const base = { status: res.status, failure: c.failure, ...(code !== undefined ? { code } : {}) };
  if (c.failure === "rate_limited") {
    const secs = c.retryAfterSeconds !== undefined ? Math.max(1, c.retryAfterSeconds) : undefined;
    return new ZoomError(`Zoom is rate limiting this app: ${said}${tag}${secs ? `; retry in ${secs} s` : ""}`, {
      ...base,
      transient: true,
      ...(secs ? { retryAfterSeconds: secs } : {}),
    });
  }
  if (c.failure === "provider") return new ZoomError(`Zoom had a server error: ${said}${tag}`, { ...base, transient: true });
  if (res.status === 401) {
    return new ZoomError(`Zoom refused a freshly issued access token: ${said}${tag}. Check that the Server-to-Server app is activated`, {
      ...base,
      transient: false,
      credentials: true,
    });
  }
  if (code === 4711 || res.status === 403) {
    return new ZoomError(`Zoom does not allow this for the app: ${said}${tag}. Add the meeting scopes (meeting:write:admin, meeting:read:admin, recording:read:admin, user:read:admin) to the app`, {
      ...base,
      transient: false,
      credentials: true,
    });
  }
  if (res.status === 404) return new ZoomError(`${CODES[code ?? -1] ?? "Not found at Zoom"}: ${said}${tag}`, { ...base, transient: false });
  return new ZoomError(`Zoom refused the request: ${said}${tag}`, { ...base, transient: false });
}

// ───────────── calls ─────────────

function base(ctx: ZoomContext) {
  return ctx.baseUrl.replace(/\/$/, "");
}

/** Numeric meeting ids only: they go into the URL path. */
export function meetingPathId(id: string): string {
  if (!/^\d{1,20}$/.test(id)) throw new ZoomError(`"${id}" is not a Zoom meeting id (digits only)`, { transient: false, code: "invalid_id" });
  return id;
}

type Req = {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  /** answers that are this call's designed outcome, logged as expected (lib/http CallContext.expect) */
  expect?: CallContext["expect"];
};

/**
 * One Zoom API call with the bearer token; a 401 gets one retry with a forced new token.
 * GET and DELETE are retried by lib/http on timeouts, 429 and 5xx; creating a meeting is not
 * (Zoom has no idempotency key: a retry after a lost answer could make a second meeting).
 */
export async function zoomRequest(ctx: ZoomContext, action: string, req: Req): Promise<{ status: number; data: unknown }> {
  const url = new URL(`${base(ctx)}${req.path}`);
  for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
  for (let round = 1; ; round++) {
    let token: string;
    try {
      token = await ctx.accessToken(round > 1 ? { force: true } : undefined);
    } catch (e) {
      throw tokenError(e);
    }
    let res: HttpResponse;
    try {
      res = await ctx.call(
        action,
        {
          method: req.method,
          url: url.toString(),
          headers: { authorization: `Bearer ${token}` },
          ...(req.body ? { body: req.body } : {}),
          idempotent: req.method === "GET" || req.method === "DELETE",
        },
        { secrets: [...ctx.secrets, token], ...(req.expect ? { expect: req.expect } : {}) },
      );
    } catch (e) {
      throw transportError(e);
    }
    // expired or revoked at Zoom before our clock said so: one more try with a new token
    if (res.status === 401 && round === 1) continue;
    if (!res.ok) throw apiError(res);
    if (!res.text) return { status: res.status, data: null };
    try {
      return { status: res.status, data: parseJsonLossless(res.text) };
    } catch {
      throw new ZoomError(`Zoom answered ${action} with something that is not JSON`, { status: res.status, transient: true, code: "invalid_response" });
    }
  }
}

function shape<T extends z.ZodType>(schema: T, data: unknown, what: string): z.output<T> {
  const r = schema.safeParse(data);
  if (!r.success) {
    const why = r.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ZoomError(`Zoom's ${what} is not what we expect (${why})`, { transient: false, code: "invalid_response" });
  }
  return r.data;
}

export async function getUser(ctx: ZoomContext, userId = ctx.config.hostUserId || "me"): Promise<ZoomUser> {
  const { data } = await zoomRequest(ctx, "zoom.users.get", { method: "GET", path: `/users/${encodeURIComponent(userId)}` });
  return shape(zoomUser, data, "user");
}

/** A meeting's recurrence as Zoom writes it: type 1 daily, 2 weekly (weekly_days "1,3": 1 = Sunday), 3 monthly. */
export type ZoomRecurrence = {
  type: number;
  repeat_interval?: number;
  weekly_days?: string;
  monthly_day?: number;
  monthly_week?: number;
  monthly_week_day?: number;
  end_times?: number;
  end_date_time?: string;
};

/** What POST /users/{userId}/meetings takes (the fields we send). */
export type ZoomMeetingRequest = {
  topic: string;
  /** 2 scheduled, 8 recurring with a fixed time */
  type: 2 | 8;
  /** yyyy-MM-ddTHH:mm:ssZ (GMT) */
  start_time: string;
  duration: number;
  timezone: string;
  agenda?: string;
  recurrence?: ZoomRecurrence & { type: 1 | 2 | 3; repeat_interval: number };
  settings?: Record<string, unknown>;
};

/** The meeting settings the integration's config asks for. */
export function defaultSettings(config: ZoomConfig): Record<string, unknown> {
  return { waiting_room: config.waitingRoom, join_before_host: config.joinBeforeHost, auto_recording: config.autoRecording };
}

export async function createMeeting(ctx: ZoomContext, body: ZoomMeetingRequest): Promise<ZoomMeeting> {
  const userId = ctx.config.hostUserId || "me";
  const { data } = await zoomRequest(ctx, "zoom.meetings.create", {
    method: "POST",
    path: `/users/${encodeURIComponent(userId)}/meetings`,
    body: { ...body, settings: { ...defaultSettings(ctx.config), ...(body.settings ?? {}) } },
  });
  return shape(zoomMeeting, data, "new meeting");
}

export async function getMeeting(ctx: ZoomContext, id: string): Promise<ZoomMeeting> {
  const { data } = await zoomRequest(ctx, "zoom.meetings.get", { method: "GET", path: `/meetings/${meetingPathId(id)}` });
  return shape(zoomMeeting, data, "meeting");
}

/**
 * DELETE /meetings/{id} → 204. A 404 (code 3001) means the meeting is already gone at Zoom
 * (deleted there, expired, or our earlier DELETE went through and its answer was lost): the
 * result says so instead of failing, since what the caller wanted is true.
 */
export async function deleteMeeting(ctx: ZoomContext, id: string): Promise<{ alreadyGone: boolean }> {
  try {
    await zoomRequest(ctx, "zoom.meetings.delete", { method: "DELETE", path: `/meetings/${meetingPathId(id)}`, expect: [404] });
    return { alreadyGone: false };
  } catch (e) {
    if (e instanceof ZoomError && e.notFound) return { alreadyGone: true };
    throw e;
  }
}

/**
 * GET /meetings/{id}/recordings: the cloud recordings of the meeting's latest instance (a
 * recurring meeting's earlier instances need their uuid; not used here). Zoom answers 404 with
 * code 3301 while there is no recording: that is an empty answer (null), not an error.
 */
export async function listRecordings(ctx: ZoomContext, id: string): Promise<ZoomRecordings | null> {
  try {
    const { data } = await zoomRequest(ctx, "zoom.recordings.list", {
      method: "GET",
      path: `/meetings/${meetingPathId(id)}/recordings`,
      // 404 with code 3301: no recording yet (an answer); other 404s (no such meeting) are failures
      expect: (status, body) => status === 404 && /"code"\s*:\s*3301\b/.test(body),
    });
    return shape(zoomRecordings, data, "recordings");
  } catch (e) {
    if (e instanceof ZoomError && e.notFound && e.opts.code === 3301) return null;
    throw e;
  }
}
