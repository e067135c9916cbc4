// Emulator of the parts of Google Calendar API v3 Switchboard uses, in Google's wire format,
// mounted under /google-calendar (so the real @googleapis/calendar client runs against it with
// rootUrl <sandbox>/google-calendar/), plus Google's OAuth server (lib/sandbox/oauth.ts):
//   GET    /calendar/v3/users/me/calendarList
//   GET    /calendar/v3/calendars/{cal}
//   GET    /calendar/v3/calendars/{cal}/events        maxResults (default 250, max 2500), pageToken,
//                                                      syncToken (410 fullSyncRequired when invalid),
//                                                      showDeleted, timeMin/timeMax (not with syncToken)
//   POST   /calendar/v3/calendars/{cal}/events        insert (client-chosen base32hex id: 409 duplicate)
//   GET|PATCH|DELETE /calendar/v3/calendars/{cal}/events/{id}   (If-Match on PATCH: 412)
//   POST   /calendar/v3/calendars/{cal}/events/watch  a push channel; the "sync" message follows
//   POST   /calendar/v3/channels/stop
// Every change to a calendar (through the API or the control routes) bumps the calendar's change
// counter; sync tokens and page tokens are opaque encodings of that counter, so an incremental
// list returns exactly what changed since the token, deleted events as status "cancelled", and
// nextSyncToken only on the last page. Push channels get POSTs with Google's X-Goog-* headers
// and no body: "sync" when created, then "exists" after each change.
//
// Control routes for tests, the demo and the benchmark (a person working in Google Calendar):
//   POST   /__control/calendars                       { id?, owner?, summary?, timeZone? }
//   GET    /__control/calendars/{cal}/events          ?showDeleted=true
//   GET    /__control/calendars/{cal}/events/{id}
//   POST   /__control/calendars/{cal}/events          create as the calendar's owner
//   PATCH  /__control/calendars/{cal}/events/{id}     change
//   DELETE /__control/calendars/{cal}/events/{id}     delete
//   POST   /__control/calendars/{cal}/seed            { count, prefix?, start?, spacingMinutes?, durationMinutes? }
//   POST   /__control/calendars/{cal}/invalidate-sync-tokens   the next syncToken use answers 410
//   POST   /__control/calendars/{cal}/page-faults     { status, times, retryAfter? }: the next events.list
//                                                      calls with a pageToken (a pass's later pages) fail
//   GET    /__control/calls?account=                  API calls per method (calls that reached the API)
//   POST   /__control/calls/reset                     { account? }
//   GET    /__control/channels?calendar=              push channels and their state
//   GET    /__control/deliveries?channel=             push notifications sent and our answers
// UNCONFIRMED details are marked where they are guesses (channel TTL limits, a few messages).
import { randomBytes } from "node:crypto";
import type { Context, Hono } from "hono";
import { webhookDeliverer, type SandboxKit, type SandboxModule } from "@/lib/sandbox/kit";
import { mountOAuthServer, type BearerInfo } from "@/lib/sandbox/oauth";

export const CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar";
const READ_SCOPES = [CALENDAR_SCOPE, `${CALENDAR_SCOPE}.readonly`, `${CALENDAR_SCOPE}.events`, `${CALENDAR_SCOPE}.events.readonly`];
const WRITE_SCOPES = [CALENDAR_SCOPE, `${CALENDAR_SCOPE}.events`];
const API = "/calendar/v3";
export const MAX_PAGE = 2500;
const DEFAULT_PAGE = 250;
/** Google's default push-channel lifetime for Calendar is a week; the maximum is UNCONFIRMED (capped at 30 days here). */
const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;
const MAX_TTL_SECONDS = 30 * 24 * 3600;
const BASE32HEX = /^[a-v0-9]{5,1024}$/;

type When = { dateTime?: string; date?: string; timeZone?: string };
type Attendee = { email: string; displayName?: string; responseStatus?: string; optional?: boolean; organizer?: boolean; self?: boolean; comment?: string };
type Reminders = { useDefault: boolean; overrides?: { method: string; minutes: number }[] };
type SEvent = {
  id: string;
  status: "confirmed" | "tentative" | "cancelled";
  summary?: string;
  description?: string;
  location?: string;
  start: When;
  end: When;
  attendees?: Attendee[];
  reminders?: Reminders;
  recurrence?: string[];
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
  transparency?: string;
  visibility?: string;
  colorId?: string;
  created: string;
  updated: string;
  etag: string;
  sequence: number;
  /** the calendar's change counter when the event last changed (sync tokens compare it) */
  seq: number;
  creator: string;
};
type Cal = {
  id: string;
  summary: string;
  timeZone: string;
  owner: string;
  primary: boolean;
  events: Map<string, SEvent>;
  seq: number;
  /** bumped by invalidate-sync-tokens: older sync and page tokens answer 410 */
  epoch: number;
  resourceId: string;
};
type Channel = {
  id: string;
  token?: string;
  address: string;
  resourceId: string;
  calendarId: string;
  clientId: string;
  expiration: number;
  messageNumber: number;
  stopped: boolean;
};
type Delivery = { channelId: string; state: string; messageNumber: number; status: number | null; error?: string; at: string };
type State = {
  /** injected failures of events.list calls that carry a pageToken (a later page of a pass) */
  pageFaults: Map<string, { status: number; remaining: number; retryAfter?: number }>;
  calendars: Map<string, Cal>;
  channels: Map<string, Channel>;
  /** account → method → calls */
  calls: Map<string, Map<string, number>>;
  deliveries: Delivery[];
};

