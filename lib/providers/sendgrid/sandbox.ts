// Emulator of the part of SendGrid v3 Switchboard uses, in its wire format: Bearer API keys,
// POST /v3/mail/send validated like SendGrid (202 + X-Message-Id, or {"errors":[{message,
// field, help}]}), GET /v3/scopes, and the Event Webhook settings. It also plays SendGrid's
// side: after a 202 it POSTs ECDSA-signed events to the URL registered for that key.
//
// Magic recipients (the local part, before any +tag):
//   bounce@…                    processed, then bounce (550 5.1.1)
//   dropped@… / unsubscribed@…  dropped ("Bounced Address" / "Unsubscribed Address")
//   open@…                      processed, delivered, then open
//   deferred@…                  processed, deferred, then delivered
//   spam@…                      processed, delivered, then spamreport
//   anyone else                 processed (~100 ms), then delivered (~300 ms)
// Controls: POST /sendgrid/__revoke {apiKey} (then 401), POST /sendgrid/__scopes {apiKey,
// scopes}, GET /sendgrid/__events (every event posted and how the receiver answered).
import { createPrivateKey, randomBytes, sign, type KeyObject } from "node:crypto";
import type { Context } from "hono";
import { webhookDeliverer, type SandboxKit, type SandboxModule } from "@/lib/sandbox/kit";
import { sandboxKeys } from "@/lib/sandbox/keys";

// The sandbox's own key pair: made per install (lib/sandbox/keys.ts), never committed. Real
// SendGrid keeps its private key; the public half is what its dashboard shows.

/** The sandbox's Event Webhook verification key, in the base64 DER form SendGrid shows. */
export function sendgridSandboxPublicKey(): string {
  return sandboxKeys().sendgrid.publicKey;
}

let signer: { pem: string; key: KeyObject } | undefined;
function privateKey(): KeyObject {
  const pem = sandboxKeys().sendgrid.privateKeyPem;
  if (signer?.pem !== pem) signer = { pem, key: createPrivateKey(pem) };
  return signer.key;
}

/** Signature headers for a body, as SendGrid sends them (base64 DER ECDSA over timestamp + body). */
export function sandboxSignature(body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  return {
    "X-Twilio-Email-Event-Webhook-Signature": sign("sha256", Buffer.from(timestamp + body), privateKey()).toString("base64"),
    "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
  };
}

// UNCONFIRMED: the exact key format SendGrid issues is SG.<22>.<43> (base64url); the sandbox
// accepts any SG.<id>.<secret> with parts of 8+ characters
const KEY = /^SG\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$/;
const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;
const MAX_BODY = 30 * 1024 * 1024;
const DEFAULT_SCOPES = [
  "mail.send",
  "mail.batch.read",
  "user.webhooks.event.settings.read",
  "user.webhooks.event.settings.update",
  "user.webhooks.event.test.create",
  "user.profile.read",
];

type WebhookSettings = Record<string, unknown> & { enabled: boolean; url: string | null };
type Account = { settings: WebhookSettings; signed: boolean; scopes: string[] };
type Delivery = { at: string; url: string; events: Record<string, unknown>[]; status?: number; error?: string };
type State = { revoked: Set<string>; accounts: Map<string, Account>; deliveries: Delivery[] };

type ApiError = { message: string; field: string | null; help: string | null };
const err = (message: string, field: string | null = null, help: string | null = null): ApiError => ({ message, field, help });
const fail = (c: Context, status: number, errors: ApiError[]) => c.json({ errors }, status as 400);

const HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html";

function defaultSettings(): WebhookSettings {
  return {
    enabled: false,
    url: null,
    group_resubscribe: false,
    delivered: false,
    group_unsubscribe: false,
    spam_report: false,
    bounce: false,
    deferred: false,
    unsubscribe: false,
    processed: false,
    open: false,
    click: false,
    dropped: false,
    friendly_name: null,
    id: null,
    oauth_client_id: null,
    oauth_token_url: null,
  };
}

// the setting that turns each event on (SendGrid's names differ from the event words)
const SETTING_OF: Record<string, string> = { spamreport: "spam_report" };

type Mail = {
  from?: { email?: unknown; name?: unknown };
  personalizations?: { to?: { email?: unknown; name?: unknown }[]; subject?: unknown; custom_args?: Record<string, unknown> }[];
  subject?: unknown;
  content?: { type?: unknown; value?: unknown }[];
  attachments?: { content?: unknown; filename?: unknown; type?: unknown; disposition?: unknown }[];
  categories?: unknown;
  custom_args?: Record<string, unknown>;
  reply_to?: { email?: unknown };
  template_id?: unknown;
};

