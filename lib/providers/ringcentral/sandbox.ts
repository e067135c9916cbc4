// Emulator of the part of RingCentral's platform Switchboard uses, in its wire format, so the
// official @ringcentral/sdk runs end to end against it (mounted under /ringcentral):
//
//   OAuth (lib/sandbox/oauth.ts)   GET  /restapi/oauth/authorize (consent page), POST /restapi/oauth/token
//                                  (Basic client auth, authorization_code + PKCE, refresh_token with
//                                  rotation, refresh_token_expires_in, owner_id), POST /restapi/oauth/revoke
//   GET  /restapi/v1.0/account/~/extension/~                        the connected user's extension
//   POST /restapi/v1.0/account/~/extension/~/ring-out               {from:{phoneNumber}, to:{phoneNumber}, playPrompt}
//   GET  /restapi/v1.0/account/~/extension/~/ring-out/{id}          {id, status:{callStatus, callerStatus, calleeStatus}}
//   POST /restapi/v1.0/account/~/extension/~/sms                    {from:{phoneNumber}, to:[{phoneNumber}], text}
//   GET  /restapi/v1.0/account/~/extension/~/message-store/{id}     the message with its messageStatus
//   GET  /restapi/v1.0/account/~/extension/~/call-log               dateFrom, dateTo, page, perPage, view, type, direction
//   GET  /restapi/v1.0/account/~/call-log                           the same for the whole account
//   POST /restapi/v1.0/subscription                                 WebHook subscriptions, created only after the
//                                                                   Validation-Token handshake succeeds (3 s)
//   GET|PUT|DELETE /restapi/v1.0/subscription/{id}, POST /restapi/v1.0/subscription/{id}/renew
// Every API call needs a bearer the OAuth server issued (401 in RingCentral's format otherwise).
// Errors: {"errorCode","message","errors":[{"errorCode","message","parameterName"?}]}.
//
// It plays RingCentral's side too:
//   - a RingOut rings the caller, then the callee: InProgress → Success after ~1.2 s (connected),
//     and the call ends ~1.5 s later: its call-log record appears (action "RingOut Web", result
//     "Call connected") and a telephony-session notification (Disconnected) goes to the
//     subscriptions. Magic callees: +16505550101 Busy, +16505550102 NoAnswer, +16505550103
//     Rejected, +16505550199 refused (400 CMN-101).
//   - an SMS is Queued, then Sent (~150 ms), then Delivered (~300 ms later); +16505550111 ends
//     DeliveryFailed, +16505550112 SendingFailed, +16505550199 is refused (400 CMN-101). Each
//     change is a message-store notification; each SMS lands in the sandbox inbox (kind "sms").
//   - notifications carry Verification-Token (the subscription's token) and are logged.
//
// Control routes (tests, the demo):
//   POST /ringcentral/__calls {clientId, sub?, records:[…]}     seed call-log records (fields defaulted)
//   POST /ringcentral/__ringout/{id} {outcome?, end?}           decide a RingOut now (Success|Busy|NoAnswer|Rejected)
//   POST /ringcentral/__settings {ringoutConnectMs, ringoutTalkMs, smsStepMs}
//   POST /ringcentral/__notify {subscriptionId, kind?, verificationToken?, uuid?, body?}  send one notification now
//   POST /ringcentral/__subscriptions/{id}/expire               make a subscription lapse (it is gone, like RingCentral's)
//   GET  /ringcentral/__subscriptions?clientId=, /__deliveries?clientId= (notifications and handshakes)
// Unconfirmed details are marked UNCONFIRMED: RingCentral's exact error codes for some
// refusals, the delay before a record reaches the call log, the SMS delivery error codes.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Context } from "hono";
import { answered, webhookDeliverer, type SandboxModule } from "@/lib/sandbox/kit";
import { mountOAuthServer, type OAuthServer } from "@/lib/sandbox/oauth";

const E164 = /^\+[1-9]\d{6,14}$/;
export const RINGCENTRAL_DEFAULT_ACCOUNT = "sandbox.user@example.com";
export const RINGCENTRAL_MAGIC = {
  busy: "+16505550101",
  noAnswer: "+16505550102",
  rejected: "+16505550103",
  smsUndelivered: "+16505550111",
  smsSendingFailed: "+16505550112",
  invalid: "+16505550199",
} as const;
/** the number RingCentral shows as the extension's own (the RingOut "from" if none is given) */
export const RINGCENTRAL_SANDBOX_NUMBER = "+16505550100";
const MAX_TTL = 630_720_000;
const DEFAULT_TTL = 604_800;
const HANDSHAKE_TIMEOUT_MS = 3000;

type CallRecord = {
  uri: string;
  id: string;
  sessionId: string;
  telephonySessionId: string;
  startTime: string;
  duration: number;
  type: string;
  internalType: string;
  direction: "Inbound" | "Outbound";
  action: string;
  result: string;
  reason?: string;
  to: { phoneNumber?: string; name?: string; location?: string };
  from: { phoneNumber?: string; name?: string; location?: string };
  extension: { uri: string; id: number };
  transport: string;
  lastModifiedTime: string;
  recording?: { id: string; uri: string; type: string; contentUri: string };
};

