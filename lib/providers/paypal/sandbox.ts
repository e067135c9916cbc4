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
// Subscriptions v1 (issue 18):
//   POST /v1/catalogs/products                     {id?, name, type, description?} → 201 (an id is the merchant's own; PROD- is
//                                                  PayPal's prefix: 400; a taken id: 422 DUPLICATE_RESOURCE_IDENTIFIER, UNCONFIRMED on create)
//   GET  /v1/catalogs/products/{id}
//   POST /v1/billing/plans                         {product_id, name, status?, billing_cycles:[one REGULAR cycle: frequency
//                                                  {interval_unit, interval_count ≤ 365/52/12/1}, total_cycles 0, pricing_scheme.fixed_price],
//                                                  payment_preferences {payment_failure_threshold, auto_bill_outstanding}} → 201 ACTIVE
//                                                  (trial cycles, taxes and quantities are not emulated: 400 naming the field)
//   GET  /v1/billing/plans?product_id=             {plans:[{id, product_id, name, status, …}]} (no billing_cycles in the list)
//   GET  /v1/billing/plans/{id}
//   POST /v1/billing/subscriptions                 {plan_id, custom_id?, subscriber?, application_context} → 201 APPROVAL_PENDING, links
//                                                  approve (GET /paypal/webapps/billing/subscriptions?ba_token=BA-…); sends BILLING.SUBSCRIPTION.CREATED
//   GET  /v1/billing/subscriptions/{id}            status, status_change_note, billing_info {last_payment, next_billing_time (ACTIVE only),
//                                                  failed_payments_count, last_failed_payment, outstanding_balance, cycle_executions}
//   POST /v1/billing/subscriptions/{id}/cancel     {reason} → 204 CANCELLED (ACTIVE or SUSPENDED, else 422 SUBSCRIPTION_STATUS_INVALID)
//   POST /v1/billing/subscriptions/{id}/suspend    {reason} → 204 SUSPENDED, the reason kept as status_change_note (ACTIVE only)
//   POST /v1/billing/subscriptions/{id}/activate   {reason} → 204 ACTIVE (SUSPENDED only; one suspended by failed payments:
//                                                  422 SUBSCRIPTION_CANNOT_BE_ACTIVATED, as PayPal's reference says)
//   each sends its BILLING.SUBSCRIPTION.CANCELLED / SUSPENDED / ACTIVATED with the subscription as the resource.
// The approval page: Agree & Subscribe → ACTIVE, BILLING.SUBSCRIPTION.ACTIVATED (before the first payment:
// cycles_completed 0, no last_payment), the first period charged at once (PAYMENT.SALE.COMPLETED, billing_agreement_id = the subscription; `custom` = its custom_id, UNCONFIRMED), back to
// return_url?subscription_id=…&ba_token=…&token=…; Cancel → back to cancel_url, nothing changes.
// Test controls:
//   POST /paypal/__subscriptions/{id}/approve {"outcome":"approve"|"cancel"} — the approval page without a browser
//   POST /paypal/__subscriptions/{id}/cycle {"outcome":"paid"|"failed"} — the next billing date arrives: paid → a sale
//        (PAYMENT.SALE.COMPLETED), the period moves on, failures reset; failed → BILLING.SUBSCRIPTION.PAYMENT.FAILED
//        (failed_payments_count + 1, the period does not move), and SUSPENDED + BILLING.SUBSCRIPTION.SUSPENDED once the
//        count reaches the plan's payment_failure_threshold
//   GET  /paypal/__catalog?clientId=…  the client's products, plans, subscriptions and sales (to count them)
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
type Product = { id: string; clientId: string; name: string; type: string; description?: string; create_time: string };
type Plan = {
  id: string;
  clientId: string;
  productId: string;
  name: string;
  description?: string;
  status: "CREATED" | "ACTIVE" | "INACTIVE";
  unit: "DAY" | "WEEK" | "MONTH" | "YEAR";
  count: number;
  price: Money;
  minor: number;
  threshold: number;
  autoBill: boolean;
  create_time: string;
};
type Subscription = {
  id: string;
  clientId: string;
  planId: string;
  baToken: string;
  status: "APPROVAL_PENDING" | "ACTIVE" | "SUSPENDED" | "CANCELLED";
  note?: string;
  custom_id?: string;
  email?: string;
  payerId?: string;
  returnUrl?: string;
  cancelUrl?: string;
  brandName?: string;
  create_time: string;
  update_time: string;
  status_update_time: string;
  start_time?: string;
  cycles: number;
  lastPayment?: { amount: Money; time: string };
  next?: string;
  failed: number;
  lastFailed?: { amount: Money; time: string; reason_code: string; next_payment_retry_time?: string };
  /** suspended by PayPal after payment_failure_threshold failures: the merchant cannot activate it */
  failureSuspended: boolean;
};
type Sale = { id: string; clientId: string; subscriptionId: string; state: "completed" | "denied"; amount: Money; custom?: string; create_time: string };
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
  /** catalog products by "<client id>:<product id>" (product ids are the merchant's own) */
  products: Map<string, Product>;
  plans: Map<string, Plan>;
  subscriptions: Map<string, Subscription>;
  sales: Map<string, Sale>;
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
        products: new Map(),
        plans: new Map(),
        subscriptions: new Map(),
        sales: new Map(),
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
      if (seen.kind === "replay") return seen.res.status === 204 ? c.body(null, 204) : c.json(seen.res.body, seen.res.status as 200);
      const res = await run(body);
      if (slot && res.status < 500) requestIds.remember(slot, "", { status: res.status, body: res.status === 204 ? null : await res.clone().json() });
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


    // ── Subscriptions v1 ──
    const notFound = (c: Context) => ppError(c, 404, "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the resource ID and try again.");
    const productRep = (p: Product, base: string) => ({
      id: p.id,
      name: p.name,
      ...(p.description ? { description: p.description } : {}),
      type: p.type,
      create_time: p.create_time,
      update_time: p.create_time,
      links: [{ href: `${base}/paypal/v1/catalogs/products/${p.id}`, rel: "self", method: "GET" }],
    });
    const planLinks = (p: Plan, base: string) => [
      { href: `${base}/paypal/v1/billing/plans/${p.id}`, rel: "self", method: "GET" },
      { href: `${base}/paypal/v1/billing/plans/${p.id}`, rel: "edit", method: "PATCH" },
    ];
    const planRep = (p: Plan, base: string) => ({
      id: p.id,
      product_id: p.productId,
      name: p.name,
      status: p.status,
      ...(p.description ? { description: p.description } : {}),
      usage_type: "LICENSED",
      billing_cycles: [
        {
          pricing_scheme: { version: 1, fixed_price: p.price, create_time: p.create_time, update_time: p.create_time },
          frequency: { interval_unit: p.unit, interval_count: p.count },
          tenure_type: "REGULAR",
          sequence: 1,
          total_cycles: 0,
        },
      ],
      payment_preferences: { service_type: "PREPAID", auto_bill_outstanding: p.autoBill, setup_fee: money(0, p.price.currency_code), setup_fee_failure_action: "CONTINUE", payment_failure_threshold: p.threshold },
      quantity_supported: false,
      create_time: p.create_time,
      update_time: p.create_time,
      links: planLinks(p, base),
    });
    const subscriptionRep = (x: Subscription, base: string) => {
      const plan = st().plans.get(x.planId)!;
      const started = x.status !== "APPROVAL_PENDING";
      return {
        id: x.id,
        plan_id: x.planId,
        start_time: x.start_time ?? x.create_time,
        quantity: "1",
        ...(x.custom_id ? { custom_id: x.custom_id } : {}),
        plan_overridden: false,
        status: x.status,
        status_update_time: x.status_update_time,
        ...(x.note ? { status_change_note: x.note } : {}),
        ...(x.email || x.payerId
          ? {
              subscriber: {
                ...(x.payerId ? { name: { given_name: "Sandbox", surname: "Payer" }, payer_id: x.payerId } : {}),
                email_address: x.email ?? "payer@example.com",
              },
            }
          : {}),
        ...(started
          ? {
              billing_info: {
                outstanding_balance: money(x.failed > 0 ? plan.minor : 0, plan.price.currency_code),
                cycle_executions: [{ tenure_type: "REGULAR", sequence: 1, cycles_completed: x.cycles, cycles_remaining: 0, current_pricing_scheme_version: 1, total_cycles: 0 }],
                ...(x.lastPayment ? { last_payment: x.lastPayment } : {}),
                // UNCONFIRMED whether PayPal keeps next_billing_time on a suspended subscription: the sandbox shows it only while ACTIVE
                ...(x.status === "ACTIVE" && x.next ? { next_billing_time: x.next } : {}),
                failed_payments_count: x.failed,
                ...(x.lastFailed ? { last_failed_payment: x.lastFailed } : {}),
              },
            }
          : {}),
        create_time: x.create_time,
        update_time: x.update_time,
        links: [
          ...(x.status === "APPROVAL_PENDING" ? [{ href: `${base}/paypal/webapps/billing/subscriptions?ba_token=${x.baToken}`, rel: "approve", method: "GET" }] : []),
          { href: `${base}/paypal/v1/billing/subscriptions/${x.id}`, rel: "edit", method: "PATCH" },
          { href: `${base}/paypal/v1/billing/subscriptions/${x.id}`, rel: "self", method: "GET" },
        ],
      };
    };
    const saleRep = (x: Sale, base: string) => ({
      id: x.id,
      state: x.state,
      amount: { total: x.amount.value, currency: x.amount.currency_code, details: { subtotal: x.amount.value } },
      payment_mode: "INSTANT_TRANSFER",
      protection_eligibility: "ELIGIBLE",
      protection_eligibility_type: "ITEM_NOT_RECEIVED_ELIGIBLE,UNAUTHORIZED_PAYMENT_ELIGIBLE",
      billing_agreement_id: x.subscriptionId,
      ...(x.custom ? { custom: x.custom } : {}),
      create_time: x.create_time,
      update_time: x.create_time,
      links: [
        { href: `${base}/paypal/v1/payments/sale/${x.id}`, rel: "self", method: "GET" },
        { href: `${base}/paypal/v1/payments/sale/${x.id}/refund`, rel: "refund", method: "POST" },
      ],
    });

    function addInterval(iso: string, unit: Plan["unit"], count: number): string {
      const d = new Date(iso);
      if (unit === "DAY") d.setUTCDate(d.getUTCDate() + count);
      else if (unit === "WEEK") d.setUTCDate(d.getUTCDate() + 7 * count);
      else if (unit === "MONTH") d.setUTCMonth(d.getUTCMonth() + count);
      else d.setUTCFullYear(d.getUTCFullYear() + count);
      return d.toISOString().replace(/\.\d{3}Z$/, "Z");
    }
    const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const statusChange = (x: Subscription, status: Subscription["status"], note?: string) => {
      x.status = status;
      x.note = note;
      x.status_update_time = x.update_time = nowIso();
    };
    /** events in order: one after the other (PayPal sends a subscription's ACTIVATED before its first sale) */
    const emitInOrder = (clientId: string, base: string, events: [string, string, () => unknown, string][]) =>
      void (async () => {
        for (const [type, resourceType, resource, summary] of events) await emit(clientId, type, resourceType, resource(), summary, base);
      })();
    /** a period is paid: the sale, the period moved on, failures forgiven */
    function charge(x: Subscription, at: string): Sale {
      const plan = st().plans.get(x.planId)!;
      const sale: Sale = { id: ppId(), clientId: x.clientId, subscriptionId: x.id, state: "completed", amount: plan.price, custom: x.custom_id, create_time: nowIso() };
      st().sales.set(sale.id, sale);
      x.cycles++;
      x.lastPayment = { amount: plan.price, time: sale.create_time };
      x.next = addInterval(at, plan.unit, plan.count);
      x.failed = 0;
      x.update_time = sale.create_time;
      return sale;
    }

    app.post("/v1/catalogs/products", async (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      return once(c, a.clientId, (b) => {
        const name = b.name;
        if (typeof name !== "string" || !name.length || name.length > 127) return ppError(c, 400, "MISSING_REQUIRED_PARAMETER", "A required field is missing.", "name");
        const type = b.type === undefined ? "PHYSICAL" : b.type;
        if (type !== "PHYSICAL" && type !== "DIGITAL" && type !== "SERVICE") return ppError(c, 400, "INVALID_PARAMETER_VALUE", "The value of a field is invalid.", "type");
        if (b.description !== undefined && (typeof b.description !== "string" || !b.description.length || b.description.length > 256)) {
          return ppError(c, 400, "INVALID_STRING_MAX_LENGTH", "The value of a field is too long.", "description");
        }
        let id = ppId();
        if (b.id !== undefined) {
          if (typeof b.id !== "string" || b.id.length < 6 || b.id.length > 50 || !/^[A-Za-z0-9_-]+$/.test(b.id)) return ppError(c, 400, "INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected format.", "id");
          if (b.id.startsWith("PROD-")) return ppError(c, 400, "INVALID_PARAMETER_SYNTAX", "Input identifier must not use system prefix(PROD-).", "id");
          id = b.id;
        } else id = `PROD-${id}`;
        const key = `${a.clientId}:${id}`;
        if (st().products.has(key)) return ppError(c, 422, "DUPLICATE_RESOURCE_IDENTIFIER", "Identifier must be unique."); // UNCONFIRMED on create (documented for update)
        const p: Product = { id, clientId: a.clientId, name, type, description: b.description as string | undefined, create_time: nowIso() };
        st().products.set(key, p);
        return c.json(productRep(p, baseOf(c)), 201);
      });
    });
    app.get("/v1/catalogs/products/:id", (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      const p = st().products.get(`${a.clientId}:${c.req.param("id")}`);
      return p ? c.json(productRep(p, baseOf(c))) : notFound(c);
    });

    app.post("/v1/billing/plans", async (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      return once(c, a.clientId, (b) => {
        const product = typeof b.product_id === "string" ? st().products.get(`${a.clientId}:${b.product_id}`) : undefined;
        if (!product) return ppError(c, 400, "INVALID_PARAMETER_VALUE", "The value of a field is invalid.", "product_id"); // UNCONFIRMED issue for an unknown product
        if (typeof b.name !== "string" || !b.name.length || b.name.length > 127) return ppError(c, 400, "MISSING_REQUIRED_PARAMETER", "A required field is missing.", "name");
        const status = b.status === undefined ? "ACTIVE" : b.status;
        if (status !== "ACTIVE" && status !== "CREATED") return ppError(c, 400, "INVALID_PARAMETER_VALUE", "The value of a field is invalid.", "status");
        const cycles = b.billing_cycles as Record<string, unknown>[] | undefined;
        if (!Array.isArray(cycles) || !cycles.length) return ppError(c, 400, "MISSING_REQUIRED_PARAMETER", "A required field is missing.", "billing_cycles");
        if (cycles.length !== 1 || cycles[0].tenure_type !== "REGULAR") return ppError(c, 400, "INVALID_PARAMETER_VALUE", "This sandbox emulates one REGULAR billing cycle (no trials).", "billing_cycles");
        const cy = cycles[0];
        const f = (cy.frequency ?? {}) as { interval_unit?: unknown; interval_count?: unknown };
        const max: Record<string, number> = { DAY: 365, WEEK: 52, MONTH: 12, YEAR: 1 };
        if (typeof f.interval_unit !== "string" || !(f.interval_unit in max)) return ppError(c, 400, "INVALID_PARAMETER_VALUE", "The value of a field is invalid.", "billing_cycles/0/frequency/interval_unit");
        const count = f.interval_count === undefined ? 1 : f.interval_count;
        if (typeof count !== "number" || !Number.isInteger(count) || count < 1) return ppError(c, 400, "INVALID_INTEGER_MIN_VALUE", "The integer value of a field is too small.", "billing_cycles/0/frequency/interval_count");
        if (count > max[f.interval_unit]) return ppError(c, 400, "INVALID_INTEGER_MAX_VALUE", "The integer value of a field is too large.", "billing_cycles/0/frequency/interval_count");
        if (cy.total_cycles !== undefined && cy.total_cycles !== 0) return ppError(c, 400, "INVALID_PARAMETER_VALUE", "This sandbox emulates plans billed until canceled (total_cycles 0).", "billing_cycles/0/total_cycles");
        const price = parseValue((cy.pricing_scheme as { fixed_price?: unknown } | undefined)?.fixed_price);
        if (!price.ok) return ppError(c, price.status, price.issue, price.description, `billing_cycles/0/pricing_scheme/fixed_price/${price.field.replace(/^amount\/?/, "")}`);
        const prefs = (b.payment_preferences ?? {}) as { payment_failure_threshold?: unknown; auto_bill_outstanding?: unknown };
        const threshold = prefs.payment_failure_threshold === undefined ? 0 : prefs.payment_failure_threshold;
        if (typeof threshold !== "number" || !Number.isInteger(threshold) || threshold < 0 || threshold > 999) return ppError(c, 400, "INVALID_PARAMETER_VALUE", "The value of a field is invalid.", "payment_preferences/payment_failure_threshold");
        for (const f2 of ["taxes", "quantity_supported"] as const) if (b[f2] !== undefined && b[f2] !== false) return ppError(c, 400, "INVALID_PARAMETER_VALUE", `This sandbox does not emulate ${f2}.`, f2);
        const p: Plan = {
          id: `P-${ppId()}${ppId().slice(0, 7)}`,
          clientId: a.clientId,
          productId: product.id,
          name: b.name,
          description: typeof b.description === "string" ? b.description : undefined,
          status,
          unit: f.interval_unit as Plan["unit"],
          count,
          price: money(price.minor, price.cur),
          minor: price.minor,
          threshold,
          autoBill: prefs.auto_bill_outstanding !== false,
          create_time: nowIso(),
        };
        st().plans.set(p.id, p);
        return c.json(planRep(p, baseOf(c)), 201);
      });
    });
    app.get("/v1/billing/plans", (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      const productId = c.req.query("product_id");
      const size = Math.min(20, Math.max(1, Number(c.req.query("page_size") ?? 10) || 10));
      const page = Math.max(1, Number(c.req.query("page") ?? 1) || 1);
      const all = [...st().plans.values()].filter((p) => p.clientId === a.clientId && (!productId || p.productId === productId));
      const base = baseOf(c);
      return c.json({
        plans: all.slice((page - 1) * size, page * size).map((p) => ({ id: p.id, product_id: p.productId, name: p.name, status: p.status, ...(p.description ? { description: p.description } : {}), usage_type: "LICENSED", create_time: p.create_time, links: planLinks(p, base).slice(0, 1) })),
        ...(c.req.query("total_required") === "true" ? { total_items: all.length, total_pages: Math.ceil(all.length / size) } : {}),
        links: [{ href: `${base}/paypal/v1/billing/plans?page_size=${size}&page=${page}`, rel: "self", method: "GET" }],
      });
    });
    app.get("/v1/billing/plans/:id", (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      const p = st().plans.get(c.req.param("id"));
      return p && p.clientId === a.clientId ? c.json(planRep(p, baseOf(c))) : notFound(c);
    });

    app.post("/v1/billing/subscriptions", async (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      return once(c, a.clientId, (b) => {
        const plan = typeof b.plan_id === "string" ? st().plans.get(b.plan_id) : undefined;
        if (!plan || plan.clientId !== a.clientId) return ppError(c, 400, "INVALID_PARAMETER_VALUE", "The value of a field is invalid.", "plan_id"); // UNCONFIRMED issue for an unknown plan
        if (plan.status !== "ACTIVE") return ppError(c, 422, "PLAN_STATUS_INVALID", "Invalid plan status for subscription creation; plan status should be active.");
        if (b.custom_id !== undefined && (typeof b.custom_id !== "string" || !b.custom_id.length || b.custom_id.length > 127)) return ppError(c, 400, "INVALID_STRING_MAX_LENGTH", "The value of a field is too long.", "custom_id");
        const ctx = (b.application_context ?? {}) as Record<string, unknown>;
        for (const u of ["return_url", "cancel_url"] as const) {
          if (ctx[u] !== undefined && (typeof ctx[u] !== "string" || !/^https?:\/\//i.test(ctx[u] as string))) return ppError(c, 400, "INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected format.", `application_context/${u}`);
        }
        if (ctx.user_action !== undefined && ctx.user_action !== "CONTINUE" && ctx.user_action !== "SUBSCRIBE_NOW") return ppError(c, 400, "INVALID_PARAMETER_VALUE", "The value of a field is invalid.", "application_context/user_action");
        const email = (b.subscriber as { email_address?: unknown } | undefined)?.email_address;
        const now = nowIso();
        const x: Subscription = {
          id: `I-${ppId().slice(0, 12)}`,
          clientId: a.clientId,
          planId: plan.id,
          baToken: `BA-${ppId()}`,
          status: "APPROVAL_PENDING",
          custom_id: b.custom_id as string | undefined,
          email: typeof email === "string" ? email : undefined,
          returnUrl: ctx.return_url as string | undefined,
          cancelUrl: ctx.cancel_url as string | undefined,
          brandName: typeof ctx.brand_name === "string" ? ctx.brand_name : undefined,
          create_time: now,
          update_time: now,
          status_update_time: now,
          cycles: 0,
          failed: 0,
          failureSuspended: false,
        };
        st().subscriptions.set(x.id, x);
        const base = baseOf(c);
        emitInOrder(a.clientId, base, [["BILLING.SUBSCRIPTION.CREATED", "subscription", () => subscriptionRep(x, base), "Subscription created"]]);
        return c.json(subscriptionRep(x, base), 201);
      });
    });
    const ownSubscription = (c: Context, clientId: string) => {
      const x = st().subscriptions.get(c.req.param("id") ?? "");
      return x && x.clientId === clientId ? x : null;
    };
    app.get("/v1/billing/subscriptions/:id", (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      const x = ownSubscription(c, a.clientId);
      return x ? c.json(subscriptionRep(x, baseOf(c))) : notFound(c);
    });
    const invalidStatus = (c: Context, action: string, should: string) =>
      ppError(c, 422, "SUBSCRIPTION_STATUS_INVALID", `Invalid subscription status for ${action} action; subscription status should be ${should}.`);
    app.post("/v1/billing/subscriptions/:id/:action{cancel|suspend|activate}", async (c) => {
      const a = bearer(c);
      if (a instanceof Response) return a;
      return once(c, a.clientId, (b) => {
        const x = ownSubscription(c, a.clientId);
        if (!x) return notFound(c);
        const action = c.req.param("action");
        const reason = b.reason;
        if (reason !== undefined && (typeof reason !== "string" || reason.length > 128)) return ppError(c, 400, "INVALID_STRING_MAX_LENGTH", "The value of a field is too long.", "reason");
        if (action === "activate" && (typeof reason !== "string" || !reason)) return ppError(c, 400, "MISSING_REQUIRED_PARAMETER", "A required field is missing.", "reason"); // "Required to reactivate"
        const base = baseOf(c);
        const send = (type: string, summary: string) => emitInOrder(a.clientId, base, [[type, "subscription", () => subscriptionRep(x, base), summary]]);
        if (action === "cancel") {
          if (x.status !== "ACTIVE" && x.status !== "SUSPENDED") return invalidStatus(c, "cancel", "active or suspended");
          statusChange(x, "CANCELLED", reason as string | undefined);
          send("BILLING.SUBSCRIPTION.CANCELLED", "Subscription cancelled");
        } else if (action === "suspend") {
          if (x.status !== "ACTIVE") return invalidStatus(c, "suspend", "active");
          statusChange(x, "SUSPENDED", reason as string | undefined);
          send("BILLING.SUBSCRIPTION.SUSPENDED", "Subscription suspended");
        } else {
          if (x.status !== "SUSPENDED") return invalidStatus(c, "activate", "suspended");
          if (x.failureSuspended) return ppError(c, 422, "SUBSCRIPTION_CANNOT_BE_ACTIVATED", "Subscription cannot be activated after payment failure threshold has reached.");
          statusChange(x, "ACTIVE", reason as string);
          // a billing date passed while suspended: the period starts again now (UNCONFIRMED how PayPal reschedules)
          if (x.next && Date.parse(x.next) < Date.now()) x.next = addInterval(nowIso(), st().plans.get(x.planId)!.unit, st().plans.get(x.planId)!.count);
          send("BILLING.SUBSCRIPTION.ACTIVATED", "Subscription activated");
        }
        return c.body(null, 204);
      });
    });

    /** the payer's answer on the approval page; null, or why it cannot be done */
    function approve(x: Subscription, outcome: string, base: string): string | null {
      if (x.status !== "APPROVAL_PENDING") return `subscription is ${x.status}`;
      if (outcome === "cancel") return null; // the payer goes back: nothing changes, no event
      if (outcome !== "approve") return `unknown outcome "${outcome}" (approve, cancel)`;
      x.payerId = ppId().slice(0, 13);
      const now = nowIso();
      x.start_time = now;
      statusChange(x, "ACTIVE");
      // PayPal's ACTIVATED shows the subscription before its first payment: cycles_completed 0,
      // next_billing_time now (as in PayPal's own sample events); the sale follows at once
      x.next = now;
      const activated = subscriptionRep(x, base);
      const sale = charge(x, now);
      emitInOrder(x.clientId, base, [
        ["BILLING.SUBSCRIPTION.ACTIVATED", "subscription", () => activated, "Subscription activated"],
        ["PAYMENT.SALE.COMPLETED", "sale", () => saleRep(sale, base), `Payment completed for ${sale.amount.value} ${sale.amount.currency_code}`],
      ]);
      return null;
    }
    const byToken = (token: string | undefined) => [...st().subscriptions.values()].find((x) => x.baToken === token);
    app.get("/webapps/billing/subscriptions", (c) => {
      const x = byToken(c.req.query("ba_token"));
      if (!x) return c.html(page("Not found", "<h1>Subscription not found</h1>"), 404);
      if (x.status !== "APPROVAL_PENDING") return c.html(page("PayPal", `<h1>This subscription is ${esc(x.status)}</h1>`));
      const plan = st().plans.get(x.planId)!;
      const every = `${plan.count === 1 ? "" : `${plan.count} `}${plan.unit.toLowerCase()}${plan.count === 1 ? "" : "s"}`;
      return c.html(
        page(
          "PayPal sandbox subscription",
          `<h1>Subscribe: ${esc(plan.price.value)} ${esc(plan.price.currency_code)} every ${esc(every)}${x.brandName ? ` to ${esc(x.brandName)}` : ""}</h1>
<p>${esc(plan.name)}</p><p class="note">PayPal sandbox: no money moves. Subscription ${esc(x.id)}.</p>
<form method="post" action="/paypal/webapps/billing/subscriptions?ba_token=${esc(x.baToken)}"><fieldset><legend>Pay with PayPal</legend>
<button class="primary" type="submit" name="outcome" value="approve">Agree &amp; Subscribe</button>
<button type="submit" name="outcome" value="cancel">Cancel</button></fieldset></form>`,
        ),
      );
    });
    app.post("/webapps/billing/subscriptions", async (c) => {
      const x = byToken(c.req.query("ba_token"));
      if (!x) return c.html(page("Not found", "<h1>Subscription not found</h1>"), 404);
      const outcome = String((await c.req.parseBody()).outcome ?? "");
      const why = approve(x, outcome, baseOf(c));
      if (why) return c.html(page("PayPal", `<h1>Cannot do that</h1><p>${esc(why)}</p>`), 409);
      const q = { subscription_id: x.id, ba_token: x.baToken, token: x.baToken.replace(/^BA-/, "EC-") };
      const to = outcome === "cancel" ? withQuery(x.cancelUrl, q) : withQuery(x.returnUrl, q);
      return to ? c.redirect(to, 303) : c.html(page("PayPal", `<h1>Done</h1><p>Subscription ${esc(x.id)} is ${esc(x.status)}.</p>`));
    });

    app.post("/__subscriptions/:id/approve", async (c) => {
      const x = st().subscriptions.get(c.req.param("id"));
      if (!x) return c.json({ error: "no such subscription" }, 404);
      const b = (await c.req.json().catch(() => ({}))) as { outcome?: string };
      const why = approve(x, b.outcome ?? "approve", baseOf(c));
      return why ? c.json({ error: why }, 409) : c.json(subscriptionRep(x, baseOf(c)));
    });
    app.post("/__subscriptions/:id/cycle", async (c) => {
      const x = st().subscriptions.get(c.req.param("id"));
      if (!x) return c.json({ error: "no such subscription" }, 404);
      const b = (await c.req.json().catch(() => ({}))) as { outcome?: string };
      const outcome = b.outcome ?? "paid";
      if (outcome !== "paid" && outcome !== "failed") return c.json({ error: `unknown outcome "${outcome}" (paid, failed)` }, 400);
      if (x.status !== "ACTIVE") return c.json({ error: `subscription is ${x.status}: PayPal bills only an ACTIVE one` }, 409);
      const base = baseOf(c);
      const plan = st().plans.get(x.planId)!;
      if (outcome === "paid") {
        const sale = charge(x, x.next ?? nowIso());
        emitInOrder(x.clientId, base, [["PAYMENT.SALE.COMPLETED", "sale", () => saleRep(sale, base), `Payment completed for ${sale.amount.value} ${sale.amount.currency_code}`]]);
      } else {
        x.failed++;
        const now = nowIso();
        x.lastFailed = { amount: plan.price, time: now, reason_code: "PAYMENT_DENIED", next_payment_retry_time: addInterval(now, "DAY", 5) };
        x.update_time = now;
        const failedRep = subscriptionRep(x, base);
        const events: [string, string, () => unknown, string][] = [["BILLING.SUBSCRIPTION.PAYMENT.FAILED", "subscription", () => failedRep, "Subscription payment failed"]];
        if (plan.threshold > 0 && x.failed >= plan.threshold) {
          statusChange(x, "SUSPENDED", "Payment failure threshold reached");
          x.failureSuspended = true;
          const suspendedRep = subscriptionRep(x, base);
          events.push(["BILLING.SUBSCRIPTION.SUSPENDED", "subscription", () => suspendedRep, "Subscription suspended"]);
        }
        emitInOrder(x.clientId, base, events);
      }
      return c.json(subscriptionRep(x, base));
    });
    app.get("/__catalog", (c) => {
      const cid = c.req.query("clientId");
      const mine = <T extends { clientId: string }>(m: Map<string, T>) => [...m.values()].filter((v) => !cid || v.clientId === cid);
      const base = baseOf(c);
      return c.json({
        products: mine(st().products).map((p) => productRep(p, base)),
        plans: mine(st().plans).map((p) => planRep(p, base)),
        subscriptions: mine(st().subscriptions).map((x) => subscriptionRep(x, base)),
        sales: mine(st().sales).map((x) => saleRep(x, base)),
      });
    });

    app.all("/v1/*", (c) => ppError(c, 404));
    app.all("/v2/*", (c) => ppError(c, 404));
  },
};

export default paypalSandbox;