type Cursor = {
  /** calendar, epoch */
  c: string;
  e: number;
  /** changes after this counter … */
  f: number;
  /** … up to this one (the snapshot the pass started from) */
  u: number;
  /** ids after this one (pages are in id order) */
  a: string;
  /** include cancelled events */
  d: boolean;
  /** incremental (a sync token was given): cancelled events included, filters refused */
  i: boolean;
  tmin?: number;
  tmax?: number;
};

const encode = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
function decode<T>(s: string): T | null {
  try {
    return JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as T;
  } catch {
    return null;
  }
}

let etagCounter = 0;
const newEtag = () => `"${Date.now() * 1000 + (++etagCounter % 1000)}"`;
const nowIso = () => new Date().toISOString();

function base32hexId(bytes = 16) {
  const alphabet = "0123456789abcdefghijklmnopqrstuv";
  return Array.from(randomBytes(bytes), (b) => alphabet[b % 32]).join("");
}

// ───────────── Google's error format ─────────────

function gError(c: Context, status: number, reason: string, message: string, extra: Record<string, string> = {}, statusWord?: string) {
  return c.json(
    { error: { errors: [{ domain: extra.domain ?? "global", reason, message, ...extra }], code: status, message, ...(statusWord ? { status: statusWord } : {}) } },
    status as 400,
  );
}

function unauthenticated(c: Context) {
  c.header("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", error="invalid_token"');
  return c.json(
    {
      error: {
        code: 401,
        message:
          "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        errors: [{ message: "Invalid Credentials", domain: "global", reason: "authError", location: "Authorization", locationType: "header" }],
        status: "UNAUTHENTICATED",
      },
    },
    401,
  );
}

const insufficientScope = (c: Context) =>
  c.json(
    {
      error: {
        code: 403,
        message: "Request had insufficient authentication scopes.",
        errors: [{ message: "Insufficient Permission", domain: "global", reason: "insufficientPermissions" }],
        status: "PERMISSION_DENIED",
      },
    },
    403,
  );

const notFound = (c: Context) => gError(c, 404, "notFound", "Not Found");

export const FULL_SYNC_REQUIRED = "Sync token is no longer valid, a full sync is required.";
const fullSyncRequired = (c: Context) => gError(c, 410, "fullSyncRequired", FULL_SYNC_REQUIRED, { domain: "calendar" });

// ───────────── validation of event bodies ─────────────

function parseWhen(v: unknown): When | string {
  if (!v || typeof v !== "object") return "Missing time";
  const w = v as Record<string, unknown>;
  const out: When = {};
  if (typeof w.timeZone === "string") out.timeZone = w.timeZone;
  if (typeof w.dateTime === "string") {
    if (Number.isNaN(Date.parse(w.dateTime))) return "Invalid dateTime";
    out.dateTime = w.dateTime;
  } else if (typeof w.date === "string") {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(w.date) || Number.isNaN(Date.parse(`${w.date}T00:00:00Z`))) return "Invalid date";
    out.date = w.date;
  } else return "Missing time";
  return out;
}

const instant = (w: When) => (w.dateTime ? Date.parse(w.dateTime) : Date.parse(`${w.date}T00:00:00Z`));