type RingOut = {
  id: string;
  ext: Ext;
  from: string;
  to: string;
  startedAt: Date;
  sessionId: string;
  telephonySessionId: string;
  status: { callStatus: string; callerStatus: string; calleeStatus: string };
  ended: boolean;
  timers: NodeJS.Timeout[];
};

type Msg = {
  id: number;
  ext: Ext;
  from: string;
  to: string;
  text: string;
  status: string;
  created: Date;
  modified: Date;
  deliveryErrorCode?: string;
};

type Sub = {
  id: string;
  ext: Ext;
  eventFilters: string[];
  address: string;
  verificationToken: string | null;
  expiresIn: number;
  expiresAt: number;
  created: Date;
};

type Ext = {
  clientId: string;
  sub: string;
  accountId: string;
  extensionId: string;
  name: string;
  extensionNumber: string;
  calls: CallRecord[];
  seq: number;
};

type Delivery = { kind: string; clientId: string; subscriptionId: string | null; address: string; event?: string; uuid?: string; ok: boolean; status?: number; error?: string; ms: number; at: string };

type State = {
  exts: Map<string, Ext>;
  ringouts: Map<string, RingOut>;
  messages: Map<number, Msg>;
  subs: Map<string, Sub>;
  deliveries: Delivery[];
  settings: { ringoutConnectMs: number; ringoutTalkMs: number; smsStepMs: number };
  nextMessageId: number;
};

const digits = (s: string, n: number) => (BigInt(`0x${createHash("sha256").update(s).digest("hex").slice(0, 15)}`) % 10n ** BigInt(n)).toString().padStart(n, "1");

function rcError(c: Context, status: number, errorCode: string, message: string, parameterName?: string) {
  return c.json({ errorCode, message, errors: [{ errorCode, message, ...(parameterName ? { parameterName } : {}) }] }, status as 400);
}

const iso = (d: Date | number) => new Date(d).toISOString().replace(/\.\d{3}Z$/, ".000Z");

function nameOf(sub: string) {
  const local = sub.split("@")[0] ?? sub;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(" ") || "Sandbox User";
}

