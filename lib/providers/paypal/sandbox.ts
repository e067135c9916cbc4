// Emulator of the part of PayPal's REST API Switchboard uses, in its wire format:
//   POST /v1/oauth2/token                          Basic clientId:secret, grant_type=client_credentials → {access_token, expires_in 32400}
//   POST /v2/checkout/orders                       {intent:"CAPTURE", purchase_units:[1], payment_source.paypal.experience_context} → PAYER_ACTION_REQUIRED + payer-action link
//   GET  /v2/checkout/orders/{id}                  the order, with purchase_units[0].payments {captures, refunds}
//   POST /v2/checkout/orders/{id}/capture          APPROVED → COMPLETED (422 ORDER_NOT_APPROVED, ORDER_ALREADY_CAPTURED, INSTRUMENT_DECLINED)
//   GET  /v2/payments/captures/{id}                the capture (status COMPLETED / PARTIALLY_REFUNDED / REFUNDED / DECLINED)
//   POST /v2/payments/captures/{id}/refund         {amount?, note_to_payer?} (422 REFUND_AMOUNT_EXCEEDED beyond what is left, CAPTURE_FULLY_REFUNDED)
//   GET  /v2/payments/refunds/{id}
//   POST /v1/notifications/webhooks                {url, event_types:[{name}]} → {id}. Sandbox-only extension: an `id` in the body
//                                                  registers under that id (the sandbox cannot hand its new id back into our
//                                                  credentials, so sandboxConnect uses the integration's configured webhookId)
//   GET  /v1/notifications/webhooks                {webhooks}
//   POST /v1/notifications/webhooks-events/{id}/resend {webhook_ids?} → 202 the event: sent again (same event id, a new
//                                                  transmission), to its webhook
//   POST /v1/notifications/verify-webhook-signature → {verification_status: SUCCESS only for a transmission this sandbox sent,
//                                                  with that webhook_id, those headers and that event; FAILURE otherwise}
// Bearer tokens are per client id; a client id or secret revoked with POST /paypal/__revoke
// {"clientId"} gets 401 invalid_client and its tokens stop working (401 invalid_token);
// POST /paypal/__expire-tokens {"clientId"} expires its tokens only (the client must fetch a new one).
// PayPal-Request-Id on a POST replays the first answer for that id (PayPal keeps them for
// hours; the sandbox ignores a different body with the same id, UNCONFIRMED: PayPal does the same).
// Amounts: JPY, HUF and TWD without decimals ("1000"), the others with 2 ("10.00").
//
// The checkout: the payer-action link is GET /paypal/checkoutnow/{orderId}, an HTML page with
// Pay / Decline / 3-D Secure (→ "Complete authentication" / "Fail authentication").
//   Pay, or 3-D Secure completed → the order is APPROVED, CHECKOUT.ORDER.APPROVED is sent, the
//       browser goes to return_url?token=<order>&PayerID=<payer>.
//   Decline → PayPal has no "declined" event before a capture: the order is APPROVED with a
//       funding source that will be declined, CHECKOUT.ORDER.APPROVED is sent, and the capture
//       then answers 422 INSTRUMENT_DECLINED and sends PAYMENT.CAPTURE.DENIED (a DECLINED capture).
//   3-D Secure failed → nothing changes (no event, like a payer who gives up), the browser goes
//       to cancel_url?token=<order>.
// A capture sends PAYMENT.CAPTURE.COMPLETED; a refund PAYMENT.CAPTURE.REFUNDED. Events are
// POSTed to every webhook of the client subscribed to them, with PAYPAL-TRANSMISSION-ID,
// -TIME, -SIG, PAYPAL-CERT-URL and PAYPAL-AUTH-ALGO. The signature is SHA256withRSA over
// `<transmission id>|<time>|<webhook id>|<crc32 of the body>` like PayPal's, with a key made
// when the sandbox starts (its public key, not an X.509 certificate, is served at the cert URL).
// Test controls:
//   POST /paypal/__pay/{orderId} {"outcome":"pay"|"decline"|"3ds_complete"|"3ds_fail"|"void"} — without a browser
//        ("void": the order expires unapproved → VOIDED + CHECKOUT.ORDER.VOIDED)
//   GET  /paypal/__orders?clientId=…   the client's orders (to count them)
//   GET  /paypal/__deliveries          webhook delivery attempts, with the event's resource id (a dropped one: dropped: true)
//   POST /paypal/__drop-webhooks {"eventType"?, "times"?}  the next `times` (1) events of that type
//        (any type without one) are lost on the way: logged as dropped, never POSTed
//   GET  /paypal/__captures/{orderId}  {runs, completed}: capture requests that ran (a replay of
//        a PayPal-Request-Id is not a run) and the captures the order has
import { escapeHtml, hostedPage, plainCss } from "@/lib/sandbox/html";
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from "node:crypto";
import { crc32 } from "node:zlib";
import type { Context } from "hono";
import { answered, idempotencyStore, webhookDeliverer, type SandboxKit, type SandboxModule } from "@/lib/sandbox/kit";