/** Applies a resource body (insert or patch) onto an event; an error message when Google would refuse it. */
function applyBody(ev: SEvent, b: Record<string, unknown>, isInsert: boolean): string | null {
  for (const k of ["summary", "description", "location", "transparency", "visibility", "colorId"] as const) {
    if (k in b) {
      const v = b[k];
      if (v === null) delete ev[k];
      else if (typeof v === "string") ev[k] = v;
      else return `Invalid value for: ${k}`;
    }
  }
  let timesChanged = false;
  for (const k of ["start", "end"] as const) {
    if (k in b || isInsert) {
      const w = parseWhen(b[k]);
      if (typeof w === "string") return k === "start" || isInsert ? `${w}: ${k}` : w;
      ev[k] = w;
      timesChanged = true;
    }
  }
  if (timesChanged) {
    if (!!ev.start.date !== !!ev.end.date) return "Start and end times must either both be date or both be dateTime.";
    if (instant(ev.end) < instant(ev.start)) return "The specified time range is empty.";
    if (!isInsert) ev.sequence++;
  }
  if ("status" in b) {
    if (!["confirmed", "tentative", "cancelled"].includes(String(b.status))) return "Invalid value for: status";
    ev.status = b.status as SEvent["status"];
  }
  if ("attendees" in b) {
    if (b.attendees === null) delete ev.attendees;
    else if (!Array.isArray(b.attendees)) return "Invalid value for: attendees";
    else {
      const list: Attendee[] = [];
      for (const a of b.attendees as Record<string, unknown>[]) {
        if (!a || typeof a.email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(a.email)) return "Invalid attendee email.";
        list.push({
          email: a.email.toLowerCase(),
          ...(typeof a.displayName === "string" ? { displayName: a.displayName } : {}),
          ...(a.optional === true ? { optional: true } : {}),
          responseStatus: typeof a.responseStatus === "string" ? a.responseStatus : "needsAction",
          ...(a.email.toLowerCase() === ev.creator ? { organizer: true, self: true } : {}),
        });
      }
      ev.attendees = list;
    }
  }
  if ("reminders" in b) {
    const r = b.reminders as Reminders | null;
    if (r === null) delete ev.reminders;
    else {
      if (!r || typeof r.useDefault !== "boolean") return "Invalid value for: reminders.useDefault";
      const overrides = r.overrides ?? [];
      if (r.useDefault && overrides.length) return "Cannot specify both default reminders and overrides at the same time.";
      if (overrides.length > 5) return "Too many reminders (at most 5).";
      for (const o of overrides) {
        if (!["email", "popup"].includes(o?.method) || !Number.isInteger(o?.minutes) || o.minutes < 0 || o.minutes > 40320) return "Invalid reminder.";
      }
      ev.reminders = { useDefault: r.useDefault, ...(overrides.length ? { overrides: overrides.map((o) => ({ method: o.method, minutes: o.minutes })) } : {}) };
    }
  }
  if ("recurrence" in b) {
    if (b.recurrence === null) delete ev.recurrence;
    else if (!Array.isArray(b.recurrence) || b.recurrence.some((x) => typeof x !== "string")) return "Invalid value for: recurrence";
    else ev.recurrence = b.recurrence as string[];
  }
  if ("extendedProperties" in b && b.extendedProperties && typeof b.extendedProperties === "object") {
    const x = b.extendedProperties as { private?: Record<string, string>; shared?: Record<string, string> };
    ev.extendedProperties = {
      ...(x.private || ev.extendedProperties?.private ? { private: { ...(ev.extendedProperties?.private ?? {}), ...(x.private ?? {}) } } : {}),
      ...(x.shared || ev.extendedProperties?.shared ? { shared: { ...(ev.extendedProperties?.shared ?? {}), ...(x.shared ?? {}) } } : {}),
    };
  }
  return null;
}

/** The event as Google's API returns it. */
function resource(cal: Cal, ev: SEvent, minimal = false) {
  if (minimal && ev.status === "cancelled") return { kind: "calendar#event", etag: ev.etag, id: ev.id, status: ev.status, updated: ev.updated };
  const { seq: _seq, creator, ...rest } = ev;
  return {
    kind: "calendar#event",
    ...rest,
    htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${ev.id} ${cal.id}`).toString("base64url")}`,
    iCalUID: `${ev.id}@google.com`,
    creator: { email: creator, ...(creator === cal.owner ? { self: true } : {}) },
    organizer: { email: cal.id, ...(cal.primary ? { self: true } : { displayName: cal.summary, self: true }) },
    eventType: "default",
    reminders: ev.reminders ?? { useDefault: true },
  };
}