const ringcentralSandbox: SandboxModule = {
  id: "ringcentral",
  faultBody: (status) => {
    if (status === 429) return { errorCode: "CMN-301", message: "Request rate exceeded", errors: [{ errorCode: "CMN-301", message: "Request rate exceeded" }] };
    if (status === 401) return { errorCode: "TokenInvalid", message: "Token not found", errors: [{ errorCode: "OAU-213", message: "Token not found" }] };
    if (status >= 500) return { errorCode: "CMN-201", message: "Service Temporary Unavailable", errors: [{ errorCode: "CMN-201", message: "Service Temporary Unavailable" }] };
    return { errorCode: "CMN-101", message: `Sandbox fault ${status}`, errors: [{ errorCode: "CMN-101", message: `Sandbox fault ${status}` }] };
  },
  mount(app, kit) {
    const st = () =>
      kit.state<State>("ringcentral", () => ({
        exts: new Map(),
        ringouts: new Map(),
        messages: new Map(),
        subs: new Map(),
        deliveries: [],
        settings: { ringoutConnectMs: 1200, ringoutTalkMs: 1500, smsStepMs: 150 },
        nextMessageId: 1_000_000_001,
      }));
    const base = () => `${kit.baseUrl()}/ringcentral`;

    function ext(clientId: string, sub: string): Ext {
      const key = `${clientId}|${sub}`;
      const s = st();
      let e = s.exts.get(key);
      if (!e) {
        e = {
          clientId,
          sub,
          accountId: digits(`acc:${clientId}`, 9),
          extensionId: digits(`ext:${clientId}|${sub}`, 10),
          name: nameOf(sub),
          extensionNumber: String(101 + [...s.exts.values()].filter((x) => x.clientId === clientId).length),
          calls: [],
          seq: 0,
        };
        s.exts.set(key, e);
      }
      return e;
    }
    /** control routes: the extensions of a client app (the default account's when none connected yet) */
    function extsOf(clientId: string, sub?: string): Ext[] {
      if (sub) return [ext(clientId, sub)];
      const all = [...st().exts.values()].filter((e) => e.clientId === clientId);
      return all.length ? all : [ext(clientId, RINGCENTRAL_DEFAULT_ACCOUNT)];
    }

    const oauth: OAuthServer = mountOAuthServer(app, kit, {
      provider: "ringcentral",
      displayName: "RingCentral",
      authorizePath: "/restapi/oauth/authorize",
      tokenPath: "/restapi/oauth/token",
      revokePath: "/restapi/oauth/revoke",
      clientAuth: "basic",
      grants: ["authorization_code", "refresh_token"],
      accessTtlSeconds: 3600,
      rotateRefreshTokens: true,
      refreshTtlSeconds: 604_800,
      tokenType: "bearer",
      tokenExtras: ({ clientId, sub }) => ({ owner_id: ext(clientId, sub).extensionId, endpoint_id: randomBytes(8).toString("base64url") }),
    });

    /** The bearer's extension, or a 401 in RingCentral's words. */
    function caller(c: Context): Ext | Response {
      const who = oauth.verify(c.req.header("authorization"));
      if (!who) {
        const hasBearer = /^bearer\s+\S+/i.test(c.req.header("authorization") ?? "");
        return hasBearer
          ? rcError(c, 401, "TokenInvalid", "Token not found")
          : rcError(c, 401, "AGW-401", "Authorization header is not specified");
      }
      return ext(who.clientId, who.sub);
    }
    async function jsonBody(c: Context): Promise<Record<string, unknown> | null> {
      const b = await c.req.json().catch(() => null);
      return b && typeof b === "object" && !Array.isArray(b) ? (b as Record<string, unknown>) : null;
    }
    /** A POST to the caller's own …/extension/~/…: the extension and the JSON body, or the error answer. */
    async function ownPost(c: Context): Promise<{ e: Ext; b: Record<string, unknown> } | Response> {
      const e = caller(c);
      if (e instanceof Response) return e;
      if (!isMe(e, c.req.param("acc") ?? "", c.req.param("ext"))) return rcError(c, 404, "CMN-102", "Resource for parameter [extensionId] is not found", "extensionId");
      const b = await jsonBody(c);
      return b ? { e, b } : rcError(c, 400, "CMN-101", "Request body is invalid");
    }
    const phoneOf = (v: unknown) => String((v as { phoneNumber?: unknown } | undefined)?.phoneNumber ?? "");
    const extUri = (e: Ext) => `${base()}/restapi/v1.0/account/${e.accountId}/extension/${e.extensionId}`;
    /** "~" or the extension's own id in a path */
    const isMe = (e: Ext, acc: string, x?: string) => (acc === "~" || acc === e.accountId) && (x === undefined || x === "~" || x === e.extensionId);

    // ───────────── notifications ─────────────

    const webhooks = webhookDeliverer<Delivery>({ log: () => st().deliveries, headers: { "user-agent": "RingCentral-WebHook (sandbox)" } });

    function matches(filter: string, event: string, e: Ext) {
      const path = filter.split("?")[0].replace(/\/account\/~/, `/account/${e.accountId}`).replace(/\/extension\/~/, `/extension/${e.extensionId}`);
      if (path === event) return true;
      // an account-level telephony filter sees every extension's sessions
      return path === `/restapi/v1.0/account/${e.accountId}/telephony/sessions` && event.endsWith("/telephony/sessions");
    }

    async function deliver(s: Sub, event: string, body: unknown, opts: { verificationToken?: string | null; uuid?: string } = {}): Promise<Delivery> {
      const uuid = opts.uuid ?? randomUUID();
      const payload = { uuid, event, timestamp: new Date().toISOString(), subscriptionId: s.id, ownerId: s.ext.extensionId, body };
      const token = opts.verificationToken === undefined ? s.verificationToken : opts.verificationToken;
      const at = new Date().toISOString();
      const { record } = await webhooks.deliver(s.address, JSON.stringify(payload), {
        headers: { "content-type": "application/json; charset=utf-8", ...(token ? { "verification-token": token } : {}) },
        done: (p) => ({ kind: "notification", clientId: s.ext.clientId, subscriptionId: s.id, address: s.address, event, uuid, ...answered(p, "status"), ms: p.ms, at }),
      });
      return record!;
    }

    function notify(e: Ext, kind: "telephony" | "message-store", body: unknown) {
      const event = `/restapi/v1.0/account/${e.accountId}/extension/${e.extensionId}/${kind === "telephony" ? "telephony/sessions" : "message-store"}`;
      for (const s of st().subs.values()) {
        if (s.ext.accountId !== e.accountId || s.expiresAt < Date.now()) continue;
        if (!s.eventFilters.some((f) => matches(f, event, e))) continue;
        void deliver(s, event, body);
      }
    }

    function sessionBody(r: RingOut, code: string, reason?: string) {
      r.ext.seq++;
      return {
        sequence: r.ext.seq,
        sessionId: r.sessionId,
        telephonySessionId: r.telephonySessionId,
        serverId: "10.13.22.241.TAM",
        eventTime: new Date().toISOString(),
        origin: { type: "RingOut" },
        parties: [
          {
            accountId: r.ext.accountId,
            extensionId: r.ext.extensionId,
            id: `p-${r.telephonySessionId}-2`,
            direction: "Outbound",
            to: { phoneNumber: r.to },
            from: { phoneNumber: r.from, name: r.ext.name, extensionId: r.ext.extensionId },
            status: { code, rcc: false, ...(reason ? { reason } : {}) },
            missedCall: false,
            standAlone: false,
            muted: false,
          },
        ],
      };
    }

    function callRecord(e: Ext, r: Partial<CallRecord> & { startTime: string; direction: "Inbound" | "Outbound" }): CallRecord {
      const id = r.id ?? randomBytes(11).toString("base64url").replace(/[-_]/g, "x");
      return {
        uri: `${base()}/restapi/v1.0/account/${e.accountId}/extension/${e.extensionId}/call-log/${id}?view=Simple`,
        id,
        sessionId: r.sessionId ?? digits(`s:${id}`, 11),
        telephonySessionId: r.telephonySessionId ?? `s-${randomBytes(12).toString("hex")}`,
        startTime: r.startTime,
        duration: r.duration ?? 0,
        type: r.type ?? "Voice",
        internalType: r.internalType ?? "Local",
        direction: r.direction,
        action: r.action ?? "Phone Call",
        result: r.result ?? "Call connected",
        ...(r.reason ? { reason: r.reason } : {}),
        to: r.to ?? {},
        from: r.from ?? {},
        extension: { uri: extUri(e), id: Number(e.extensionId) },
        transport: r.transport ?? "PSTN",
        lastModifiedTime: r.lastModifiedTime ?? new Date().toISOString(),
        ...(r.recording ? { recording: r.recording } : {}),
      };
    }

    // ───────────── RingOut ─────────────

    const OUTCOMES: Record<string, { callee: string; result: string; reason?: string }> = {
      Success: { callee: "Success", result: "Call connected" },
      Busy: { callee: "Busy", result: "Busy", reason: "TargetBusy" },
      NoAnswer: { callee: "NoAnswer", result: "No Answer", reason: "NoAnswer" },
      Rejected: { callee: "Rejected", result: "Rejected", reason: "Rejected" },
    };
    const magicOutcome = (to: string) =>
      to === RINGCENTRAL_MAGIC.busy ? "Busy" : to === RINGCENTRAL_MAGIC.noAnswer ? "NoAnswer" : to === RINGCENTRAL_MAGIC.rejected ? "Rejected" : "Success";

    function endRingOut(r: RingOut) {
      if (r.ended) return;
      r.ended = true;
      r.timers.forEach(clearTimeout);
      const outcome = OUTCOMES[r.status.calleeStatus] ?? OUTCOMES.Success;
      const connected = r.status.callStatus === "Success";
      const talk = connected ? Math.max(1, Math.round((Date.now() - r.startedAt.getTime()) / 1000)) : 0;
      // UNCONFIRMED: on RingCentral a record reaches the call log some seconds after the call
      // ends; here it is there before the Disconnected notification goes out
      r.ext.calls.push(
        callRecord(r.ext, {
          sessionId: r.sessionId,
          telephonySessionId: r.telephonySessionId,
          startTime: iso(r.startedAt),
          duration: talk,
          direction: "Outbound",
          action: "RingOut Web",
          result: connected ? "Call connected" : outcome.result,
          reason: connected ? undefined : outcome.reason,
          from: { phoneNumber: r.from, name: r.ext.name },
          to: { phoneNumber: r.to },
        }),
      );
      notify(r.ext, "telephony", sessionBody(r, "Disconnected", connected ? "CallFinished" : outcome.reason));
    }

    function decide(r: RingOut, outcome: string) {
      if (r.status.callStatus !== "InProgress") return;
      const o = OUTCOMES[outcome] ?? OUTCOMES.Success;
      r.status = { callStatus: outcome === "Success" ? "Success" : o.callee, callerStatus: "Success", calleeStatus: o.callee };
      if (outcome === "Success") {
        notify(r.ext, "telephony", sessionBody(r, "Answered"));
        const t = setTimeout(() => endRingOut(r), st().settings.ringoutTalkMs);
        t.unref?.();
        r.timers.push(t);
      } else {
        endRingOut(r);
      }
    }

    function ringOutJson(r: RingOut) {
      return { uri: `${extUri(r.ext)}/ring-out/${r.id}`, id: Number(r.id), status: { ...r.status } };
    }

    // ───────────── control ─────────────

    app.post("/__settings", async (c) => {
      const b = (await jsonBody(c)) ?? {};
      const s = st().settings;
      for (const k of ["ringoutConnectMs", "ringoutTalkMs", "smsStepMs"] as const) {
        if (typeof b[k] === "number" && (b[k] as number) >= 0) s[k] = b[k] as number;
      }
      return c.json(s);
    });

    app.post("/__calls", async (c) => {
      const b = await jsonBody(c);
      if (!b || typeof b.clientId !== "string" || !Array.isArray(b.records)) return c.json({ error: "clientId and records[] are required" }, 400);
      const out: CallRecord[] = [];
      for (const e of extsOf(b.clientId, typeof b.sub === "string" ? b.sub : undefined)) {
        for (const raw of b.records as Record<string, unknown>[]) {
          const r = raw as Partial<CallRecord>;
          if (!r.startTime || Number.isNaN(Date.parse(r.startTime))) return c.json({ error: "every record needs a startTime" }, 400);
          const rec = callRecord(e, { ...r, startTime: iso(Date.parse(r.startTime)), direction: r.direction === "Inbound" ? "Inbound" : "Outbound" });
          const i = e.calls.findIndex((x) => x.id === rec.id);
          if (i >= 0) e.calls[i] = rec;
          else e.calls.push(rec);
          out.push(rec);
        }
      }
      return c.json({ records: out }, 201);
    });

    app.post("/__ringout/:id", async (c) => {
      const r = st().ringouts.get(c.req.param("id"));
      if (!r) return c.json({ error: "no such RingOut" }, 404);
      const b = (await jsonBody(c)) ?? {};
      const outcome = typeof b.outcome === "string" && OUTCOMES[b.outcome] ? b.outcome : "Success";
      r.timers.forEach(clearTimeout);
      decide(r, outcome);
      if (b.end === true) endRingOut(r);
      return c.json(ringOutJson(r));
    });

    app.post("/__notify", async (c) => {
      const b = await jsonBody(c);
      const s = b && typeof b.subscriptionId === "string" ? st().subs.get(b.subscriptionId) : undefined;
      if (!s) return c.json({ error: "no such subscription" }, 404);
      const kind = b!.kind === "message-store" ? "message-store" : "telephony";
      const event = `/restapi/v1.0/account/${s.ext.accountId}/extension/${s.ext.extensionId}/${kind === "telephony" ? "telephony/sessions" : "message-store"}`;
      const body =
        b!.body ??
        (kind === "telephony"
          ? { sequence: ++s.ext.seq, sessionId: digits(randomUUID(), 11), telephonySessionId: `s-${randomBytes(12).toString("hex")}`, eventTime: new Date().toISOString(), parties: [{ accountId: s.ext.accountId, extensionId: s.ext.extensionId, direction: "Inbound", status: { code: "Disconnected", reason: "CallFinished" } }] }
          : { accountId: Number(s.ext.accountId), extensionId: Number(s.ext.extensionId), lastUpdated: new Date().toISOString(), changes: [{ type: "SMS", newCount: 0, updatedCount: 1 }] });
      const d = await deliver(s, event, body, {
        verificationToken: b!.verificationToken === undefined ? undefined : (b!.verificationToken as string | null),
        uuid: typeof b!.uuid === "string" ? b!.uuid : undefined,
      });
      return c.json(d);
    });

    app.post("/__subscriptions/:id/expire", (c) => {
      const s = st().subs.get(c.req.param("id"));
      if (!s) return c.json({ error: "no such subscription" }, 404);
      s.expiresAt = Date.now() - 1;
      return c.body(null, 204);
    });
    app.get("/__subscriptions", (c) => {
      const clientId = c.req.query("clientId");
      const items = [...st().subs.values()]
        .filter((s) => !clientId || s.ext.clientId === clientId)
        .map((s) => ({ ...subJson(s), verificationToken: s.verificationToken, clientId: s.ext.clientId }));
      return c.json({ items });
    });
    app.get("/__deliveries", (c) => {
      const clientId = c.req.query("clientId");
      return c.json({ items: st().deliveries.filter((d) => !clientId || d.clientId === clientId) });
    });

    // ───────────── API ─────────────

    app.get("/restapi/v1.0/account/:acc/extension/:ext", (c) => {
      const e = caller(c);
      if (e instanceof Response) return e;
      if (!isMe(e, c.req.param("acc"), c.req.param("ext"))) return rcError(c, 404, "CMN-102", "Resource for parameter [extensionId] is not found", "extensionId");
      return c.json({
        uri: extUri(e),
        id: Number(e.extensionId),
        extensionNumber: e.extensionNumber,
        contact: { firstName: e.name.split(" ")[0], lastName: e.name.split(" ").slice(1).join(" "), email: e.sub },
        name: e.name,
        type: "User",
        status: "Enabled",
        permissions: { admin: { enabled: true }, internationalCalling: { enabled: true } },
        account: { uri: `${base()}/restapi/v1.0/account/${e.accountId}`, id: e.accountId },
      });
    });

    app.post("/restapi/v1.0/account/:acc/extension/:ext/ring-out", async (c) => {
      const own = await ownPost(c);
      if (own instanceof Response) return own;
      const { e, b } = own;
      const from = phoneOf(b.from);
      const to = phoneOf(b.to);
      if (!E164.test(from)) return rcError(c, 400, "CMN-101", "Parameter [from.phoneNumber] value is invalid", "from.phoneNumber");
      if (!E164.test(to) || to === RINGCENTRAL_MAGIC.invalid) return rcError(c, 400, "CMN-101", "Parameter [to.phoneNumber] value is invalid", "to.phoneNumber");
      const r: RingOut = {
        id: digits(randomUUID(), 12),
        ext: e,
        from,
        to,
        startedAt: new Date(),
        sessionId: digits(randomUUID(), 11),
        telephonySessionId: `s-${randomBytes(12).toString("hex")}`,
        status: { callStatus: "InProgress", callerStatus: "InProgress", calleeStatus: "InProgress" },
        ended: false,
        timers: [],
      };
      st().ringouts.set(r.id, r);
      notify(e, "telephony", sessionBody(r, "Proceeding"));
      const t = setTimeout(() => decide(r, magicOutcome(to)), st().settings.ringoutConnectMs);
      t.unref?.();
      r.timers.push(t);
      return c.json(ringOutJson(r));
    });

    app.get("/restapi/v1.0/account/:acc/extension/:ext/ring-out/:id", (c) => {
      const e = caller(c);
      if (e instanceof Response) return e;
      const r = st().ringouts.get(c.req.param("id"));
      if (!r || r.ext !== e || !isMe(e, c.req.param("acc"), c.req.param("ext"))) return rcError(c, 404, "CMN-102", "Resource for parameter [ringoutId] is not found", "ringoutId");
      return c.json(ringOutJson(r));
    });

    function messageJson(m: Msg) {
      return {
        uri: `${extUri(m.ext)}/message-store/${m.id}`,
        id: m.id,
        to: [{ phoneNumber: m.to }],
        from: { phoneNumber: m.from },
        type: "SMS",
        creationTime: m.created.toISOString(),
        readStatus: "Read",
        priority: "Normal",
        attachments: [{ id: m.id, uri: `${extUri(m.ext)}/message-store/${m.id}/content/${m.id}`, type: "Text", contentType: "text/plain" }],
        direction: "Outbound",
        availability: "Alive",
        subject: m.text,
        messageStatus: m.status,
        ...(m.deliveryErrorCode ? { deliveryErrorCode: m.deliveryErrorCode } : {}),
        smsSendingAttemptsCount: 1,
        conversationId: Number(digits(`${m.from}|${m.to}`, 12)),
        lastModifiedTime: m.modified.toISOString(),
      };
    }

    function advanceSms(m: Msg) {
      const step = st().settings.smsStepMs;
      const change = (status: string, code?: string) => {
        m.status = status;
        m.modified = new Date();
        if (code) m.deliveryErrorCode = code;
        notify(m.ext, "message-store", {
          accountId: Number(m.ext.accountId),
          extensionId: Number(m.ext.extensionId),
          lastUpdated: m.modified.toISOString(),
          changes: [{ type: "SMS", newCount: 0, updatedCount: 1 }],
        });
      };
      const t1 = setTimeout(() => {
        if (m.to === RINGCENTRAL_MAGIC.smsSendingFailed) return change("SendingFailed", "SMS-RC-410");
        change("Sent");
        const t2 = setTimeout(() => {
          // UNCONFIRMED: the deliveryErrorCode values RingCentral uses
          if (m.to === RINGCENTRAL_MAGIC.smsUndelivered) change("DeliveryFailed", "SMS-CAR-411");
          else change("Delivered");
        }, step * 2);
        t2.unref?.();
      }, step);
      t1.unref?.();
    }

    app.post("/restapi/v1.0/account/:acc/extension/:ext/sms", async (c) => {
      const own = await ownPost(c);
      if (own instanceof Response) return own;
      const { e, b } = own;
      const from = phoneOf(b.from);
      const toList = Array.isArray(b.to) ? (b.to as unknown[]) : [];
      const text = typeof b.text === "string" ? b.text : "";
      if (!E164.test(from)) return rcError(c, 400, "CMN-101", "Parameter [from.phoneNumber] value is invalid", "from.phoneNumber");
      if (!toList.length) return rcError(c, 400, "CMN-100", "Parameter [to] is not specified", "to");
      const to = phoneOf(toList[0]);
      if (!E164.test(to) || to === RINGCENTRAL_MAGIC.invalid) return rcError(c, 400, "CMN-101", "Parameter [to.phoneNumber] value is invalid", "to.phoneNumber");
      if (!text.trim()) return rcError(c, 400, "CMN-100", "Parameter [text] is not specified", "text");
      // UNCONFIRMED: RingCentral's code for an over-long SMS; 1000 characters is its documented limit
      if (text.length > 1000) return rcError(c, 400, "MSG-333", "The message text exceeds 1000 characters", "text");
      const s = st();
      const m: Msg = { id: s.nextMessageId++, ext: e, from, to, text, status: "Queued", created: new Date(), modified: new Date() };
      s.messages.set(m.id, m);
      kit.inbox.push({ provider: "ringcentral", kind: "sms", to, summary: text.slice(0, 200), payload: { id: m.id, from, to, text } });
      advanceSms(m);
      return c.json(messageJson(m));
    });

    app.get("/restapi/v1.0/account/:acc/extension/:ext/message-store/:id", (c) => {
      const e = caller(c);
      if (e instanceof Response) return e;
      const m = st().messages.get(Number(c.req.param("id")));
      if (!m || m.ext.accountId !== e.accountId || !isMe(e, c.req.param("acc"), c.req.param("ext"))) {
        return rcError(c, 404, "CMN-102", "Resource for parameter [messageId] is not found", "messageId");
      }
      return c.json(messageJson(m));
    });

    function callLog(c: Context, e: Ext, records: CallRecord[], path: string) {
      const q = c.req.query();
      const now = Date.now();
      const dateTo = q.dateTo ? Date.parse(q.dateTo) : now;
      const dateFrom = q.dateFrom ? Date.parse(q.dateFrom) : dateTo - 24 * 3600_000;
      if (Number.isNaN(dateFrom)) return rcError(c, 400, "CMN-101", "Parameter [dateFrom] value is invalid", "dateFrom");
      if (Number.isNaN(dateTo)) return rcError(c, 400, "CMN-101", "Parameter [dateTo] value is invalid", "dateTo");
      const perPage = Math.min(1000, Math.max(1, Number(q.perPage ?? 100) || 100));
      const page = Math.max(1, Number(q.page ?? 1) || 1);
      const hits = records
        .filter((r) => {
          const t = Date.parse(r.startTime);
          return t >= dateFrom && t <= dateTo && (!q.type || r.type === q.type) && (!q.direction || r.direction === q.direction);
        })
        .sort((a, b) => b.startTime.localeCompare(a.startTime) || b.id.localeCompare(a.id));
      const totalPages = Math.max(1, Math.ceil(hits.length / perPage));
      const slice = hits.slice((page - 1) * perPage, page * perPage);
      const link = (p: number) => {
        const u = new URL(`${base()}${path}`);
        for (const [k, v] of Object.entries(q)) if (k !== "page") u.searchParams.set(k, v);
        u.searchParams.set("page", String(p));
        return { uri: u.toString() };
      };
      return c.json({
        uri: link(page).uri,
        records: slice,
        paging: { page, totalPages, perPage, totalElements: hits.length, pageStart: (page - 1) * perPage, pageEnd: Math.max(0, (page - 1) * perPage + slice.length - 1) },
        navigation: {
          firstPage: link(1),
          ...(page < totalPages ? { nextPage: link(page + 1) } : {}),
          ...(page > 1 ? { previousPage: link(page - 1) } : {}),
          lastPage: link(totalPages),
        },
      });
    }

    app.get("/restapi/v1.0/account/:acc/extension/:ext/call-log", (c) => {
      const e = caller(c);
      if (e instanceof Response) return e;
      if (!isMe(e, c.req.param("acc"), c.req.param("ext"))) return rcError(c, 404, "CMN-102", "Resource for parameter [extensionId] is not found", "extensionId");
      return callLog(c, e, e.calls, `/restapi/v1.0/account/${c.req.param("acc")}/extension/${c.req.param("ext")}/call-log`);
    });
    app.get("/restapi/v1.0/account/:acc/call-log", (c) => {
      const e = caller(c);
      if (e instanceof Response) return e;
      if (!isMe(e, c.req.param("acc"))) return rcError(c, 404, "CMN-102", "Resource for parameter [accountId] is not found", "accountId");
      const all = [...st().exts.values()].filter((x) => x.accountId === e.accountId).flatMap((x) => x.calls);
      return callLog(c, e, all, `/restapi/v1.0/account/${c.req.param("acc")}/call-log`);
    });

    // ───────────── subscriptions ─────────────

    function subJson(s: Sub) {
      const resolve = (f: string) => f.replace(/\/account\/~/, `/account/${s.ext.accountId}`).replace(/\/extension\/~/, `/extension/${s.ext.extensionId}`);
      return {
        uri: `${base()}/restapi/v1.0/subscription/${s.id}`,
        id: s.id,
        creationTime: s.created.toISOString(),
        status: "Active",
        eventFilters: s.eventFilters.map(resolve),
        expirationTime: new Date(s.expiresAt).toISOString(),
        expiresIn: Math.max(0, Math.round((s.expiresAt - Date.now()) / 1000)),
        deliveryMode: { transportType: "WebHook", address: s.address, encryption: false },
      };
    }

    /** The Validation-Token handshake: the address must answer 200 echoing the token within 3 s. */
    async function validate(e: Ext, address: string): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
      const at = new Date().toISOString();
      const token = randomUUID();
      let out: { ok: true } | { ok: false; code: string; message: string } = { ok: true };
      await webhooks.deliver(address, undefined, {
        headers: { "validation-token": token, "content-type": "application/json" },
        timeoutMs: HANDSHAKE_TIMEOUT_MS,
        done: (p) => {
          if (p.status === null) {
            // UNCONFIRMED: RingCentral's code for an unreachable or slow address
            out = { ok: false, code: "SUB-521", message: p.timedOut ? `WebHook did not respond within ${HANDSHAKE_TIMEOUT_MS} ms` : "WebHook is not available" };
          } else {
            let size = p.text.length;
            p.headers?.forEach((v, k) => (size += k.length + v.length + 4));
            if (p.status !== 200) out = { ok: false, code: "SUB-523", message: `WebHook responds with incorrect HTTP status. HTTP status is ${p.status}` };
            else if (p.headers?.get("validation-token") !== token) out = { ok: false, code: "SUB-525", message: "WebHook server response is invalid" };
            // documented: the whole answer (headers and body) must stay under 1024 bytes
            else if (size > 1024) out = { ok: false, code: "SUB-525", message: "WebHook server response is invalid" };
          }
          return {
            kind: "validation",
            clientId: e.clientId,
            subscriptionId: null,
            address,
            ok: out.ok,
            ...(p.status !== null ? { status: p.status } : {}),
            ...(!out.ok ? { error: `${out.code}: ${out.message}` } : {}),
            ms: p.ms,
            at,
          };
        },
      });
      return out;
    }

    function expiresInOf(v: unknown): number | null {
      if (v === undefined || v === null) return DEFAULT_TTL;
      const n = Number(v);
      return Number.isInteger(n) && n >= 1 && n <= MAX_TTL ? n : null;
    }

    function liveSub(c: Context, e: Ext): Sub | Response {
      const s = st().subs.get(c.req.param("id") ?? "");
      if (!s || s.ext.accountId !== e.accountId || s.expiresAt < Date.now()) {
        if (s && s.expiresAt < Date.now()) st().subs.delete(s.id); // a lapsed subscription is gone
        return rcError(c, 404, "CMN-102", "Resource for parameter [subscriptionId] is not found", "subscriptionId");
      }
      return s;
    }

    app.post("/restapi/v1.0/subscription", async (c) => {
      const e = caller(c);
      if (e instanceof Response) return e;
      const b = await jsonBody(c);
      if (!b) return rcError(c, 400, "CMN-101", "Request body is invalid");
      const filters = Array.isArray(b.eventFilters) ? b.eventFilters.filter((f): f is string => typeof f === "string" && f.startsWith("/restapi/")) : [];
      if (!filters.length) return rcError(c, 400, "CMN-100", "Parameter [eventFilters] is not specified", "eventFilters");
      const mode = (b.deliveryMode ?? {}) as { transportType?: unknown; address?: unknown; verificationToken?: unknown };
      if (mode.transportType !== "WebHook") return rcError(c, 400, "CMN-101", "Parameter [deliveryMode.transportType] value is invalid", "deliveryMode.transportType");
      const address = typeof mode.address === "string" ? mode.address : "";
      if (!/^https?:\/\//i.test(address)) return rcError(c, 400, "CMN-101", "Parameter [deliveryMode.address] value is invalid", "deliveryMode.address");
      const token = mode.verificationToken === undefined ? null : typeof mode.verificationToken === "string" && mode.verificationToken.length <= 64 ? mode.verificationToken : false;
      // UNCONFIRMED: RingCentral's limit on the verification token's length
      if (token === false) return rcError(c, 400, "CMN-101", "Parameter [deliveryMode.verificationToken] value is invalid", "deliveryMode.verificationToken");
      const expiresIn = expiresInOf(b.expiresIn);
      if (expiresIn === null) return rcError(c, 400, "CMN-101", "Parameter [expiresIn] value is invalid", "expiresIn");
      const v = await validate(e, address);
      if (!v.ok) return rcError(c, 400, v.code, v.message);
      const s: Sub = { id: randomUUID(), ext: e, eventFilters: filters, address, verificationToken: token, expiresIn, expiresAt: Date.now() + expiresIn * 1000, created: new Date() };
      st().subs.set(s.id, s);
      return c.json(subJson(s));
    });

    app.get("/restapi/v1.0/subscription/:id", (c) => {
      const e = caller(c);
      if (e instanceof Response) return e;
      const s = liveSub(c, e);
      return s instanceof Response ? s : c.json(subJson(s));
    });

    app.post("/restapi/v1.0/subscription/:id/renew", (c) => {
      const e = caller(c);
      if (e instanceof Response) return e;
      const s = liveSub(c, e);
      if (s instanceof Response) return s;
      s.expiresAt = Date.now() + s.expiresIn * 1000;
      return c.json(subJson(s));
    });

    app.put("/restapi/v1.0/subscription/:id", async (c) => {
      const e = caller(c);
      if (e instanceof Response) return e;
      const s = liveSub(c, e);
      if (s instanceof Response) return s;
      const b = (await jsonBody(c)) ?? {};
      if (Array.isArray(b.eventFilters)) s.eventFilters = b.eventFilters.filter((f): f is string => typeof f === "string");
      const mode = b.deliveryMode as { address?: unknown; verificationToken?: unknown } | undefined;
      if (mode && typeof mode.address === "string" && mode.address !== s.address) {
        const v = await validate(e, mode.address);
        if (!v.ok) return rcError(c, 400, v.code, v.message);
        s.address = mode.address;
      }
      if (mode && typeof mode.verificationToken === "string") s.verificationToken = mode.verificationToken;
      if (b.expiresIn !== undefined) {
        const n = expiresInOf(b.expiresIn);
        if (n === null) return rcError(c, 400, "CMN-101", "Parameter [expiresIn] value is invalid", "expiresIn");
        s.expiresIn = n;
      }
      s.expiresAt = Date.now() + s.expiresIn * 1000;
      return c.json(subJson(s));
    });

    app.delete("/restapi/v1.0/subscription/:id", (c) => {
      const e = caller(c);
      if (e instanceof Response) return e;
      const s = liveSub(c, e);
      if (s instanceof Response) return s;
      st().subs.delete(s.id);
      return c.body(null, 204);
    });

    app.all("/restapi/*", (c) => rcError(c, 404, "CMN-102", `Resource ${c.req.path.replace(/^\/ringcentral/, "")} is not found`));
  },
};

export default ringcentralSandbox;
