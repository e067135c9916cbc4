// Emulator of the part of Zoom Switchboard uses, in Zoom's wire format, mounted under /zoom:
//
//   POST /oauth/token?grant_type=account_credentials&account_id=…   Server-to-Server OAuth
//        (Basic clientId:clientSecret) → {access_token, token_type:"bearer", expires_in:3600,
//        scope, api_url}: the shared sandbox OAuth server (lib/sandbox/oauth.ts)
//   GET    /v2/users/{userId}                     "me", the host's id or e-mail; else 1001
//   POST   /v2/users/{userId}/meetings            type 1 | 2 | 3 | 8 (recurrence) → 201 meeting
//   GET    /v2/meetings/{meetingId}               → meeting | 404 {"code":3001}
//   DELETE /v2/meetings/{meetingId}               → 204 (and meeting.deleted) | 404 {"code":3001}
//   GET    /v2/meetings/{meetingId}/recordings    → recordings | 404 {"code":3301} (none yet)
//
// Meeting ids are int64 and start above 2^53 here (real ids are 9–11 digits today), written
// into the JSON as bare numbers, so a client that reads them as JS numbers gets them wrong.
// Every /v2 call needs a bearer from the token endpoint: otherwise 401
// {"code":124,"message":"Invalid access token."}. Each OAuth client is its own account.
// Validation failures answer {"code":300,"message":…} (Zoom's generic validation code; the
// exact messages Zoom uses are UNCONFIRMED and kept short).
//
// It plays Zoom's side of webhooks too. An admin adds an "event subscription" on the app's
// Feature page (the endpoint URL and Zoom's generated Secret Token); Zoom validates the URL with
// an endpoint.url_validation challenge and then POSTs events signed with
// x-zm-signature: v0=HMAC-SHA256(secretToken, "v0:{ts}:{body}"). Here:
//   POST /__webhooks {clientId, url, secretToken, events?}   subscribe + validate now
//   POST /__webhooks/validate {clientId}                       the challenge again
//   GET  /__webhooks?clientId=                                 the subscription and its state
//   POST /__meetings/{id}/start | /end | /finish {recordings?}  the host starts / ends the meeting;
//        finish = end + cloud recordings attached (recording.completed)
//   GET  /__meetings?clientId=                                 the account's meetings
//   GET  /__deliveries?clientId=                               what was sent, with the answers
//   POST /__deliveries/{id}/redeliver                          the same body again (a Zoom retry)
// Events sent: meeting.created, meeting.deleted, meeting.started, meeting.ended,
// recording.completed. Failed deliveries are not retried (Zoom retries up to 3 times).
// Hosted pages: /j/{id} (join) and /s/{id} (the host's start page with Start / End buttons).
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { Context } from "hono";
import { webhookDeliverer, type SandboxModule } from "@/lib/sandbox/kit";
import { mountOAuthServer, type BearerInfo } from "@/lib/sandbox/oauth";
import { escapeHtml, hostedPage, plainCss } from "@/lib/sandbox/html";

type Obj = Record<string, unknown>;

type Recording = {
  id: string;
  meeting_id: string;
  recording_start: string;
  recording_end: string;
  file_type: string;
  file_extension: string;
  file_size: number;
  play_url: string;
  download_url: string;
  status: "completed";
  recording_type: string;
};

type Meeting = {
  id: string; // int64 as decimal text
  uuid: string;
  account: string;
  host_id: string;
  host_email: string;
  topic: string;
  type: number;
  status: "waiting" | "started";
  start_time?: string;
  duration?: number;
  timezone?: string;
  agenda?: string;
  created_at: string;
  password: string;
  encrypted: string;
  zak: string;
  settings: Obj;
  recurrence?: Obj;
  occurrences?: Obj[];
  recordings: Recording[];
  startedAt?: string;
};

type Subscription = { clientId: string; url: string; secretToken: string; events: string[] | null; validated: boolean; lastError: string | null; validatedAt: string | null };
type Delivery = { id: string; clientId: string; event: string; url: string; body: string; status: number | null; ok: boolean; error: string | null; at: string };
type State = { meetings: Map<string, Meeting>; subscriptions: Map<string, Subscription>; deliveries: Delivery[]; nextId: bigint };