const googleCalendar: SandboxModule = {
  id: "google-calendar",
  faultBody(status) {
    if (status === 429) {
      return { error: { code: 429, message: "Rate Limit Exceeded", errors: [{ message: "Rate Limit Exceeded", domain: "usageLimits", reason: "rateLimitExceeded" }], status: "RESOURCE_EXHAUSTED" } };
    }
    if (status === 401) {
      return { error: { code: 401, message: "Request had invalid authentication credentials.", errors: [{ message: "Invalid Credentials", domain: "global", reason: "authError", location: "Authorization", locationType: "header" }], status: "UNAUTHENTICATED" } };
    }
    if (status >= 500) {
      const message = status === 503 ? "The service is currently unavailable." : "Backend Error";
      return { error: { code: status, message, errors: [{ message, domain: "global", reason: "backendError" }], status: status === 503 ? "UNAVAILABLE" : "INTERNAL" } };
    }
    return { error: { code: status, message: "Sandbox fault", errors: [{ message: "Sandbox fault", domain: "global", reason: "badRequest" }] } };
  },

  mount(app: Hono, kit: SandboxKit) {
    const oauth = mountOAuthServer(app, kit, {
      provider: "google-calendar",
      displayName: "Google",
      authorizePath: "/o/oauth2/v2/auth",
      tokenPath: "/token",
      revokePath: "/revoke",
      // Google takes client_secret_post and client_secret_basic
      clientAuth: "either",
      grants: ["authorization_code", "refresh_token"],
      tokenType: "Bearer",
    });
    const st = () =>
      kit.state<State>("google-calendar", () => ({ pageFaults: new Map(), calendars: new Map(), channels: new Map(), calls: new Map(), deliveries: [] }));

    function calendarFor(id: string, owner?: string, summary?: string, timeZone?: string): Cal {
      const s = st();
      let cal = s.calendars.get(id);
      if (!cal) {
        const own = owner ?? id;
        cal = {
          id,
          summary: summary ?? id,
          timeZone: timeZone ?? "UTC",
          owner: own,
          primary: id === own,
          events: new Map(),
          seq: 0,
          epoch: 1,
          resourceId: base32hexId(14),
        };
        s.calendars.set(id, cal);
      }
      return cal;
    }

    function count(account: string, method: string) {
      const calls = st().calls;
      const per = calls.get(account) ?? new Map<string, number>();
      per.set(method, (per.get(method) ?? 0) + 1);
      calls.set(account, per);
    }

    // ── push notifications ──
    const webhooks = webhookDeliverer<Delivery>({ log: () => st().deliveries, limit: 1000 });
    async function deliver(ch: Channel, state: "sync" | "exists" | "not_exists") {
      ch.messageNumber++;
      // a push notification has no body: the headers say what changed (and the channel's token)
      await webhooks.deliver(ch.address, undefined, {
        headers: {
          "X-Goog-Channel-ID": ch.id,
          ...(ch.token !== undefined ? { "X-Goog-Channel-Token": ch.token } : {}),
          "X-Goog-Channel-Expiration": new Date(ch.expiration).toUTCString(),
          "X-Goog-Resource-ID": ch.resourceId,
          "X-Goog-Resource-URI": `https://www.googleapis.com/calendar/v3/calendars/${encodeURIComponent(ch.calendarId)}/events?alt=json`,
          "X-Goog-Resource-State": state,
          "X-Goog-Message-Number": String(ch.messageNumber),
          "User-Agent": "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)",
        },
        logFirst: true,
        start: { channelId: ch.id, state, messageNumber: ch.messageNumber, status: null, at: nowIso() },
        done: (p, d) => {
          d!.status = p.status;
          if (p.error !== null) d!.error = p.error;
        },
      });
    }

    /** After a change: every open channel of the calendar is told ("exists"). */
    function notify(cal: Cal) {
      const now = Date.now();
      for (const ch of st().channels.values()) {
        if (ch.calendarId === cal.id && !ch.stopped && ch.expiration > now) setTimeout(() => void deliver(ch, "exists"), 0);
      }
    }

    function touch(cal: Cal, ev: SEvent) {
      cal.seq++;
      ev.seq = cal.seq;
      ev.updated = nowIso();
      ev.etag = newEtag();
    }

    function newEvent(cal: Cal, id: string, creator: string): SEvent {
      const now = nowIso();
      return { id, status: "confirmed", start: {}, end: {}, created: now, updated: now, etag: "", sequence: 0, seq: 0, creator };
    }

    // the three changes a calendar sees, through the API or from a person: each bumps the
    // calendar's change counter and tells its channels; a problem is what Google would answer
    function createIn(cal: Cal, id: string, creator: string, b: Record<string, unknown>): SEvent | string {
      const ev = newEvent(cal, id, creator);
      const problem = applyBody(ev, b, true);
      if (problem) return problem;
      touch(cal, ev);
      cal.events.set(id, ev);
      notify(cal);
      return ev;
    }
    function change(cal: Cal, ev: SEvent, b: Record<string, unknown>): string | null {
      const draft: SEvent = structuredClone(ev);
      const problem = applyBody(draft, b, false);
      if (problem) return problem;
      // patching a cancelled event back to confirmed restores it (UNCONFIRMED: Google's exact rules)
      Object.assign(ev, draft);
      touch(cal, ev);
      notify(cal);
      return null;
    }
    function cancel(cal: Cal, ev: SEvent) {
      ev.status = "cancelled";
      touch(cal, ev);
      notify(cal);
    }
    const refused = (c: Context, problem: string) => gError(c, 400, problem.includes("time range") ? "timeRangeEmpty" : "invalid", problem);

    function invite(cal: Cal, ev: SEvent, sendUpdates: string | undefined, what: "Invitation" | "Updated invitation" | "Canceled event") {
      if (!sendUpdates || sendUpdates === "none" || !ev.attendees?.length) return;
      for (const a of ev.attendees) {
        if (a.email === cal.owner) continue;
        kit.inbox.push({
          provider: "google-calendar",
          kind: "email",
          to: a.email,
          summary: `${what}: ${ev.summary ?? "(no title)"} @ ${ev.start.dateTime ?? ev.start.date ?? ""}`,
          payload: { calendarId: cal.id, eventId: ev.id, sendUpdates },
        });
      }
    }

    // ── API: the bearer, the calendar, the call counted ──
    type Gate = { info: BearerInfo } | { res: Response };
    function gate(c: Context, method: string, write: boolean): Gate {
      const info = oauth.verify(c.req.header("authorization"));
      count(info?.sub ?? "(unauthenticated)", method);
      if (!info) return { res: unauthenticated(c) };
      const scopes = info.scope.split(/\s+/);
      if (!(write ? WRITE_SCOPES : READ_SCOPES).some((s) => scopes.includes(s))) return { res: insufficientScope(c) };
      return { info };
    }
    function calendarOf(info: BearerInfo, param: string): Cal | null {
      const id = param === "primary" ? info.sub : param;
      const cal = st().calendars.get(id) ?? (id === info.sub ? calendarFor(id) : undefined);
      return cal && cal.owner === info.sub ? cal : null;
    }
    async function jsonBody(c: Context): Promise<Record<string, unknown> | null> {
      const b = await c.req.json().catch(() => null);
      return b && typeof b === "object" && !Array.isArray(b) ? (b as Record<string, unknown>) : null;
    }
    /** the bearer's calendar and event of /calendars/{cal}/events/{id}, or the answer Google gives */
    function eventAt(c: Context, method: string, write: boolean): { cal: Cal; ev: SEvent } | { res: Response } {
      const g = gate(c, method, write);
      if ("res" in g) return g;
      const cal = calendarOf(g.info, c.req.param("cal")!);
      const ev = cal?.events.get(c.req.param("id")!);
      if (!cal || !ev) return { res: notFound(c) };
      const sendUpdates = c.req.query("sendUpdates");
      if (badSendUpdates(sendUpdates)) return { res: gError(c, 400, "invalid", "Invalid value for: sendUpdates") };
      return { cal, ev };
    }
    const sendUpdatesOf = (c: Context) => c.req.query("sendUpdates");
    const badSendUpdates = (v: string | undefined) => v !== undefined && !["all", "externalOnly", "none"].includes(v);

    app.get(`${API}/users/me/calendarList`, (c) => {
      const g = gate(c, "calendarList.list", false);
      if ("res" in g) return g.res;
      calendarFor(g.info.sub);
      const items = [...st().calendars.values()]
        .filter((cal) => cal.owner === g.info.sub)
        .map((cal) => ({
          kind: "calendar#calendarListEntry",
          etag: `"${cal.seq}"`,
          id: cal.id,
          summary: cal.summary,
          timeZone: cal.timeZone,
          accessRole: "owner",
          backgroundColor: cal.primary ? "#9fe1e7" : "#f691b2",
          foregroundColor: "#000000",
          selected: true,
          ...(cal.primary ? { primary: true } : {}),
          defaultReminders: cal.primary ? [{ method: "popup", minutes: 10 }] : [],
        }));
      return c.json({ kind: "calendar#calendarList", etag: `"${Date.now()}"`, nextSyncToken: encode({ l: Date.now() }), items });
    });

    app.get(`${API}/calendars/:cal`, (c) => {
      const g = gate(c, "calendars.get", false);
      if ("res" in g) return g.res;
      const cal = calendarOf(g.info, c.req.param("cal"));
      if (!cal) return notFound(c);
      return c.json({ kind: "calendar#calendar", etag: `"${cal.seq}"`, id: cal.id, summary: cal.summary, timeZone: cal.timeZone });
    });

    app.get(`${API}/calendars/:cal/events`, (c) => {
      const g = gate(c, "events.list", false);
      if ("res" in g) return g.res;
      const cal = calendarOf(g.info, c.req.param("cal"));
      if (!cal) return notFound(c);
      const q = c.req.query();
      let max = DEFAULT_PAGE;
      if (q.maxResults !== undefined) {
        const n = Number(q.maxResults);
        if (!Number.isInteger(n) || n < 1) return gError(c, 400, "invalid", `Invalid value '${q.maxResults}'. Values must be within the range: [1, ${MAX_PAGE}]`);
        max = Math.min(n, MAX_PAGE); // Google never returns more than 2500 per page
      }
      if (q.syncToken !== undefined) {
        const bad = ["timeMin", "timeMax", "updatedMin", "orderBy", "q", "iCalUID", "privateExtendedProperty", "sharedExtendedProperty"].filter((k) => q[k] !== undefined);
        // UNCONFIRMED wording; the refusal itself is documented for these parameters
        if (bad.length) return gError(c, 400, "invalid", `The syncToken parameter cannot be used together with ${bad.join(", ")}.`);
      }
      const pf = q.pageToken ? st().pageFaults.get(cal.id) : undefined;
      if (pf && pf.remaining > 0) {
        pf.remaining--;
        if (pf.retryAfter) c.header("Retry-After", String(pf.retryAfter));
        return c.json(googleCalendar.faultBody!(pf.status, pf.retryAfter) as object, pf.status as 500);
      }
      let cur: Cursor;
      if (q.pageToken) {
        const p = decode<Cursor>(q.pageToken);
        if (!p || p.c !== cal.id || typeof p.u !== "number") return gError(c, 400, "invalid", "Invalid page token value.");
        if (p.e !== cal.epoch) return p.i ? fullSyncRequired(c) : gError(c, 400, "invalid", "Invalid page token value.");
        cur = p;
      } else if (q.syncToken !== undefined) {
        const t = decode<{ c: string; e: number; s: number }>(q.syncToken);
        if (!t || t.c !== cal.id || t.e !== cal.epoch || typeof t.s !== "number" || t.s > cal.seq) return fullSyncRequired(c);
        cur = { c: cal.id, e: cal.epoch, f: t.s, u: cal.seq, a: "", d: true, i: true };
      } else {
        const tmin = q.timeMin ? Date.parse(q.timeMin) : undefined;
        const tmax = q.timeMax ? Date.parse(q.timeMax) : undefined;
        if (Number.isNaN(tmin) || Number.isNaN(tmax)) return gError(c, 400, "invalid", "Bad Request");
        cur = { c: cal.id, e: cal.epoch, f: 0, u: cal.seq, a: "", d: q.showDeleted === "true", i: false, tmin, tmax };
      }
      const matching: SEvent[] = [];
      for (const ev of cal.events.values()) {
        if (ev.seq <= cur.f || ev.seq > cur.u || ev.id <= cur.a) continue;
        if (!cur.d && ev.status === "cancelled") continue;
        if (cur.tmax !== undefined && instant(ev.start) >= cur.tmax) continue;
        if (cur.tmin !== undefined && instant(ev.end) <= cur.tmin) continue;
        matching.push(ev);
      }
      matching.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      const page = matching.slice(0, max);
      const more = matching.length > max;
      return c.json({
        kind: "calendar#events",
        etag: `"${cal.seq}"`,
        summary: cal.summary,
        description: "",
        updated: nowIso(),
        timeZone: cal.timeZone,
        accessRole: "owner",
        defaultReminders: cal.primary ? [{ method: "popup", minutes: 10 }] : [],
        ...(more ? { nextPageToken: encode({ ...cur, a: page[page.length - 1].id }) } : { nextSyncToken: encode({ c: cal.id, e: cal.epoch, s: cur.u }) }),
        items: page.map((ev) => resource(cal, ev, true)),
      });
    });

    app.post(`${API}/calendars/:cal/events/watch`, async (c) => {
      const g = gate(c, "events.watch", false);
      if ("res" in g) return g.res;
      const cal = calendarOf(g.info, c.req.param("cal"));
      if (!cal) return notFound(c);
      const b = await jsonBody(c);
      if (!b) return gError(c, 400, "parseError", "Parse Error");
      const id = typeof b.id === "string" ? b.id : "";
      if (!/^[A-Za-z0-9\-_+/=]{1,64}$/.test(id)) return gError(c, 400, "required", "Required: channel id");
      if (b.type !== "web_hook" && b.type !== "webhook") return gError(c, 400, "invalid", `Invalid value for: ${String(b.type ?? "type")} is not a valid channel type`);
      const address = typeof b.address === "string" ? b.address : "";
      // the real API insists on https with a valid certificate; the sandbox also takes http
      if (!/^https?:\/\/.+/.test(address)) return gError(c, 400, "push.webhookUrlNotHttps", "WebHook callback must be HTTPS: " + address);
      if (b.token !== undefined && (typeof b.token !== "string" || b.token.length > 256)) return gError(c, 400, "invalid", "Invalid value for: token");
      if (st().channels.has(id)) return gError(c, 400, "channelIdNotUnique", `Channel id ${id} not unique`); // UNCONFIRMED wording
      const params = (b.params ?? {}) as Record<string, unknown>;
      const ttl = params.ttl !== undefined ? Number(params.ttl) : DEFAULT_TTL_SECONDS;
      if (!Number.isFinite(ttl) || ttl <= 0) return gError(c, 400, "invalid", "Invalid value for: params.ttl");
      const ch: Channel = {
        id,
        token: b.token as string | undefined,
        address,
        resourceId: cal.resourceId,
        calendarId: cal.id,
        clientId: g.info.clientId,
        expiration: Date.now() + Math.min(ttl, MAX_TTL_SECONDS) * 1000,
        messageNumber: 0,
        stopped: false,
      };
      st().channels.set(id, ch);
      // the "sync" message follows the answer, as Google's does
      setTimeout(() => void deliver(ch, "sync"), 0);
      return c.json({
        kind: "api#channel",
        id,
        resourceId: ch.resourceId,
        resourceUri: `https://www.googleapis.com/calendar/v3/calendars/${encodeURIComponent(cal.id)}/events?alt=json`,
        ...(ch.token !== undefined ? { token: ch.token } : {}),
        expiration: String(ch.expiration),
      });
    });

    app.post(`${API}/channels/stop`, async (c) => {
      const g = gate(c, "channels.stop", false);
      if ("res" in g) return g.res;
      const b = await jsonBody(c);
      const ch = b && typeof b.id === "string" ? st().channels.get(b.id) : undefined;
      if (!ch || ch.resourceId !== b?.resourceId || ch.clientId !== g.info.clientId || ch.stopped) {
        return gError(c, 404, "notFound", `Channel '${String(b?.id ?? "")}' not found for project '${g.info.clientId}'`);
      }
      ch.stopped = true;
      return c.body(null, 204);
    });

    app.post(`${API}/calendars/:cal/events`, async (c) => {
      const g = gate(c, "events.insert", true);
      if ("res" in g) return g.res;
      const cal = calendarOf(g.info, c.req.param("cal"));
      if (!cal) return notFound(c);
      const sendUpdates = sendUpdatesOf(c);
      if (badSendUpdates(sendUpdates)) return gError(c, 400, "invalid", `Invalid value for: sendUpdates`);
      const b = await jsonBody(c);
      if (!b) return gError(c, 400, "parseError", "Parse Error");
      let id = base32hexId();
      if (b.id !== undefined) {
        if (typeof b.id !== "string" || !BASE32HEX.test(b.id)) return gError(c, 400, "invalid", "Invalid resource id value.");
        if (cal.events.has(b.id)) return gError(c, 409, "duplicate", "The requested identifier already exists.");
        id = b.id;
      }
      const ev = createIn(cal, id, g.info.sub, b);
      if (typeof ev === "string") return refused(c, ev);
      invite(cal, ev, sendUpdates, "Invitation");
      return c.json(resource(cal, ev));
    });

    app.get(`${API}/calendars/:cal/events/:id`, (c) => {
      const at = eventAt(c, "events.get", false);
      if ("res" in at) return at.res;
      // "the get method always returns" cancelled events
      return c.json(resource(at.cal, at.ev));
    });

    app.patch(`${API}/calendars/:cal/events/:id`, async (c) => {
      const at = eventAt(c, "events.patch", true);
      if ("res" in at) return at.res;
      const { cal, ev } = at;
      const ifMatch = c.req.header("if-match");
      if (ifMatch && ifMatch !== ev.etag) return gError(c, 412, "conditionNotMet", "Precondition Failed", { location: "If-Match", locationType: "header" });
      const b = await jsonBody(c);
      if (!b) return gError(c, 400, "parseError", "Parse Error");
      const problem = change(cal, ev, b);
      if (problem) return refused(c, problem);
      invite(cal, ev, sendUpdatesOf(c), "Updated invitation");
      return c.json(resource(cal, ev));
    });

    app.delete(`${API}/calendars/:cal/events/:id`, (c) => {
      const at = eventAt(c, "events.delete", true);
      if ("res" in at) return at.res;
      const { cal, ev } = at;
      if (ev.status === "cancelled") return gError(c, 410, "deleted", "Resource has been deleted");
      cancel(cal, ev);
      invite(cal, ev, sendUpdatesOf(c), "Canceled event");
      return c.body(null, 204);
    });

    // ───────────── control: a person in Google Calendar, the benchmark, the tests ─────────────
    const ctl = "/__control";
    const calParam = (c: Context) => calendarFor(c.req.param("cal")!);

    app.post(`${ctl}/calendars`, async (c) => {
      const b = ((await jsonBody(c)) ?? {}) as { id?: string; owner?: string; summary?: string; timeZone?: string };
      const owner = b.owner ?? b.id;
      if (!owner) return c.json({ error: "id or owner is required" }, 400);
      const id = b.id ?? `${base32hexId(20)}@group.calendar.google.com`;
      const cal = calendarFor(id, owner, b.summary, b.timeZone);
      return c.json({ id: cal.id, owner: cal.owner, summary: cal.summary, primary: cal.primary, timeZone: cal.timeZone }, 201);
    });

    app.get(`${ctl}/calendars/:cal/events`, (c) => {
      const cal = calParam(c);
      const withDeleted = c.req.query("showDeleted") === "true";
      const items = [...cal.events.values()].filter((e) => withDeleted || e.status !== "cancelled").map((e) => resource(cal, e));
      return c.json({ items, seq: cal.seq });
    });

    app.get(`${ctl}/calendars/:cal/events/:id`, (c) => {
      const cal = calParam(c);
      const ev = cal.events.get(c.req.param("id"));
      return ev ? c.json(resource(cal, ev)) : c.json({ error: "no such event" }, 404);
    });

    app.post(`${ctl}/calendars/:cal/events`, async (c) => {
      const cal = calParam(c);
      const b = await jsonBody(c);
      if (!b) return c.json({ error: "JSON body required" }, 400);
      const id = typeof b.id === "string" ? b.id : base32hexId();
      if (cal.events.has(id)) return c.json({ error: "duplicate id" }, 409);
      const ev = createIn(cal, id, cal.owner, b);
      if (typeof ev === "string") return c.json({ error: ev }, 400);
      return c.json(resource(cal, ev), 201);
    });

    app.patch(`${ctl}/calendars/:cal/events/:id`, async (c) => {
      const cal = calParam(c);
      const ev = cal.events.get(c.req.param("id"));
      if (!ev) return c.json({ error: "no such event" }, 404);
      const b = await jsonBody(c);
      if (!b) return c.json({ error: "JSON body required" }, 400);
      const problem = change(cal, ev, b);
      if (problem) return c.json({ error: problem }, 400);
      return c.json(resource(cal, ev));
    });

    app.delete(`${ctl}/calendars/:cal/events/:id`, (c) => {
      const cal = calParam(c);
      const ev = cal.events.get(c.req.param("id"));
      if (!ev || ev.status === "cancelled") return c.json({ error: "no such event" }, 404);
      cancel(cal, ev);
      return c.body(null, 204);
    });

    // many events at once (the 10,000-event benchmark): one notification at the end
    app.post(`${ctl}/calendars/:cal/seed`, async (c) => {
      const cal = calParam(c);
      const b = ((await jsonBody(c)) ?? {}) as { count?: number; prefix?: string; start?: string; spacingMinutes?: number; durationMinutes?: number };
      const n = Math.max(0, Math.min(200_000, Math.floor(Number(b.count ?? 0))));
      const start = b.start ? Date.parse(b.start) : Date.UTC(2030, 0, 1, 9);
      if (Number.isNaN(start)) return c.json({ error: "invalid start" }, 400);
      const spacing = (b.spacingMinutes ?? 30) * 60_000;
      const duration = (b.durationMinutes ?? 30) * 60_000;
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const ev = newEvent(cal, base32hexId(), cal.owner);
        ev.summary = `${b.prefix ?? "Seeded event"} ${i + 1}`;
        ev.start = { dateTime: new Date(start + i * spacing).toISOString() };
        ev.end = { dateTime: new Date(start + i * spacing + duration).toISOString() };
        touch(cal, ev);
        cal.events.set(ev.id, ev);
        ids.push(ev.id);
      }
      if (n) notify(cal);
      return c.json({ created: n, ids }, 201);
    });

    app.post(`${ctl}/calendars/:cal/invalidate-sync-tokens`, (c) => {
      const cal = calParam(c);
      cal.epoch++;
      return c.json({ epoch: cal.epoch });
    });

    app.post(`${ctl}/calendars/:cal/page-faults`, async (c) => {
      const cal = calParam(c);
      const b = ((await jsonBody(c)) ?? {}) as { status?: number; times?: number; retryAfter?: number };
      st().pageFaults.set(cal.id, { status: b.status ?? 503, remaining: b.times ?? 1, retryAfter: b.retryAfter });
      return c.body(null, 204);
    });

    app.get(`${ctl}/calls`, (c) => {
      const account = c.req.query("account");
      const merged = new Map<string, number>();
      for (const [acc, per] of st().calls) {
        if (account && acc !== account) continue;
        for (const [m, n] of per) merged.set(m, (merged.get(m) ?? 0) + n);
      }
      const byMethod = Object.fromEntries([...merged].sort());
      return c.json({ account: account ?? null, total: [...merged.values()].reduce((a, n) => a + n, 0), byMethod });
    });

    app.post(`${ctl}/calls/reset`, async (c) => {
      const b = ((await jsonBody(c)) ?? {}) as { account?: string };
      if (b.account) st().calls.delete(b.account);
      else st().calls.clear();
      return c.body(null, 204);
    });

    app.get(`${ctl}/channels`, (c) => {
      const cal = c.req.query("calendar");
      const items = [...st().channels.values()]
        .filter((ch) => !cal || ch.calendarId === cal)
        .map((ch) => ({ id: ch.id, calendarId: ch.calendarId, address: ch.address, resourceId: ch.resourceId, expiration: ch.expiration, stopped: ch.stopped, messageNumber: ch.messageNumber }));
      return c.json({ items });
    });

    app.get(`${ctl}/deliveries`, (c) => {
      const ch = c.req.query("channel");
      return c.json({ items: st().deliveries.filter((d) => !ch || d.channelId === ch) });
    });
  },
};

export default googleCalendar;