type Money = { currency_code: string; value: string };
type Order = {
  id: string;
  clientId: string;
  status: "PAYER_ACTION_REQUIRED" | "APPROVED" | "COMPLETED" | "VOIDED";
  unit: { reference_id?: string; custom_id?: string; description?: string; amount: Money; minor: number };
  returnUrl?: string;
  cancelUrl?: string;
  brandName?: string;
  declining: boolean;
  deniedSent: boolean;
  payerId?: string;
  captureId?: string;
  create_time: string;
  update_time: string;
};
type Capture = {
  id: string;
  clientId: string;
  orderId: string;
  status: "COMPLETED" | "PARTIALLY_REFUNDED" | "REFUNDED" | "DECLINED";
  amount: Money;
  minor: number;
  refundedMinor: number;
  refundIds: string[];
  custom_id?: string;
  create_time: string;
  update_time: string;
};
type Refund = { id: string; clientId: string; captureId: string; amount: Money; minor: number; totalAfter: number; note?: string; custom_id?: string; create_time: string };
type Webhook = { id: string; clientId: string; url: string; event_types: { name: string }[] };
type Transmission = { webhookId: string; sig: string; time: string; certUrl: string; algo: string; event: unknown };
type Delivery = { eventId: string; eventType: string; resourceId?: string; webhookId: string; url: string; ok: boolean; httpStatus?: number; error?: string; dropped?: true; at: string };
type Drop = { eventType?: string; remaining: number };
type State = {
  revoked: Set<string>;
  tokens: Map<string, { clientId: string; expiresAt: number }>;
  orders: Map<string, Order>;
  captures: Map<string, Capture>;
  refunds: Map<string, Refund>;
  requests: Map<string, { fingerprint: string; res: { status: number; body: unknown } }>;
  webhooks: Map<string, Webhook>;
  transmissions: Map<string, Transmission>;
  deliveries: Delivery[];
  drops: Drop[];
  /** every event sent (or dropped), for a resend */
  events: Map<string, { clientId: string; webhookId: string; event: { id: string; event_type: string; resource?: unknown } }>;
  /** capture requests that ran, per order */
  captureRuns: Map<string, number>;
};