// ───────────── wire helpers ─────────────

const I64 = "\u0000i64:";
/** JSON with int64 fields as bare numbers (how Zoom writes meeting ids) */
export function int64Json(value: unknown, int64Keys: readonly string[] = ["id", "meeting_id"]): string {
  const text = JSON.stringify(value, (k, v) => (int64Keys.includes(k) && typeof v === "string" && /^\d{1,19}$/.test(v) ? `${I64}${v}` : v));
  return text.replace(/"\\u0000i64:(\d{1,19})"/g, "$1");
}

const zoomJson = (c: Context, body: unknown, status = 200) =>
  c.body(int64Json(body), status as 200, { "content-type": "application/json;charset=UTF-8" });
const zoomError = (c: Context, status: number, code: number, message: string) => zoomJson(c, { code, message }, status);

const isoSeconds = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
const now = () => isoSeconds(new Date());

// ───────────── recurrence (what Zoom computes for type 8 meetings) ─────────────

const MAX_OCCURRENCES = 60;
const DAY = 86_400_000;

function addMonths(d: Date, n: number) {
  const x = new Date(d);
  x.setUTCMonth(x.getUTCMonth() + n);
  return x;
}

/** The occurrences of a recurring meeting. Days are counted in UTC (Zoom uses the meeting's time zone: close enough for the sandbox). */
export function occurrencesOf(start: Date, duration: number, r: Obj): Obj[] {
  const type = Number(r.type);
  const every = Math.max(1, Number(r.repeat_interval ?? 1));
  const count = r.end_times !== undefined ? Math.min(MAX_OCCURRENCES, Number(r.end_times)) : MAX_OCCURRENCES;
  const until = typeof r.end_date_time === "string" ? Date.parse(r.end_date_time) : Infinity;
  const out: Date[] = [];
  const push = (d: Date) => {
    if (d.getTime() >= start.getTime() && d.getTime() <= until && out.length < count) out.push(d);
  };
  for (let i = 0; out.length < count && i < 400; i++) {
    if (type === 1) push(new Date(start.getTime() + i * every * DAY));
    else if (type === 2) {
      const days = String(r.weekly_days ?? String(start.getUTCDay() + 1)).split(",").map(Number).sort();
      const weekStart = new Date(start.getTime() - start.getUTCDay() * DAY + i * every * 7 * DAY);
      for (const wd of days) push(new Date(weekStart.getTime() + (wd - 1) * DAY));
    } else if (type === 3) {
      const m = addMonths(start, i * every);
      if (r.monthly_day !== undefined) {
        m.setUTCDate(Number(r.monthly_day));
        push(m);
      } else {
        const week = Number(r.monthly_week ?? 1);
        const wd = Number(r.monthly_week_day ?? start.getUTCDay() + 1) - 1;
        const first = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth(), 1, start.getUTCHours(), start.getUTCMinutes()));
        let d: Date;
        if (week === -1) {
          const last = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 0, start.getUTCHours(), start.getUTCMinutes()));
          d = new Date(last.getTime() - ((last.getUTCDay() - wd + 7) % 7) * DAY);
        } else d = new Date(first.getTime() + (((wd - first.getUTCDay() + 7) % 7) + (week - 1) * 7) * DAY);
        push(d);
      }
    } else break;
    if (out.length && out[out.length - 1].getTime() > until) break;
  }
  return out.map((d) => ({ occurrence_id: String(d.getTime()), start_time: isoSeconds(d), duration, status: "available" }));
}

/** Zoom's checks on a recurrence (its documented limits); an error message or null. */
function recurrenceProblem(r: unknown): string | null {
  if (!r || typeof r !== "object") return "Recurrence is required for a recurring meeting with fixed time (type 8).";
  const x = r as Obj;
  const type = Number(x.type);
  if (![1, 2, 3].includes(type)) return "Invalid field: recurrence.type.";
  const max = type === 1 ? 99 : type === 2 ? 50 : 10;
  const every = x.repeat_interval === undefined ? 1 : Number(x.repeat_interval);
  if (!Number.isInteger(every) || every < 1 || every > max) return `Invalid field: recurrence.repeat_interval (1–${max}).`;
  if (type === 2 && x.weekly_days !== undefined && !/^[1-7](,[1-7])*$/.test(String(x.weekly_days))) return "Invalid field: recurrence.weekly_days.";
  if (x.end_times !== undefined && x.end_date_time !== undefined) return "end_times and end_date_time cannot both be set.";
  if (x.end_times !== undefined && (!Number.isInteger(Number(x.end_times)) || Number(x.end_times) < 1 || Number(x.end_times) > MAX_OCCURRENCES)) {
    return `Invalid field: recurrence.end_times (1–${MAX_OCCURRENCES}).`;
  }
  if (x.end_date_time !== undefined && Number.isNaN(Date.parse(String(x.end_date_time)))) return "Invalid field: recurrence.end_date_time.";
  return null;
}