/** SendGrid's checks, in its words (the ones we could confirm; the rest UNCONFIRMED but shaped the same). */
function validate(m: Mail): ApiError[] {
  const errors: ApiError[] = [];
  if (!m.from || typeof m.from !== "object" || typeof m.from.email !== "string") {
    errors.push(err("The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.", "from", `${HELP}#message.from`));
  } else if (!EMAIL.test(m.from.email)) {
    errors.push(err("The from email does not contain a valid address.", "from.email", `${HELP}#message.from`));
  }
  if (!Array.isArray(m.personalizations) || m.personalizations.length === 0) {
    errors.push(err("The personalizations field is required and must have at least one personalization.", "personalizations", `${HELP}#-Personalizations-Errors`));
  } else {
    m.personalizations.forEach((p, i) => {
      if (!Array.isArray(p?.to) || p.to.length === 0) {
        errors.push(err("The to array is required for all personalization objects, and must have at least one email object with a valid email address.", `personalizations.${i}.to`, `${HELP}#message.personalizations.to`));
        return;
      }
      p.to.forEach((t, j) => {
        if (typeof t?.email !== "string" || !EMAIL.test(t.email)) {
          errors.push(err("Does not contain a valid address.", `personalizations.${i}.to.${j}.email`, `${HELP}#message.personalizations.to`));
        }
      });
    });
  }
  const perSubject = Array.isArray(m.personalizations) && m.personalizations.length > 0 && m.personalizations.every((p) => typeof p?.subject === "string" && p.subject);
  if (!m.template_id && !perSubject && (typeof m.subject !== "string" || !m.subject.trim())) {
    errors.push(err("The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.", "subject", `${HELP}#message.subject`));
  }
  const content = Array.isArray(m.content) ? m.content.filter((x) => typeof x?.value === "string" && x.value.length > 0) : [];
  if (!m.template_id && content.length === 0) {
    errors.push(err("Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.", "content", `${HELP}#message.content`));
  } else if (content.length > 1 && content.some((x) => x.type === "text/plain") && content[0].type !== "text/plain") {
    errors.push(err("If present, text/plain and text/html may only be provided once. If present, text/plain must be first.", "content", `${HELP}#message.content`));
  }
  (Array.isArray(m.attachments) ? m.attachments : []).forEach((a, i) => {
    if (typeof a?.filename !== "string" || !a.filename) errors.push(err("The attachment filename parameter is required.", `attachments.${i}.filename`, `${HELP}#message.attachments.filename`));
    if (typeof a?.content !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(a.content)) {
      errors.push(err("The attachment content must be base64 encoded.", `attachments.${i}.content`, `${HELP}#message.attachments.content`));
    }
  });
  if (m.categories !== undefined) {
    const cats = m.categories;
    if (!Array.isArray(cats) || !cats.every((x) => typeof x === "string")) errors.push(err("Categories must be an array of strings.", "categories", `${HELP}#message.categories`));
    else if (cats.length > 10) errors.push(err("Too many categories on this message. There may be no more than 10 categories.", "categories", `${HELP}#message.categories`));
  }
  if (m.custom_args !== undefined) {
    if (!m.custom_args || typeof m.custom_args !== "object" || Object.values(m.custom_args).some((v) => typeof v !== "string")) {
      errors.push(err("Custom args must be an object of string values.", "custom_args", `${HELP}#message.custom_args`));
    } else if (JSON.stringify(m.custom_args).length > 10_000) {
      errors.push(err("The custom_args parameter may not exceed 10,000 bytes.", "custom_args", `${HELP}#message.custom_args`));
    }
  }
  if (m.reply_to !== undefined && (typeof m.reply_to?.email !== "string" || !EMAIL.test(m.reply_to.email))) {
    errors.push(err("The reply_to email does not contain a valid address.", "reply_to.email", `${HELP}#message.reply_to`));
  }
  return errors;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rid = (n = 16) => randomBytes(n).toString("base64url");

/** The events SendGrid would report for one recipient, with their delays after the 202. */
function storyFor(email: string): { event: string; afterMs: number; extra?: Record<string, unknown> }[] {
  const local = email.split("@")[0].split("+")[0].toLowerCase();
  switch (local) {
    case "bounce":
      return [
        { event: "processed", afterMs: 100 },
        {
          event: "bounce",
          afterMs: 300,
          extra: { reason: "550 5.1.1 The email account that you tried to reach does not exist.", status: "5.1.1", type: "bounce", bounce_classification: "Invalid Address" },
        },
      ];
    case "dropped":
      return [{ event: "dropped", afterMs: 100, extra: { reason: "Bounced Address", status: "5.0.0" } }];
    case "unsubscribed":
      return [{ event: "dropped", afterMs: 100, extra: { reason: "Unsubscribed Address", status: "5.0.0" } }];
    case "open":
      return [
        { event: "processed", afterMs: 100 },
        { event: "delivered", afterMs: 300, extra: { response: "250 2.0.0 OK" } },
        { event: "open", afterMs: 500, extra: { useragent: "Mozilla/5.0 (Sandbox)", ip: "203.0.113.7", sg_machine_open: false } },
      ];
    case "deferred":
      return [
        { event: "processed", afterMs: 100 },
        { event: "deferred", afterMs: 300, extra: { response: "421 4.7.0 Try again later", attempt: "1" } },
        { event: "delivered", afterMs: 600, extra: { response: "250 2.0.0 OK" } },
      ];
    case "spam":
      return [
        { event: "processed", afterMs: 100 },
        { event: "delivered", afterMs: 300, extra: { response: "250 2.0.0 OK" } },
        { event: "spamreport", afterMs: 500 },
      ];
    default:
      return [
        { event: "processed", afterMs: 100 },
        { event: "delivered", afterMs: 300, extra: { response: "250 2.0.0 OK", tls: 1 } },
      ];
  }
}

async function post(st: State, account: Account, events: Record<string, unknown>[]) {
  const url = account.settings.url;
  if (!account.settings.enabled || !url) return;
  const body = JSON.stringify(events);
  // logged before the POST (a test sees it in flight), its answer filled in when it comes
  await webhookDeliverer<Delivery>({ log: () => st.deliveries, headers: { "content-type": "application/json", "user-agent": "SendGrid Event API" } }).deliver(url, body, {
    headers: account.signed ? sandboxSignature(body) : {},
    logFirst: true,
    start: { at: new Date().toISOString(), url, events },
    done: (p, d) => {
      if (p.status !== null) d!.status = p.status;
      else d!.error = p.error ?? undefined;
    },
  });
}

/** After a 202: the events of every recipient, in order, each POSTed on its own. */
function report(st: State, account: Account, xMessageId: string, m: Mail, categories: string[]) {
  const customArgs = { ...(m.custom_args ?? {}) };
  const recipients = (m.personalizations ?? []).flatMap((p, i) =>
    (p.to ?? []).map((t) => ({ email: String(t.email), args: { ...customArgs, ...(p.custom_args ?? {}) }, n: i })),
  );
  const timeline = recipients
    .flatMap((r) =>
      storyFor(r.email).map((s) => ({
        afterMs: s.afterMs,
        event: {
          email: r.email,
          timestamp: 0,
          "smtp-id": `<${xMessageId}@ismtpd0001p1mdw1.sendgrid.net>`,
          event: s.event,
          ...(categories.length ? { category: categories } : {}),
          sg_event_id: rid(),
          sg_message_id: `${xMessageId}.filter0001.${process.pid}.${r.n}${Date.now().toString(16).toUpperCase()}.0`,
          ...r.args,
          ...(s.extra ?? {}),
        } as Record<string, unknown>,
      })),
    )
    .filter((x) => account.settings[SETTING_OF[String(x.event.event)] ?? String(x.event.event)] !== false)
    .sort((a, b) => a.afterMs - b.afterMs);
  void (async () => {
    let elapsed = 0;
    for (const t of timeline) {
      await sleep(Math.max(0, t.afterMs - elapsed));
      elapsed = t.afterMs;
      t.event.timestamp = Math.floor(Date.now() / 1000);
      await post(st, account, [t.event]);
    }
  })();
}

function inboxItem(kit: SandboxKit, m: Mail, xMessageId: string, categories: string[]) {
  const content = Array.isArray(m.content) ? m.content : [];
  const text = content.find((x) => x.type === "text/plain")?.value;
  const html = content.find((x) => x.type === "text/html")?.value;
  const to = (m.personalizations ?? []).flatMap((p) => (p.to ?? []).map((t) => String(t.email)));
  kit.inbox.push({
    provider: "sendgrid",
    kind: "email",
    to: to.join(", "),
    summary: String(m.subject ?? ""),
    payload: {
      xMessageId,
      from: m.from,
      to: (m.personalizations ?? []).flatMap((p) => p.to ?? []),
      subject: m.subject,
      text: typeof text === "string" ? text : null,
      html: typeof html === "string" ? html : null,
      categories,
      custom_args: m.custom_args ?? {},
      reply_to: m.reply_to ?? null,
      attachments: (m.attachments ?? []).map((a) => ({
        filename: a.filename,
        type: a.type ?? null,
        size: typeof a.content === "string" ? Buffer.from(a.content, "base64").length : 0,
      })),
    },
  });
}

const sendgrid: SandboxModule = {
  id: "sendgrid",
  faultBody: (status) => ({
    errors: [
      {
        field: null,
        message: status === 429 ? "too many requests" : status === 413 ? "Payload Too Large" : status >= 500 ? "internal server error" : status === 401 ? "The provided authorization grant is invalid, expired, or revoked" : "Bad Request",
        help: null,
      },
    ],
  }),
  mount(app, kit) {
    const st = () => kit.state<State>("sendgrid", () => ({ revoked: new Set(), accounts: new Map(), deliveries: [] }));
    const account = (key: string) => {
      const s = st();
      if (!s.accounts.has(key)) s.accounts.set(key, { settings: defaultSettings(), signed: true, scopes: [...DEFAULT_SCOPES] });
      return s.accounts.get(key)!;
    };
    /** the account behind the Bearer key, or the 401 SendGrid answers */
    const auth = (c: Context): { key: string; acc: Account } | Response => {
      const h = c.req.header("authorization") ?? "";
      if (!h) return fail(c, 401, [err("authorization required")]);
      const key = /^Bearer\s+(.+)$/i.exec(h)?.[1]?.trim() ?? "";
      if (!KEY.test(key) || st().revoked.has(key)) return fail(c, 401, [err("The provided authorization grant is invalid, expired, or revoked")]);
      return { key, acc: account(key) };
    };
    const needScope = (c: Context, acc: Account, scope: string) => (acc.scopes.includes(scope) ? null : fail(c, 403, [err("access forbidden")]));

    // ── controls ──
    app.post("/__revoke", async (c) => {
      const { apiKey } = (await c.req.json()) as { apiKey: string };
      st().revoked.add(apiKey);
      return c.body(null, 204);
    });
    app.post("/__scopes", async (c) => {
      const { apiKey, scopes } = (await c.req.json()) as { apiKey: string; scopes: string[] };
      account(apiKey).scopes = [...scopes];
      return c.body(null, 204);
    });
    app.get("/__events", (c) => c.json({ items: st().deliveries }));

    // ── v3 ──
    app.get("/v3/scopes", (c) => {
      const a = auth(c);
      if (a instanceof Response) return a;
      return c.json({ scopes: a.acc.scopes });
    });

    app.post("/v3/mail/send", async (c) => {
      const a = auth(c);
      if (a instanceof Response) return a;
      const denied = needScope(c, a.acc, "mail.send");
      if (denied) return denied;
      const raw = await c.req.text();
      if (raw.length > MAX_BODY) return fail(c, 413, [err("Payload Too Large")]); // UNCONFIRMED body text
      let m: Mail;
      try {
        m = JSON.parse(raw) as Mail;
        if (!m || typeof m !== "object" || Array.isArray(m)) throw new Error("not an object");
      } catch {
        return fail(c, 400, [err("Bad Request", null, null)]);
      }
      const errors = validate(m);
      if (errors.length) return fail(c, 400, errors);
      const categories = Array.isArray(m.categories) ? (m.categories as string[]) : [];
      const xMessageId = rid();
      inboxItem(kit, m, xMessageId, categories);
      report(st(), a.acc, xMessageId, m, categories);
      return c.body(null, 202, { "X-Message-Id": xMessageId });
    });

    app.get("/v3/user/webhooks/event/settings", (c) => {
      const a = auth(c);
      if (a instanceof Response) return a;
      return c.json(a.acc.settings);
    });
    app.patch("/v3/user/webhooks/event/settings", async (c) => {
      const a = auth(c);
      if (a instanceof Response) return a;
      const denied = needScope(c, a.acc, "user.webhooks.event.settings.update");
      if (denied) return denied;
      const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
      if (!b || typeof b !== "object") return fail(c, 400, [err("Bad Request")]);
      if (b.url !== undefined && (typeof b.url !== "string" || !/^https?:\/\/\S+$/.test(b.url))) {
        return fail(c, 400, [err("The URL must be a valid URL", "url")]);
      }
      const next = { ...a.acc.settings };
      for (const [k, v] of Object.entries(b)) if (k in next || k === "url") next[k] = v;
      if (next.enabled && !next.url) return fail(c, 400, [err("A URL is required to enable the Event Webhook", "url")]);
      a.acc.settings = next as WebhookSettings;
      return c.json(a.acc.settings);
    });
    app.get("/v3/user/webhooks/event/settings/signed", (c) => {
      const a = auth(c);
      if (a instanceof Response) return a;
      return c.json({ enabled: a.acc.signed, public_key: a.acc.signed ? sendgridSandboxPublicKey() : "" });
    });
    app.patch("/v3/user/webhooks/event/settings/signed", async (c) => {
      const a = auth(c);
      if (a instanceof Response) return a;
      const b = (await c.req.json().catch(() => null)) as { enabled?: unknown } | null;
      if (typeof b?.enabled !== "boolean") return fail(c, 400, [err("enabled must be a boolean", "enabled")]);
      a.acc.signed = b.enabled;
      return c.json({ enabled: a.acc.signed, public_key: a.acc.signed ? sendgridSandboxPublicKey() : "" });
    });

    app.all("/*", (c) => fail(c, 404, [err("resource not found")]));
  },
};

export default sendgrid;