const CURRENCIES = new Set(["AUD", "BRL", "CAD", "CNY", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MYR", "MXN", "TWD", "NZD", "NOK", "PHP", "PLN", "GBP", "SGD", "SEK", "CHF", "THB", "USD"]);
const WHOLE = new Set(["JPY", "HUF", "TWD"]);
const CRED = /^[A-Za-z0-9_-]{10,128}$/;
const TOKEN_TTL = 32400;
const CERT_ID = "CERT-360caa42-fca2a594-sandbox0";

/** PayPal-style ids: 17 upper-case letters and digits */
const ppId = () => {
  const abc = "ABCDEFGHJKLMNPRSTUVWXY0123456789";
  return [...randomBytes(17)].map((b) => abc[b % abc.length]).join("");
};

const digits = (cur: string) => (WHOLE.has(cur) ? 0 : 2);
function fmt(minor: number, cur: string) {
  const d = digits(cur);
  if (d === 0) return String(minor);
  const s = String(minor).padStart(d + 1, "0");
  return `${s.slice(0, -d)}.${s.slice(-d)}`;
}
const money = (minor: number, cur: string): Money => ({ currency_code: cur, value: fmt(minor, cur) });

/** PayPal's value → integer minor units of the currency as PayPal counts them, or the error issue */
function parseValue(m: unknown): { ok: true; minor: number; cur: string } | { ok: false; status: number; issue: string; description: string; field: string } {
  const x = m as Partial<Money> | undefined;
  if (!x || typeof x.value !== "string" || typeof x.currency_code !== "string") {
    return { ok: false, status: 400, issue: "MISSING_REQUIRED_PARAMETER", description: "A required field / parameter is missing.", field: "amount" };
  }
  if (!CURRENCIES.has(x.currency_code)) {
    return { ok: false, status: 422, issue: "CURRENCY_NOT_SUPPORTED", description: "Currency code is not currently supported.", field: "amount/currency_code" };
  }
  const mm = /^(\d{1,15})(?:\.(\d+))?$/.exec(x.value);
  if (!mm) return { ok: false, status: 400, issue: "INVALID_PARAMETER_SYNTAX", description: "The value of a field does not conform to the expected format.", field: "amount/value" };
  const d = digits(x.currency_code);
  const frac = mm[2] ?? "";
  if (d === 0 && frac) return { ok: false, status: 422, issue: "DECIMALS_NOT_SUPPORTED", description: "Currency code does not support decimals.", field: "amount/value" };
  if (frac.length > d) return { ok: false, status: 422, issue: "DECIMAL_PRECISION", description: "If the currency supports decimals, only two decimal place precision is supported.", field: "amount/value" };
  const minor = Number(mm[1]) * 10 ** d + Number(frac.padEnd(d, "0") || "0");
  if (minor <= 0) return { ok: false, status: 422, issue: "AMOUNT_MUST_BE_POSITIVE", description: "The amount must be greater than zero.", field: "amount/value" }; // UNCONFIRMED issue name
  return { ok: true, minor, cur: x.currency_code };
}

const MESSAGES: Record<number, [string, string]> = {
  400: ["INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema."],
  404: ["RESOURCE_NOT_FOUND", "The specified resource does not exist."],
  422: ["UNPROCESSABLE_ENTITY", "The requested action could not be performed, semantically incorrect, or failed business validation."],
  429: ["RATE_LIMIT_REACHED", "Too many requests. Blocked due to rate limiting."],
  500: ["INTERNAL_SERVER_ERROR", "An internal server error occurred."],
};

function errorBody(status: number, details: { issue: string; description: string; field?: string }[] = []) {
  const [name, message] = MESSAGES[status] ?? (status >= 500 ? MESSAGES[500] : ["INVALID_REQUEST", "Request failed."]);
  return {
    name,
    message,
    debug_id: randomBytes(7).toString("hex"),
    ...(details.length ? { details: details.map((d) => ({ ...(d.field ? { field: `/${d.field}`, location: "body" } : {}), issue: d.issue, description: d.description })) } : {}),
    links: details.length ? [{ href: `https://developer.paypal.com/api/rest/reference/orders/v2/errors/#${details[0].issue}`, rel: "information_link", method: "GET" }] : [],
  };
}
const ppError = (c: Context, status: number, issue?: string, description?: string, field?: string) =>
  c.json(errorBody(status, issue ? [{ issue, description: description ?? issue, field }] : []), status as 400);

const esc = escapeHtml;
const page = (title: string, body: string) => hostedPage(title, body, plainCss({ radius: "1.2rem", primary: "background:#ffc439;border-color:#ffc439" }));

let keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
const signingKeys = () => (keys ??= generateKeyPairSync("rsa", { modulusLength: 2048 }));

/** canonical JSON (sorted keys): the verify endpoint compares events, not their bytes */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

const paypalSandbox: SandboxModule = {
  id: "paypal",
  faultBody: (status) =>
    status === 401 ? { error: "invalid_token", error_description: "Token signature verification failed" } : errorBody(status),
  mount(app, kit: SandboxKit) {
    const st = () =>
      kit.state<State>("paypal", () => ({
        revoked: new Set(),
        tokens: new Map(),
        orders: new Map(),
        captures: new Map(),
        refunds: new Map(),
        requests: new Map(),
        webhooks: new Map(),
        transmissions: new Map(),
        deliveries: [],
        drops: [],
        events: new Map(),
        captureRuns: new Map(),
      }));
    const baseOf = (c: Context) => kit.baseUrl() || new URL(c.req.url).origin;

    // ── representations ──
    const captureRep = (x: Capture, base: string) => ({
      id: x.id,
      status: x.status,
      ...(x.status === "DECLINED" ? { status_details: { reason: "DECLINED_BY_RISK_FRAUD_FILTERS" } } : {}),
      amount: x.amount,
      final_capture: true,
      seller_protection: { status: "ELIGIBLE", dispute_categories: ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"] },
      seller_receivable_breakdown: { gross_amount: x.amount },
      ...(x.custom_id ? { custom_id: x.custom_id } : {}),
      links: [
        { href: `${base}/paypal/v2/payments/captures/${x.id}`, rel: "self", method: "GET" },
        { href: `${base}/paypal/v2/payments/captures/${x.id}/refund`, rel: "refund", method: "POST" },
        { href: `${base}/paypal/v2/checkout/orders/${x.orderId}`, rel: "up", method: "GET" },
      ],
      create_time: x.create_time,
      update_time: x.update_time,
      supplementary_data: { related_ids: { order_id: x.orderId } },
    });
    const refundRep = (r: Refund, base: string) => ({
      id: r.id,
      status: "COMPLETED",
      amount: r.amount,
      ...(r.note ? { note_to_payer: r.note } : {}),
      seller_payable_breakdown: { gross_amount: r.amount, net_amount: r.amount, total_refunded_amount: money(r.totalAfter, r.amount.currency_code) },
      ...(r.custom_id ? { custom_id: r.custom_id } : {}),
      links: [
        { href: `${base}/paypal/v2/payments/refunds/${r.id}`, rel: "self", method: "GET" },
        { href: `${base}/paypal/v2/payments/captures/${r.captureId}`, rel: "up", method: "GET" },
      ],
      create_time: r.create_time,
      update_time: r.create_time,
    });
    const orderRep = (o: Order, base: string) => {
      const capture = o.captureId ? st().captures.get(o.captureId) : undefined;
      const refunds = capture ? capture.refundIds.map((id) => st().refunds.get(id)!).filter(Boolean) : [];
      const approved = o.status !== "PAYER_ACTION_REQUIRED" && o.status !== "VOIDED";
      const payer = { name: { given_name: "Sandbox", surname: "Payer" }, email_address: "payer@example.com", payer_id: o.payerId };
      return {
        id: o.id,
        intent: "CAPTURE",
        status: o.status,
        payment_source: { paypal: approved ? { email_address: payer.email_address, account_id: o.payerId, account_status: "VERIFIED", name: payer.name } : {} },
        purchase_units: [
          {
            ...(o.unit.reference_id ? { reference_id: o.unit.reference_id } : {}),
            amount: o.unit.amount,
            payee: { email_address: "merchant@example.com", merchant_id: "SANDBOXMERCHANT1" },
            ...(o.unit.description ? { description: o.unit.description } : {}),
            ...(o.unit.custom_id ? { custom_id: o.unit.custom_id } : {}),
            ...(capture ? { payments: { captures: [captureRep(capture, base)], ...(refunds.length ? { refunds: refunds.map((r) => refundRep(r, base)) } : {}) } } : {}),
          },
        ],
        ...(approved ? { payer } : {}),
        create_time: o.create_time,
        update_time: o.update_time,
        links: [
          { href: `${base}/paypal/v2/checkout/orders/${o.id}`, rel: "self", method: "GET" },
          ...(o.status === "PAYER_ACTION_REQUIRED" ? [{ href: `${base}/paypal/checkoutnow/${o.id}`, rel: "payer-action", method: "GET" }] : []),
          ...(o.status === "APPROVED" ? [{ href: `${base}/paypal/v2/checkout/orders/${o.id}/capture`, rel: "capture", method: "POST" }] : []),
        ],
      };
    };

    // ── webhooks out ──
    const webhooks = webhookDeliverer<Delivery>({ log: () => st().deliveries, headers: { "content-type": "application/json", "user-agent": "PayPal/AUHD-214.0-58843787" } });
    async function emit(clientId: string, eventType: string, resourceType: string, resource: unknown, summary: string, base: string) {
      const hooks = [...st().webhooks.values()].filter((w) => w.clientId === clientId && w.event_types.some((t) => t.name === eventType || t.name === "*"));
      for (const w of hooks) {
        const id = `WH-${ppId()}-${ppId()}`;
        const event = {
          id,
          event_version: "1.0",
          create_time: new Date().toISOString(),
          resource_type: resourceType,
          resource_version: "2.0",
          event_type: eventType,
          summary,
          resource,
          links: [{ href: `${base}/paypal/v1/notifications/webhooks-events/${id}`, rel: "self", method: "GET" }],
        };
        st().events.set(id, { clientId, webhookId: w.id, event });
        await transmit(w, event, base);
      }
    }

    /** one signed transmission of an event to a webhook (a new transmission id and time each time: a resend too) */
    async function transmit(w: Webhook, event: { id: string; event_type: string; resource?: unknown }, base: string) {
      const raw = JSON.stringify(event);
      const transmissionId = randomUUID();
      const time = new Date().toISOString();
      const sig = sign("sha256", Buffer.from(`${transmissionId}|${time}|${w.id}|${crc32(raw)}`), signingKeys().privateKey).toString("base64");
      const certUrl = `${base}/paypal/v1/notifications/certs/${CERT_ID}`;
      st().transmissions.set(transmissionId, { webhookId: w.id, sig, time, certUrl, algo: "SHA256withRSA", event });
      const eventType = event.event_type;
      const resourceId = (event.resource as { id?: string } | undefined)?.id;
      if (dropped(eventType)) {
        webhooks.log.add({ eventId: event.id, eventType, resourceId, webhookId: w.id, url: w.url, ok: false, dropped: true, error: "dropped (sandbox fault)", at: time });
        return;
      }
      await webhooks.deliver(w.url, raw, {
        headers: {
          "paypal-transmission-id": transmissionId,
          "paypal-transmission-time": time,
          "paypal-transmission-sig": sig,
          "paypal-cert-url": certUrl,
          "paypal-auth-algo": "SHA256withRSA",
        },
        done: (p) => ({ eventId: event.id, eventType, resourceId, webhookId: w.id, url: w.url, ...answered(p), at: time }),
      });
    }

    /** whether the next event of this type is lost on the way (a POST /__drop-webhooks rule) */
    function dropped(eventType: string): boolean {
      const rule = st().drops.find((d) => d.remaining > 0 && (!d.eventType || d.eventType === eventType));
      if (!rule) return false;
      rule.remaining--;
      st().drops = st().drops.filter((d) => d.remaining > 0);
      return true;
    }

    // ── auth ──
    function basic(c: Context): { clientId: string } | Response {
      const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(c.req.header("authorization") ?? "");
      const deny = () => c.json({ error: "invalid_client", error_description: "Client Authentication failed" }, 401);
      if (!m) return deny();
      const decoded = Buffer.from(m[1], "base64").toString("utf8");
      const i = decoded.indexOf(":");
      const id = decoded.slice(0, i);
      const secret = decoded.slice(i + 1);
      if (i < 0 || !CRED.test(id) || !CRED.test(secret) || st().revoked.has(id) || st().revoked.has(secret)) return deny();
      return { clientId: id };
    }
    function bearer(c: Context): { clientId: string } | Response {
      const m = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
      const t = m ? st().tokens.get(m[1]) : undefined;
      if (!t || t.expiresAt < Date.now() || st().revoked.has(t.clientId)) {
        return c.json({ error: "invalid_token", error_description: "Access Token not found in cache" }, 401);
      }
      return { clientId: t.clientId };
    }
    const requestIds = idempotencyStore(() => st().requests);
    /**
     * PayPal-Request-Id: the first answer replayed. Between the check and the answer being
     * remembered nothing waits on I/O (every `run` here is synchronous and the answer's body is
     * read from memory), so requests with one id that arrive together get the first's answer.
     */
    async function once(c: Context, clientId: string, run: (body: Record<string, unknown>) => Promise<Response> | Response): Promise<Response> {
      const raw = await c.req.text();
      let body: Record<string, unknown> = {};
      if (raw.trim()) {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          return ppError(c, 400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.");
        }
      }
      const rid = c.req.header("paypal-request-id");
      const slot = rid ? `${clientId}:${c.req.method} ${c.req.path}:${rid}` : null;
      // PayPal replays the first answer to an id whatever the body (no fingerprint to compare)
      const seen = slot ? requestIds.check(slot, "") : { kind: "new" as const };
      if (seen.kind === "replay") return c.json(seen.res.body, seen.res.status as 200);
      const res = await run(body);
      if (slot && res.status < 500) requestIds.remember(slot, "", { status: res.status, body: await res.clone().json() });
      return res;
    }

    // ── controls ──
    app.post("/__revoke", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { clientId?: string; clientSecret?: string };
      const v = b.clientId ?? b.clientSecret;
      if (!v) return c.json({ error: "clientId or clientSecret required" }, 400);
      st().revoked.add(v);
      return c.body(null, 204);
    });
    app.post("/__expire-tokens", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { clientId?: string };
      for (const [k, t] of st().tokens) if (!b.clientId || t.clientId === b.clientId) st().tokens.delete(k);
      return c.body(null, 204);
    });
    app.get("/__orders", (c) => {
      const cid = c.req.query("clientId");
      return c.json({ items: [...st().orders.values()].filter((o) => !cid || o.clientId === cid).map((o) => orderRep(o, baseOf(c))) });
    });
    app.get("/__deliveries", (c) => c.json({ items: st().deliveries }));
    app.post("/__drop-webhooks", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { eventType?: unknown; times?: unknown };
      if (b.eventType !== undefined && typeof b.eventType !== "string") return c.json({ error: "eventType is a PayPal event type" }, 400);
      const times = b.times === undefined ? 1 : Number(b.times);
      if (!Number.isInteger(times) || times < 1) return c.json({ error: "times is a whole number, 1 or more" }, 400);
      st().drops.push({ eventType: b.eventType as string | undefined, remaining: times });
      return c.body(null, 204);
    });
    app.get("/__captures/:orderId", (c) => {
      const orderId = c.req.param("orderId");
      const completed = [...st().captures.values()].filter((x) => x.orderId === orderId && x.status !== "DECLINED").length;
      return c.json({ orderId, runs: st().captureRuns.get(orderId) ?? 0, completed });
    });
    app.get(`/v1/notifications/certs/${CERT_ID}`, (c) =>
      c.text(signingKeys().publicKey.export({ type: "spki", format: "pem" }).toString(), 200, { "content-type": "application/x-pem-file" }),
    );

    /** the payer's choice; null, or why it cannot be done */
    function settle(o: Order, outcome: string, base: string): string | null {
      if (outcome === "void") {
        if (o.status !== "PAYER_ACTION_REQUIRED" && o.status !== "APPROVED") return `order is ${o.status}`;
        o.status = "VOIDED";
        o.update_time = new Date().toISOString();
        void emit(o.clientId, "CHECKOUT.ORDER.VOIDED", "checkout-order", orderRep(o, base), `Order ${o.id} voided`, base);
        return null;
      }
      if (o.status !== "PAYER_ACTION_REQUIRED") return `order is ${o.status}`;
      if (outcome === "3ds_fail") return null; // the payer gives up: nothing changes, no event
      if (outcome !== "pay" && outcome !== "3ds_complete" && outcome !== "decline") return `unknown outcome "${outcome}" (pay, decline, 3ds_complete, 3ds_fail, void)`;
      o.status = "APPROVED";
      o.declining = outcome === "decline";
      o.payerId = ppId().slice(0, 13);
      o.update_time = new Date().toISOString();
      void emit(o.clientId, "CHECKOUT.ORDER.APPROVED", "checkout-order", orderRep(o, base), `An order has been approved by buyer`, base);
      return null;
    }
    const withQuery = (u: string | undefined, q: Record<string, string>) => {
      if (!u) return null;
      const url = new URL(u);
      for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
      return url.toString();
    };

    app.post("/__pay/:id", async (c) => {
      const o = st().orders.get(c.req.param("id"));
      if (!o) return c.json({ error: "no such order" }, 404);
      const b = (await c.req.json().catch(() => ({}))) as { outcome?: string };
      const why = settle(o, b.outcome ?? "pay", baseOf(c));
      if (why) return c.json({ error: why }, 409);
      return c.json(orderRep(o, baseOf(c)));
    });

    // ── the hosted approval page ──
    app.get("/checkoutnow/:id", (c) => {
      const o = st().orders.get(c.req.param("id"));
      if (!o) return c.html(page("Order not found", "<h1>Order not found</h1>"), 404);
      if (o.status !== "PAYER_ACTION_REQUIRED") return c.html(page("PayPal", `<h1>This order is ${esc(o.status)}</h1>`));
      return c.html(
        page(
          "PayPal sandbox checkout",
          `<h1>Pay ${esc(o.unit.amount.value)} ${esc(o.unit.amount.currency_code)}${o.brandName ? ` to ${esc(o.brandName)}` : ""}</h1>
<p>${esc(o.unit.description ?? "")}</p><p class="note">PayPal sandbox: no money moves. Order ${esc(o.id)}.</p>
<form method="post" action="/paypal/checkoutnow/${esc(o.id)}"><fieldset><legend>Pay with PayPal balance or card</legend>
<button class="primary" type="submit" name="outcome" value="pay">Pay</button>
<button type="submit" name="outcome" value="decline">Decline</button>
<button type="submit" name="outcome" value="3ds">3-D Secure</button></fieldset></form>`,
        ),
      );
    });
    app.post("/checkoutnow/:id", async (c) => {
      const o = st().orders.get(c.req.param("id"));
      if (!o) return c.html(page("Order not found", "<h1>Order not found</h1>"), 404);
      const outcome = String((await c.req.parseBody()).outcome ?? "");
      if (outcome === "3ds") {
        return c.html(
          page(
            "3-D Secure",
            `<h1>3-D Secure authentication</h1><p>Your card issuer asks you to confirm ${esc(o.unit.amount.value)} ${esc(o.unit.amount.currency_code)}.</p>
<form method="post" action="/paypal/checkoutnow/${esc(o.id)}"><fieldset><legend>Authentication</legend>
<button class="primary" type="submit" name="outcome" value="3ds_complete">Complete authentication</button>
<button type="submit" name="outcome" value="3ds_fail">Fail authentication</button></fieldset></form>`,
          ),
        );
      }
      const why = settle(o, outcome, baseOf(c));
      if (why) return c.html(page("PayPal", `<h1>Cannot do that</h1><p>${esc(why)}</p>`), 409);
      const to = outcome === "3ds_fail" ? withQuery(o.cancelUrl, { token: o.id }) : withQuery(o.returnUrl, { token: o.id, PayerID: o.payerId ?? "" });
      return to ? c.redirect(to, 303) : c.html(page("PayPal", `<h1>Done</h1><p>Order ${esc(o.id)} is ${esc(o.status)}.</p>`));
    });

    // ── the API ──
    app.post("/v1/oauth2/token", async (c) => {
      const a = basic(c);
      if (a instanceof Response) return a;
      const form = await c.req.parseBody();
      if (form.grant_type !== "client_credentials") return c.json({ error: "unsupported_grant_type", error_description: "Grant Type is NULL" }, 400);
      const token = `A21AA${randomBytes(40).toString("base64url")}`;
      st().tokens.set(token, { clientId: a.clientId, expiresAt: Date.now() + TOKEN_TTL * 1000 });
      return c.json({
        scope: "https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund https://uri.paypal.com/services/applications/webhooks",
        access_token: token,
        token_type: "Bearer",
        app_id: "APP-80W284485P519543T",
        expires_in: TOKEN_TTL,
        nonce: `${new Date().toISOString()}${randomBytes(8).toString("hex")}`,
      });
    });

    app.post("/v2/checkout/orders", async (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      return once(c, a.clientId, (b) => {
        if (b.intent !== "CAPTURE") return ppError(c, 400, "INVALID_PARAMETER_VALUE", "The value of a field is invalid (this sandbox supports intent CAPTURE).", "intent");
        const units = b.purchase_units as Record<string, unknown>[] | undefined;
        if (!Array.isArray(units) || units.length !== 1) return ppError(c, 400, "INVALID_ARRAY_LENGTH", "One purchase unit (this sandbox).", "purchase_units");
        const u = units[0];
        const amt = parseValue(u.amount);
        if (!amt.ok) return ppError(c, amt.status, amt.issue, amt.description, `purchase_units/@reference_id=='default'/${amt.field}`);
        for (const f of ["custom_id", "description"] as const) {
          if (u[f] !== undefined && (typeof u[f] !== "string" || (u[f] as string).length > 127)) return ppError(c, 400, "INVALID_STRING_LENGTH", "The value of a field is either too short or too long.", `purchase_units/0/${f}`);
        }
        const ctx = ((b.payment_source as { paypal?: { experience_context?: Record<string, unknown> } } | undefined)?.paypal?.experience_context ?? {}) as Record<string, string>;
        const now = new Date().toISOString();
        const o: Order = {
          id: ppId(),
          clientId: a.clientId,
          status: "PAYER_ACTION_REQUIRED",
          unit: {
            reference_id: (u.reference_id as string) ?? "default",
            custom_id: u.custom_id as string | undefined,
            description: u.description as string | undefined,
            amount: money(amt.minor, amt.cur),
            minor: amt.minor,
          },
          returnUrl: ctx.return_url,
          cancelUrl: ctx.cancel_url,
          brandName: ctx.brand_name,
          declining: false,
          deniedSent: false,
          create_time: now,
          update_time: now,
        };
        st().orders.set(o.id, o);
        return c.json(orderRep(o, baseOf(c)), 200);
      });
    });

    const ownOrder = (c: Context, clientId: string) => {
      const o = st().orders.get(c.req.param("id") ?? "");
      return o && o.clientId === clientId ? o : null;
    };

    app.get("/v2/checkout/orders/:id", (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      const o = ownOrder(c, a.clientId);
      if (!o) return ppError(c, 404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.");
      return c.json(orderRep(o, baseOf(c)));
    });

    app.post("/v2/checkout/orders/:id/capture", async (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      return once(c, a.clientId, () => {
        const o = ownOrder(c, a.clientId);
        const base = baseOf(c);
        if (!o) return ppError(c, 404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.");
        st().captureRuns.set(o.id, (st().captureRuns.get(o.id) ?? 0) + 1);
        if (o.status === "COMPLETED") return ppError(c, 422, "ORDER_ALREADY_CAPTURED", "Order already captured. If 'intent=CAPTURE' only one capture per order is allowed.");
        if (o.status === "VOIDED") return ppError(c, 422, "ORDER_EXPIRED", "The order has expired."); // UNCONFIRMED issue name
        if (o.status !== "APPROVED") return ppError(c, 422, "ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.");
        const now = new Date().toISOString();
        if (o.declining) {
          if (!o.deniedSent) {
            o.deniedSent = true;
            const denied: Capture = {
              id: ppId(), clientId: a.clientId, orderId: o.id, status: "DECLINED", amount: o.unit.amount, minor: o.unit.minor,
              refundedMinor: 0, refundIds: [], custom_id: o.unit.custom_id, create_time: now, update_time: now,
            };
            st().captures.set(denied.id, denied);
            void emit(a.clientId, "PAYMENT.CAPTURE.DENIED", "capture", captureRep(denied, base), `Payment denied for ${o.unit.amount.value} ${o.unit.amount.currency_code}`, base);
          }
          return ppError(c, 422, "INSTRUMENT_DECLINED", "The instrument presented was either declined by the processor or bank, or it can't be used for this payment.");
        }
        const x: Capture = {
          id: ppId(), clientId: a.clientId, orderId: o.id, status: "COMPLETED", amount: o.unit.amount, minor: o.unit.minor,
          refundedMinor: 0, refundIds: [], custom_id: o.unit.custom_id, create_time: now, update_time: now,
        };
        st().captures.set(x.id, x);
        o.captureId = x.id;
        o.status = "COMPLETED";
        o.update_time = now;
        void emit(a.clientId, "PAYMENT.CAPTURE.COMPLETED", "capture", captureRep(x, base), `Payment completed for ${x.amount.value} ${x.amount.currency_code}`, base);
        return c.json(orderRep(o, base), 201);
      });
    });

    const ownCapture = (c: Context, clientId: string) => {
      const x = st().captures.get(c.req.param("id") ?? "");
      return x && x.clientId === clientId ? x : null;
    };

    app.get("/v2/payments/captures/:id", (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      const x = ownCapture(c, a.clientId);
      if (!x) return ppError(c, 404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.");
      return c.json(captureRep(x, baseOf(c)));
    });

    app.post("/v2/payments/captures/:id/refund", async (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      return once(c, a.clientId, (b) => {
        const x = ownCapture(c, a.clientId);
        const base = baseOf(c);
        if (!x) return ppError(c, 404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.");
        if (x.status === "REFUNDED") return ppError(c, 422, "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded.");
        if (x.status === "DECLINED") return ppError(c, 422, "REFUND_NOT_ALLOWED", "Refund cannot be issued for a declined capture."); // UNCONFIRMED issue name
        const left = x.minor - x.refundedMinor;
        let minor = left;
        if (b.amount !== undefined) {
          const amt = parseValue(b.amount);
          if (!amt.ok) return ppError(c, amt.status, amt.issue, amt.description, amt.field);
          if (amt.cur !== x.amount.currency_code) return ppError(c, 422, "REFUND_CAPTURE_CURRENCY_MISMATCH", "Refund must be in the same currency as the capture.");
          minor = amt.minor;
        }
        if (minor > left) return ppError(c, 422, "REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the capture amount that has not yet been refunded.");
        x.refundedMinor += minor;
        x.status = x.refundedMinor >= x.minor ? "REFUNDED" : "PARTIALLY_REFUNDED";
        const now = new Date().toISOString();
        x.update_time = now;
        const r: Refund = {
          id: ppId(), clientId: a.clientId, captureId: x.id, amount: money(minor, x.amount.currency_code), minor, totalAfter: x.refundedMinor,
          note: typeof b.note_to_payer === "string" ? b.note_to_payer : undefined, custom_id: x.custom_id, create_time: now,
        };
        st().refunds.set(r.id, r);
        x.refundIds.push(r.id);
        void emit(a.clientId, "PAYMENT.CAPTURE.REFUNDED", "refund", refundRep(r, base), `A ${r.amount.value} ${r.amount.currency_code} capture payment was refunded`, base);
        return c.json(refundRep(r, base), 201);
      });
    });

    app.get("/v2/payments/refunds/:id", (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      const r = st().refunds.get(c.req.param("id"));
      if (!r || r.clientId !== a.clientId) return ppError(c, 404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.");
      return c.json(refundRep(r, baseOf(c)));
    });

    app.post("/v1/notifications/webhooks", async (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      return once(c, a.clientId, (b) => {
        const url = String(b.url ?? "");
        if (!/^https?:\/\//i.test(url)) return ppError(c, 400, "INVALID_PARAMETER_SYNTAX", "The url is not valid.", "url");
        const types = b.event_types as { name?: string }[] | undefined;
        if (!Array.isArray(types) || !types.length || types.some((t) => typeof t?.name !== "string")) return ppError(c, 400, "MISSING_REQUIRED_PARAMETER", "event_types is required.", "event_types");
        const id = typeof b.id === "string" && b.id ? b.id : ppId();
        const taken = st().webhooks.get(id);
        if (taken && taken.clientId !== a.clientId) return ppError(c, 400, "WEBHOOK_ID_TAKEN", "This webhook id belongs to another app (sandbox)."); // sandbox-only
        const w: Webhook = { id, clientId: a.clientId, url, event_types: types.map((t) => ({ name: t.name! })) };
        st().webhooks.set(id, w);
        return c.json({ id, url, event_types: w.event_types, links: [{ href: `${baseOf(c)}/paypal/v1/notifications/webhooks/${id}`, rel: "self", method: "GET" }] }, 201);
      });
    });
    app.get("/v1/notifications/webhooks", (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      return c.json({ webhooks: [...st().webhooks.values()].filter((w) => w.clientId === a.clientId).map(({ clientId: _c, ...w }) => w) });
    });

    // PayPal's "resend event": the same event (same id) signed and sent again to its webhook
    app.post("/v1/notifications/webhooks-events/:id/resend", async (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      const e = st().events.get(c.req.param("id"));
      if (!e || e.clientId !== a.clientId) return ppError(c, 404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.");
      const b = (await c.req.json().catch(() => ({}))) as { webhook_ids?: unknown };
      const ids = Array.isArray(b.webhook_ids) ? b.webhook_ids.filter((x): x is string => typeof x === "string") : [e.webhookId];
      const w = st().webhooks.get(e.webhookId);
      if (w && ids.includes(w.id)) await transmit(w, e.event, baseOf(c));
      return c.json(e.event, 202);
    });

    app.post("/v1/notifications/verify-webhook-signature", async (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
      if (!b) return ppError(c, 400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.");
      for (const f of ["auth_algo", "cert_url", "transmission_id", "transmission_sig", "transmission_time", "webhook_id"]) {
        if (typeof b[f] !== "string" || !b[f]) return ppError(c, 400, "MISSING_REQUIRED_PARAMETER", `${f} is required.`, f);
      }
      if (!b.webhook_event || typeof b.webhook_event !== "object") return ppError(c, 400, "MISSING_REQUIRED_PARAMETER", "webhook_event is required.", "webhook_event");
      const t = st().transmissions.get(String(b.transmission_id));
      const w = st().webhooks.get(String(b.webhook_id));
      const ok =
        !!t &&
        !!w &&
        w.clientId === a.clientId &&
        t.webhookId === b.webhook_id &&
        t.sig === b.transmission_sig &&
        t.time === b.transmission_time &&
        t.certUrl === b.cert_url &&
        t.algo === b.auth_algo &&
        createHash("sha256").update(canonical(t.event)).digest("hex") === createHash("sha256").update(canonical(b.webhook_event)).digest("hex");
      return c.json({ verification_status: ok ? "SUCCESS" : "FAILURE" });
    });

    app.all("/v1/*", (c) => ppError(c, 404));
    app.all("/v2/*", (c) => ppError(c, 404));
  },
};

export default paypalSandbox;