// ───────────── the module ─────────────

const ZOOM_CSS = plainCss({ radius: "0.5rem", primary: "background:#0b5cff;color:#fff;border-color:#0b5cff" });

const zoom: SandboxModule = {
  id: "zoom",
  faultBody(status) {
    if (status === 401) return { code: 124, message: "Invalid access token." };
    if (status === 429) return { code: 429, message: "You have reached the maximum per-second rate limit for this API. Try again later." };
    if (status === 404) return { code: 3001, message: "Meeting does not exist." };
    // Zoom's 5xx bodies are UNCONFIRMED; the shape is kept
    return { code: status, message: status >= 500 ? "Internal Error (sandbox fault)." : `sandbox fault ${status}` };
  },
  mount(app, kit) {
    const st = () =>
      kit.state<State>("zoom", () => ({
        meetings: new Map(),
        subscriptions: new Map(),
        deliveries: [],
        // above 2^53: a JS number cannot hold these exactly
        nextId: 9_007_199_254_740_993n + BigInt(randomBytes(3).readUIntBE(0, 3)) * 1000n,
      }));
    const base = () => `${kit.baseUrl()}/zoom`;

    const oauth = mountOAuthServer(app, kit, {
      provider: "zoom",
      displayName: "Zoom",
      tokenPath: "/oauth/token",
      clientAuth: "basic",
      grants: ["account_credentials"],
      accessTtlSeconds: 3600,
      tokenType: "bearer",
      tokenExtras: () => ({ api_url: base() }),
    });

    const host = (account: string) => ({
      id: `sbx${createHmac("sha256", "host").update(account).digest("base64url").slice(0, 19)}`,
      email: `host+${account.toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 20)}@sandbox.zoom.test`,
    });

    function meetingJson(m: Meeting) {
      return {
        uuid: m.uuid,
        id: m.id,
        host_id: m.host_id,
        host_email: m.host_email,
        topic: m.topic,
        type: m.type,
        status: m.status,
        ...(m.start_time ? { start_time: m.start_time } : {}),
        ...(m.duration !== undefined ? { duration: m.duration } : {}),
        ...(m.timezone ? { timezone: m.timezone } : {}),
        ...(m.agenda ? { agenda: m.agenda } : {}),
        created_at: m.created_at,
        start_url: `${base()}/s/${m.id}?zak=${m.zak}`,
        join_url: `${base()}/j/${m.id}?pwd=${m.encrypted}`,
        password: m.password,
        h323_password: m.password.replace(/\D/g, "").padEnd(6, "0").slice(0, 6),
        pstn_password: m.password.replace(/\D/g, "").padEnd(6, "0").slice(0, 6),
        encrypted_password: m.encrypted,
        settings: m.settings,
        pre_schedule: false,
        ...(m.recurrence ? { recurrence: m.recurrence } : {}),
        ...(m.occurrences ? { occurrences: m.occurrences } : {}),
      };
    }

    /** the event's object: what Zoom puts under payload.object for meeting events */
    const eventObject = (m: Meeting, extra: Obj = {}) => ({
      uuid: m.uuid,
      id: m.id,
      host_id: m.host_id,
      topic: m.topic,
      type: m.type,
      ...(m.start_time ? { start_time: m.start_time } : {}),
      ...(m.timezone ? { timezone: m.timezone } : {}),
      ...(m.duration !== undefined ? { duration: m.duration } : {}),
      ...extra,
    });

    // ── webhooks ──
    function sign(secret: string, ts: string, body: string) {
      return `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
    }

    const webhooks = webhookDeliverer<Delivery>({ log: () => st().deliveries, headers: { "content-type": "application/json; charset=utf-8", "user-agent": "Zoom Marketplace/1.0a" } });

    /** logs `d` (before the POST: a test sees it in flight) and posts it signed; the answer, null without one */
    async function post(d: Delivery, secret: string) {
      const ts = String(Math.floor(Date.now() / 1000));
      const { posted } = await webhooks.deliver(d.url, d.body, {
        headers: { "x-zm-request-timestamp": ts, "x-zm-signature": sign(secret, ts, d.body), "x-zm-trackingid": `v=2.0&clid=us&rid=${randomUUID()}` },
        logFirst: true,
        start: d,
        done: (p) => {
          d.status = p.status;
          d.ok = p.ok;
          d.error = p.error ?? (p.ok ? null : p.text.slice(0, 500));
          d.at = new Date().toISOString();
        },
      });
      return posted.status === null ? null : posted;
    }

    async function emit(account: string, event: string, payload: Obj, extra: Obj = {}) {
      const sub = st().subscriptions.get(account);
      if (!sub || !sub.validated || (sub.events && !sub.events.includes(event))) return;
      const body = int64Json({ event, payload: { account_id: account, ...payload }, event_ts: Date.now(), ...extra });
      await post({ id: randomUUID(), clientId: account, event, url: sub.url, body, status: null, ok: false, error: null, at: now() }, sub.secretToken);
    }

    /** Zoom's endpoint.url_validation: the answer must be {plainToken, encryptedToken} within 3 s */
    async function validate(sub: Subscription) {
      const plainToken = randomBytes(16).toString("base64url");
      const body = JSON.stringify({ payload: { plainToken }, event_ts: Date.now(), event: "endpoint.url_validation" });
      const d: Delivery = { id: randomUUID(), clientId: sub.clientId, event: "endpoint.url_validation", url: sub.url, body, status: null, ok: false, error: null, at: now() };
      const started = Date.now();
      const res = await post(d, sub.secretToken);
      let error: string | null = null;
      if (!res) error = `URL validation failed: ${d.error}`;
      else if (Date.now() - started > 3000) error = "URL validation failed: no answer within 3 seconds";
      else if (res.status !== 200) error = `URL validation failed: HTTP ${res.status}`;
      else {
        const answer = ((): { plainToken?: unknown; encryptedToken?: unknown } | null => {
          try {
            return JSON.parse(res.text);
          } catch {
            return null; // not JSON: no match below
          }
        })();
        const expected = createHmac("sha256", sub.secretToken).update(plainToken).digest("hex");
        if (answer?.plainToken !== plainToken || answer?.encryptedToken !== expected) error = "URL validation failed: the answer's encryptedToken does not match";
      }
      sub.validated = !error;
      sub.lastError = error;
      d.ok = !error;
      d.error = error;
      if (!error) sub.validatedAt = now();
      return sub;
    }

    const subView = (s: Subscription) => ({ clientId: s.clientId, url: s.url, events: s.events, validated: s.validated, validatedAt: s.validatedAt, lastError: s.lastError });

    app.post("/__webhooks", async (c) => {
      const b = (await c.req.json().catch(() => null)) as { clientId?: string; url?: string; secretToken?: string; events?: string[] } | null;
      if (!b?.clientId || !b.url || !b.secretToken) return c.json({ error: "clientId, url and secretToken are required" }, 400);
      const sub: Subscription = { clientId: b.clientId, url: b.url, secretToken: b.secretToken, events: b.events ?? null, validated: false, lastError: null, validatedAt: null };
      st().subscriptions.set(b.clientId, sub);
      return c.json(subView(await validate(sub)), 201);
    });
    app.post("/__webhooks/validate", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { clientId?: string };
      const sub = st().subscriptions.get(b.clientId ?? "");
      if (!sub) return c.json({ error: "no subscription for this client" }, 404);
      return c.json(subView(await validate(sub)));
    });
    app.get("/__webhooks", (c) => {
      const sub = st().subscriptions.get(c.req.query("clientId") ?? "");
      return sub ? c.json(subView(sub)) : c.json({ error: "no subscription for this client" }, 404);
    });
    app.get("/__deliveries", (c) => {
      const id = c.req.query("clientId");
      return c.json({ items: st().deliveries.filter((d) => !id || d.clientId === id) });
    });
    app.post("/__deliveries/:id/redeliver", async (c) => {
      const d = st().deliveries.find((x) => x.id === c.req.param("id"));
      const sub = d ? st().subscriptions.get(d.clientId) : undefined;
      if (!d || !sub) return c.json({ error: "no such delivery" }, 404);
      const again: Delivery = { ...d, id: randomUUID(), status: null, ok: false, error: null };
      await post(again, sub.secretToken);
      return c.json(again);
    });

    // ── the host's side (control + hosted pages) ──
    function recordingsFor(m: Meeting, n: number): Recording[] {
      const startMs = m.startedAt ? Date.parse(m.startedAt) : Date.now() - 30 * 60_000;
      const kinds = [
        { file_type: "MP4", file_extension: "MP4", recording_type: "shared_screen_with_speaker_view" },
        { file_type: "M4A", file_extension: "M4A", recording_type: "audio_only" },
        { file_type: "TRANSCRIPT", file_extension: "VTT", recording_type: "audio_transcript" },
      ];
      return Array.from({ length: n }, (_, i) => {
        const id = randomUUID();
        const k = kinds[i % kinds.length];
        return {
          id,
          meeting_id: m.uuid,
          recording_start: isoSeconds(new Date(startMs)),
          recording_end: now(),
          ...k,
          file_size: 1_048_576 * (i + 1),
          play_url: `${base()}/rec/play/${id}`,
          download_url: `${base()}/rec/download/${id}`,
          status: "completed" as const,
        };
      });
    }

    async function start(m: Meeting) {
      m.status = "started";
      m.startedAt = now();
      await emit(m.account, "meeting.started", { object: eventObject(m, { start_time: m.startedAt }) });
    }
    async function end(m: Meeting, recordings: number) {
      m.status = "waiting";
      await emit(m.account, "meeting.ended", { object: eventObject(m, { start_time: m.startedAt ?? m.start_time, end_time: now() }) });
      if (recordings > 0) {
        m.recordings.push(...recordingsFor(m, recordings));
        await emit(m.account, "recording.completed", { object: recordingsJson(m) }, { download_token: randomBytes(24).toString("base64url") });
      }
    }

    function recordingsJson(m: Meeting) {
      return {
        uuid: m.uuid,
        id: m.id,
        account_id: m.account,
        host_id: m.host_id,
        topic: m.topic,
        type: m.type,
        start_time: m.startedAt ?? m.start_time ?? m.created_at,
        timezone: m.timezone ?? "UTC",
        duration: m.duration ?? 0,
        total_size: m.recordings.reduce((a, r) => a + r.file_size, 0),
        recording_count: m.recordings.length,
        share_url: `${base()}/rec/share/${m.uuid}`,
        recording_files: m.recordings,
        password: m.password,
      };
    }

    const find = (id: string) => st().meetings.get(id);
    app.get("/__meetings", (c) => {
      const id = c.req.query("clientId");
      return c.body(int64Json({ items: [...st().meetings.values()].filter((m) => !id || m.account === id).map(meetingJson) }), 200, { "content-type": "application/json" });
    });
    app.post("/__meetings/:id/:action{start|end|finish}", async (c) => {
      const m = find(c.req.param("id"));
      if (!m) return c.json({ error: "no such meeting" }, 404);
      const b = (await c.req.json().catch(() => ({}))) as { recordings?: number };
      const action = c.req.param("action");
      if (action === "start") await start(m);
      else {
        if (m.status !== "started") await start(m);
        await end(m, action === "finish" ? (b.recordings ?? 2) : (b.recordings ?? 0));
      }
      return zoomJson(c, meetingJson(m));
    });

    const page = (title: string, body: string) => hostedPage(title, `<p class="note">Zoom sandbox: no real meeting takes place.</p>${body}`, ZOOM_CSS);
    app.get("/j/:id", (c) => {
      const m = find(c.req.param("id"));
      if (!m) return c.html(page("Meeting not found", "<h1>This meeting ID is not valid</h1>"), 404);
      if (c.req.query("pwd") !== m.encrypted) return c.html(page("Enter passcode", `<h1>${escapeHtml(m.topic)}</h1><p>Enter the meeting passcode to join.</p>`), 401);
      return c.html(page(m.topic, `<h1>${escapeHtml(m.topic)}</h1><p>${m.status === "started" ? "The meeting is in progress." : "Waiting for the host to start this meeting."}</p>`));
    });
    app.get("/s/:id", (c) => {
      const m = find(c.req.param("id"));
      if (!m || c.req.query("zak") !== m.zak) return c.html(page("Not allowed", "<h1>This start link is not valid</h1>"), 403);
      const form = (action: string, label: string, primary = false) =>
        `<form method="post" action="${escapeHtml(`/zoom/s/${m.id}/${action}?zak=${m.zak}`)}" style="display:inline"><button${primary ? ' class="primary"' : ""}>${label}</button></form>`;
      return c.html(
        page(
          m.topic,
          `<h1>${escapeHtml(m.topic)}</h1><p>Status: <strong>${m.status === "started" ? "in progress" : "not started"}</strong></p>${
            m.status === "started" ? `${form("end", "End meeting")}${form("finish", "End and save recording", true)}` : form("start", "Start meeting", true)
          }`,
        ),
      );
    });
    app.post("/s/:id/:action{start|end|finish}", async (c) => {
      const m = find(c.req.param("id"));
      if (!m || c.req.query("zak") !== m.zak) return c.html(page("Not allowed", "<h1>This start link is not valid</h1>"), 403);
      const action = c.req.param("action");
      if (action === "start") await start(m);
      else if (m.status === "started") await end(m, action === "finish" ? 2 : 0);
      return c.redirect(`/zoom/s/${m.id}?zak=${m.zak}`, 303);
    });

    // ── the REST API ──
    const callers = new WeakMap<Request, BearerInfo>();
    app.use("/v2/*", async (c, next) => {
      const who = oauth.verify(c.req.header("authorization"));
      if (!who) return zoomError(c, 401, 124, "Invalid access token.");
      callers.set(c.req.raw, who);
      await next();
    });
    const caller = (c: Context) => callers.get(c.req.raw)!;

    function userOk(account: string, userId: string) {
      const h = host(account);
      return userId === "me" || userId === h.id || userId.toLowerCase() === h.email;
    }

    app.get("/v2/users/:userId", (c) => {
      const account = caller(c).clientId;
      if (!userOk(account, c.req.param("userId"))) return zoomError(c, 404, 1001, `User does not exist: ${c.req.param("userId")}.`);
      const h = host(account);
      return zoomJson(c, {
        id: h.id,
        first_name: "Sandbox",
        last_name: "Host",
        display_name: "Sandbox Host",
        email: h.email,
        type: 2,
        role_name: "Owner",
        pmi: 0,
        timezone: "UTC",
        verified: 1,
        dept: "",
        created_at: "2024-01-01T00:00:00Z",
        account_id: caller(c).sub,
        status: "active",
      });
    });

    app.post("/v2/users/:userId/meetings", async (c) => {
      const who = caller(c);
      const account = who.clientId;
      if (!userOk(account, c.req.param("userId"))) return zoomError(c, 404, 1001, `User does not exist: ${c.req.param("userId")}.`);
      const b = (await c.req.json().catch(() => null)) as Obj | null;
      if (!b || typeof b !== "object") return zoomError(c, 400, 300, "Request Body should be a valid JSON object.");
      const type = b.type === undefined ? 2 : Number(b.type);
      if (![1, 2, 3, 8].includes(type)) return zoomError(c, 400, 300, "Invalid field: type.");
      const topic = typeof b.topic === "string" ? b.topic : "Zoom Meeting";
      if (topic.length > 200) return zoomError(c, 400, 300, "Invalid field: topic (at most 200 characters).");
      if (typeof b.agenda === "string" && b.agenda.length > 2000) return zoomError(c, 400, 300, "Invalid field: agenda (at most 2000 characters).");
      const startTime = typeof b.start_time === "string" ? Date.parse(b.start_time) : NaN;
      if ((type === 2 || type === 8) && Number.isNaN(startTime)) return zoomError(c, 400, 300, "Invalid field: start_time.");
      if (b.duration !== undefined && (!Number.isInteger(b.duration) || (b.duration as number) < 0)) return zoomError(c, 400, 300, "Invalid field: duration.");
      if (type === 8) {
        const problem = recurrenceProblem(b.recurrence);
        if (problem) return zoomError(c, 400, 300, problem);
      }
      const s = st();
      const id = String(s.nextId);
      s.nextId += BigInt(1 + (randomBytes(1)[0] % 7));
      const h = host(account);
      const duration = b.duration === undefined ? 60 : (b.duration as number);
      const password = typeof b.password === "string" && b.password ? b.password : randomBytes(6).toString("base64url").replace(/[^A-Za-z0-9]/g, "x").slice(0, 6);
      const settings = (b.settings && typeof b.settings === "object" ? b.settings : {}) as Obj;
      const m: Meeting = {
        id,
        uuid: `${randomBytes(16).toString("base64").slice(0, 22)}==`,
        account,
        host_id: h.id,
        host_email: h.email,
        topic,
        type,
        status: "waiting",
        start_time: Number.isNaN(startTime) ? undefined : isoSeconds(new Date(startTime)),
        duration: type === 3 ? undefined : duration,
        timezone: typeof b.timezone === "string" ? b.timezone : "UTC",
        agenda: typeof b.agenda === "string" ? b.agenda : undefined,
        created_at: now(),
        password,
        encrypted: randomBytes(24).toString("base64url"),
        zak: randomBytes(24).toString("base64url"),
        settings: {
          host_video: false,
          participant_video: false,
          join_before_host: false,
          mute_upon_entry: false,
          waiting_room: true,
          auto_recording: "none",
          approval_type: 2,
          audio: "both",
          ...settings,
        },
        recordings: [],
      };
      if (type === 8) {
        const r = { ...(b.recurrence as Obj) };
        if (r.repeat_interval === undefined) r.repeat_interval = 1;
        m.recurrence = r;
        m.occurrences = occurrencesOf(new Date(startTime), duration, r);
        if (!m.occurrences.length) return zoomError(c, 400, 300, "The recurrence has no occurrence after start_time.");
        m.start_time = m.occurrences[0].start_time as string;
      }
      s.meetings.set(id, m);
      void emit(account, "meeting.created", { operator: h.email, operator_id: h.id, object: eventObject(m) });
      return zoomJson(c, meetingJson(m), 201);
    });

    const mine = (c: Context): Meeting | null => {
      const m = find(c.req.param("meetingId") ?? "");
      return m && m.account === caller(c).clientId ? m : null;
    };

    app.get("/v2/meetings/:meetingId", (c) => {
      const m = mine(c);
      if (!m) return zoomError(c, 404, 3001, `Meeting does not exist: ${c.req.param("meetingId")}.`);
      return zoomJson(c, meetingJson(m));
    });

    app.delete("/v2/meetings/:meetingId", async (c) => {
      const m = mine(c);
      if (!m) return zoomError(c, 404, 3001, `Meeting does not exist: ${c.req.param("meetingId")}.`);
      const occurrence = c.req.query("occurrence_id");
      const h = host(m.account);
      if (occurrence && m.occurrences) {
        const o = m.occurrences.find((x) => x.occurrence_id === occurrence);
        if (!o) return zoomError(c, 404, 3001, `Meeting does not exist: ${m.id}.`);
        o.status = "deleted";
        void emit(m.account, "meeting.deleted", { operator: h.email, operator_id: h.id, operation: "single", object: eventObject(m, { occurrences: [o] }) });
        return c.body(null, 204);
      }
      st().meetings.delete(m.id);
      void emit(m.account, "meeting.deleted", { operator: h.email, operator_id: h.id, operation: "all", object: eventObject(m) });
      return c.body(null, 204);
    });

    app.get("/v2/meetings/:meetingId/recordings", (c) => {
      const m = mine(c);
      if (!m) return zoomError(c, 404, 3001, `Meeting does not exist: ${c.req.param("meetingId")}.`);
      if (!m.recordings.length) return zoomError(c, 404, 3301, "This recording does not exist.");
      return zoomJson(c, recordingsJson(m));
    });

    app.all("/v2/*", (c) => zoomError(c, 404, 404, "No such API in the Zoom sandbox."));
  },
};

export default zoom;
