// Emulator of the part of YooKassa's API v3 Switchboard uses, in its wire format:
//   POST /v3/payments                 {amount:{value,currency}, capture, confirmation:{type:"redirect", return_url}, description, metadata,
//                                      save_payment_method?}: with save_payment_method true, a paid payment's
//                                     payment_method is saved (saved: true, a new id) for recurring payments
//   POST /v3/payments                 {amount, capture, payment_method_id, description, metadata}: a recurring
//                                     payment with a saved method, no confirmation: answered at once succeeded
//                                     (or waiting_for_capture) or canceled with cancellation_details
//   GET  /v3/payments/{id}            the payment now
//   POST /v3/payments/{id}/capture    a waiting_for_capture payment → succeeded (optional amount)
//   POST /v3/payments/{id}/cancel     a pending / waiting_for_capture payment → canceled (canceled_by_merchant)
//   POST /v3/refunds                  {payment_id, amount, description?}: refused beyond what is left (400 invalid_request)
//   GET  /v3/refunds/{id}
//   POST /v3/webhooks                 {event, url}: where notifications go (in YooKassa's API this is for partners
//                                     with OAuth, UNCONFIRMED for plain shops; here Basic auth is enough)
//   GET  /v3/webhooks                 {type:"list", items}
//   GET  /v3/me                       {account_id, status:"enabled", test:true}
// Basic auth shopId:secretKey: the shop id is digits, the key test_… (this is a test shop), and a
// key revoked with POST /yookassa/__revoke {"secretKey"} gets 401 invalid_credentials. State is
// kept per shop id. Every POST needs an Idempotence-Key (400 invalid_request without one, like
// YooKassa); the same key with the same body replays the first answer, with a different body
// it is a 400 (UNCONFIRMED: YooKassa's exact behaviour for a reused key with another body).
//
// The checkout: a payment's confirmation_url is GET /yookassa/checkout/{id}, an HTML page with
// the amount and three buttons, Pay / Decline / 3-D Secure (→ an authentication page with
// "Complete authentication" / "Fail authentication"). Afterwards the payer is redirected to
// the return_url, and YooKassa's notifications (payment.succeeded, payment.waiting_for_capture
// or payment.canceled; refund.succeeded after a refund) are POSTed, unsigned like YooKassa's,
// from this server (127.0.0.1) to every URL registered for the event.
// Test controls:
//   POST /yookassa/__pay/{id} {"outcome":"pay"|"decline"|"3ds_complete"|"3ds_fail"} — the same without a browser
//   POST /yookassa/__cards/{paymentMethodId} {"decline": reason|null, "times"?: n} — fault injection for a saved
//        card: its next n (all, without times) recurring payments are canceled with that reason
//        (insufficient_funds, card_expired, permission_revoked …; party payment_network, or yoo_money for
//        permission_revoked: UNCONFIRMED which party YooKassa names there); decline null clears it
//   GET  /yookassa/__payments?shopId=…   the shop's payments (to count them)
//   GET  /yookassa/__notifications        delivery attempts
import { escapeHtml, hostedPage, plainCss } from "@/lib/sandbox/html";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Context } from "hono";
import { answered, idempotencyStore, webhookDeliverer, type SandboxKit, type SandboxModule } from "@/lib/sandbox/kit";
import { currencyDigits, fromDecimalString, toDecimalString } from "@/lib/money";

type Amount = { value: string; currency: string };
type Payment = {
  id: string;
  shopId: string;
  status: "pending" | "waiting_for_capture" | "succeeded" | "canceled";
  paid: boolean;
  amount: Amount;
  refundedMinor: number;
  capture: boolean;
  description?: string;
  returnUrl: string;
  metadata: Record<string, string>;
  cancellation?: { party: string; reason: string };
  created_at: string;
  captured_at?: string;
  expires_at?: string;
  method?: Record<string, unknown>;
  /** save_payment_method: true — the method is saved when the payer pays */
  save: boolean;
};
/** a payment method saved for recurring payments, with its injected declines */
type SavedMethod = { id: string; shopId: string; card: Record<string, unknown>; decline: { reason: string; times: number | null } | null };
type Refund = { id: string; shopId: string; payment_id: string; status: "succeeded"; amount: Amount; created_at: string; description?: string };
type Stored = { fingerprint: string; res: { status: number; body: unknown } };
type Delivery = { event: string; objectId: string; url: string; ok: boolean; httpStatus?: number; error?: string; at: string };
type State = {
  revoked: Set<string>;
  payments: Map<string, Payment>;
  refunds: Map<string, Refund>;
  hooks: Map<string, { id: string; event: string; url: string }[]>;
  idem: Map<string, Stored>;
  deliveries: Delivery[];
  methods: Map<string, SavedMethod>;
};

const EVENTS = new Set(["payment.succeeded", "payment.waiting_for_capture", "payment.canceled", "refund.succeeded"]);
const RETURN = /^https?:\/\//i;

/** YooKassa's ids look like 2419a771-000f-5000-9000-1edaf29243f2 */
const ykId = () => {
  const h = randomBytes(16).toString("hex");
  return `${h.slice(0, 8)}-000f-5000-${["8", "9", "a", "b"][randomBytes(1)[0] % 4]}${h.slice(9, 12)}-${h.slice(12, 24)}`;
};

function ykError(c: Context, status: number, code: string, description: string, parameter?: string) {
  return c.json({ type: "error", id: randomUUID(), code, description, ...(parameter ? { parameter } : {}) }, status as 400);
}

const esc = escapeHtml;
const page = (title: string, body: string) => hostedPage(title, body, plainCss({ radius: ".4rem", primary: "background:#0070f0;color:#fff;border-color:#0070f0" }));

function resource(p: Payment, base: string) {
  const refunded = p.refundedMinor > 0 ? { refunded_amount: { value: toDecimalString(p.refundedMinor, p.amount.currency), currency: p.amount.currency } } : {};
  return {
    id: p.id,
    status: p.status,
    paid: p.paid,
    amount: p.amount,
    ...(p.status === "succeeded" ? { income_amount: p.amount } : {}),
    ...(p.description ? { description: p.description } : {}),
    recipient: { account_id: p.shopId, gateway_id: "100500" },
    ...(p.method ? { payment_method: p.method } : {}),
    created_at: p.created_at,
    ...(p.captured_at ? { captured_at: p.captured_at } : {}),
    ...(p.expires_at ? { expires_at: p.expires_at } : {}),
    ...(p.status === "pending"
      ? { confirmation: { type: "redirect", confirmation_url: `${base}/yookassa/checkout/${p.id}`, return_url: p.returnUrl } }
      : {}),
    test: true,
    ...refunded,
    refundable: p.status === "succeeded" && p.refundedMinor < fromDecimalString(p.amount.value, p.amount.currency),
    metadata: p.metadata,
    ...(p.cancellation ? { cancellation_details: p.cancellation } : {}),
  };
}

function parseAmount(a: unknown): { ok: true; amount: Amount; minor: number } | { ok: false; why: string; parameter: string } {
  const x = a as Partial<Amount> | undefined;
  if (!x || typeof x.value !== "string" || typeof x.currency !== "string") return { ok: false, why: "Amount is missing", parameter: "amount" };
  if (x.currency !== "RUB") return { ok: false, why: `Currency ${x.currency} is not available for this shop`, parameter: "amount.currency" };
  const digits = currencyDigits(x.currency);
  if (!new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`).test(x.value)) return { ok: false, why: "Invalid amount value", parameter: "amount.value" };
  const minor = fromDecimalString(x.value, x.currency);
  if (minor <= 0) return { ok: false, why: "Amount must be greater than zero", parameter: "amount.value" };
  return { ok: true, amount: { value: toDecimalString(minor, x.currency), currency: x.currency }, minor };
}

const yookassaSandbox: SandboxModule = {
  id: "yookassa",
  faultBody: (status) => ({
    type: "error",
    id: randomUUID(),
    code: status === 429 ? "too_many_requests" : status >= 500 ? "internal_server_error" : status === 401 ? "invalid_credentials" : "invalid_request",
    description: status === 429 ? "Too many requests" : status >= 500 ? "Internal server error" : "Sandbox fault",
  }),
  mount(app, kit: SandboxKit) {
    const st = () =>
      kit.state<State>("yookassa", () => ({ revoked: new Set(), payments: new Map(), refunds: new Map(), hooks: new Map(), idem: new Map(), deliveries: [], methods: new Map() }));
    const baseOf = (c: Context) => kit.baseUrl() || new URL(c.req.url).origin;

    function authenticate(c: Context): { shopId: string } | Response {
      const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(c.req.header("authorization") ?? "");
      const deny = () =>
        ykError(c, 401, "invalid_credentials", "Error in shopId or secret key. Check their validity. You can reissue the key in the Merchant Profile");
      if (!m) return deny();
      const decoded = Buffer.from(m[1], "base64").toString("utf8");
      const i = decoded.indexOf(":");
      const shopId = decoded.slice(0, i);
      const key = decoded.slice(i + 1);
      if (i < 0 || !/^\d+$/.test(shopId) || !/^test_[A-Za-z0-9_-]{8,}$/.test(key) || st().revoked.has(key)) return deny();
      return { shopId };
    }

    const webhooks = webhookDeliverer<Delivery>({ log: () => st().deliveries, headers: { "content-type": "application/json", "user-agent": "YooKassa-Sandbox" } });
    async function notify(shopId: string, event: string, object: unknown, objectId: string) {
      const targets = (st().hooks.get(shopId) ?? []).filter((h) => h.event === event);
      for (const h of targets) {
        const at = new Date().toISOString();
        // unsigned, as YooKassa's: the receiver checks the sender's address and re-fetches the object
        await webhooks.deliver(h.url, JSON.stringify({ type: "notification", event, object }), {
          done: (p) => ({ event, objectId, url: h.url, ...answered(p), at }),
        });
      }
    }

    /** the payer's choice: updates the payment and sends the notification */
    function settle(p: Payment, outcome: string, base: string): string | null {
      if (p.status !== "pending") return `payment is ${p.status}`;
      const now = new Date().toISOString();
      const card = { type: "bank_card", id: p.id, saved: false, title: "Bank card *4444", card: { first6: "555555", last4: "4444", expiry_year: "2030", expiry_month: "12", card_type: "MasterCard" } };
      if (outcome === "pay" || outcome === "3ds_complete") {
        p.paid = true;
        p.method = card;
        if (p.save) {
          // saved for recurring payments: a method id of its own, saved: true (YooKassa's answer)
          const m: SavedMethod = { id: ykId(), shopId: p.shopId, card: card.card, decline: null };
          st().methods.set(m.id, m);
          p.method = { ...card, id: m.id, saved: true, status: "active" };
        }
        if (p.capture) {
          p.status = "succeeded";
          p.captured_at = now;
        } else {
          p.status = "waiting_for_capture";
          p.expires_at = new Date(Date.now() + 7 * 86400_000).toISOString();
        }
      } else if (outcome === "decline" || outcome === "3ds_fail") {
        p.status = "canceled";
        p.method = card;
        p.cancellation = outcome === "decline" ? { party: "payment_network", reason: "insufficient_funds" } : { party: "payment_network", reason: "3d_secure_failed" };
      } else {
        return `unknown outcome "${outcome}" (pay, decline, 3ds_complete, 3ds_fail)`;
      }
      void notify(p.shopId, `payment.${p.status}`, resource(p, base), p.id);
      return null;
    }

    const keys = idempotencyStore(() => st().idem);
    /** Idempotence-Key: required on POST, the first answer replayed */
    async function idempotent(c: Context, shopId: string, run: (body: Record<string, unknown>) => Promise<Response> | Response): Promise<Response> {
      const key = c.req.header("idempotence-key");
      if (!key) return ykError(c, 400, "invalid_request", "Idempotence key is missing in the request header", "Idempotence-Key");
      if (key.length > 64) return ykError(c, 400, "invalid_request", "Idempotence key is too long (max 64 characters)", "Idempotence-Key");
      const raw = await c.req.text();
      let body: Record<string, unknown>;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return ykError(c, 400, "invalid_request", "Request body is not valid JSON");
      }
      const hash = createHash("sha256").update(`${c.req.method} ${c.req.path} ${raw}`).digest("hex");
      const slot = `${shopId}:${key}`;
      const seen = keys.check(slot, hash);
      if (seen.kind === "mismatch") return ykError(c, 400, "invalid_request", "Idempotence key duplicated with another request", "Idempotence-Key");
      if (seen.kind === "replay") return c.json(seen.res.body, seen.res.status as 200);
      const res = await run(body);
      // only answers YooKassa made (not 5xx) are kept for replay
      if (res.status < 500) keys.remember(slot, hash, { status: res.status, body: await res.clone().json() });
      return res;
    }

    // ── controls ──
    app.post("/__revoke", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { secretKey?: string };
      if (!b.secretKey) return c.json({ error: "secretKey required" }, 400);
      st().revoked.add(b.secretKey);
      return c.body(null, 204);
    });
    app.get("/__payments", (c) => {
      const shop = c.req.query("shopId");
      return c.json({ items: [...st().payments.values()].filter((p) => !shop || p.shopId === shop).map((p) => resource(p, baseOf(c))) });
    });
    app.get("/__notifications", (c) => c.json({ items: st().deliveries }));
    app.post("/__cards/:id", async (c) => {
      const m = st().methods.get(c.req.param("id"));
      if (!m) return c.json({ error: "no such saved payment method" }, 404);
      const b = (await c.req.json().catch(() => ({}))) as { decline?: string | null; times?: number };
      if (b.decline !== null && (typeof b.decline !== "string" || !b.decline)) return c.json({ error: 'decline: a cancellation reason such as "insufficient_funds", or null' }, 400);
      if (b.times !== undefined && (!Number.isInteger(b.times) || b.times < 1)) return c.json({ error: "times: a whole number ≥ 1" }, 400);
      m.decline = b.decline === null ? null : { reason: b.decline, times: b.times ?? null };
      return c.json({ id: m.id, decline: m.decline });
    });
    app.post("/__pay/:id", async (c) => {
      const p = st().payments.get(c.req.param("id"));
      if (!p) return c.json({ error: "no such payment" }, 404);
      const b = (await c.req.json().catch(() => ({}))) as { outcome?: string };
      const why = settle(p, b.outcome ?? "pay", baseOf(c));
      if (why) return c.json({ error: why }, 409);
      return c.json(resource(p, baseOf(c)));
    });

    // ── the hosted checkout ──
    app.get("/checkout/:id", (c) => {
      const p = st().payments.get(c.req.param("id"));
      if (!p) return c.html(page("Payment not found", "<h1>Payment not found</h1>"), 404);
      if (p.status !== "pending") {
        return c.html(page("Payment", `<h1>This payment is ${esc(p.status)}</h1><p><a href="${esc(p.returnUrl)}">Back to the shop</a></p>`));
      }
      return c.html(
        page(
          "YooKassa sandbox checkout",
          `<h1>Pay ${esc(p.amount.value)} ${esc(p.amount.currency)}</h1>
<p>${esc(p.description ?? "")}</p><p class="note">YooKassa sandbox: no money moves. Shop ${esc(p.shopId)}, payment ${esc(p.id)}.</p>${
            p.save ? `<p class="note">Your card will be saved for recurring payments: the shop will charge it without asking you again.</p>` : ""
          }
<form method="post" action="/yookassa/checkout/${esc(p.id)}"><fieldset><legend>Card ending 4444</legend>
<button class="primary" type="submit" name="outcome" value="pay">Pay</button>
<button type="submit" name="outcome" value="decline">Decline</button>
<button type="submit" name="outcome" value="3ds">3-D Secure</button></fieldset></form>`,
        ),
      );
    });
    app.post("/checkout/:id", async (c) => {
      const p = st().payments.get(c.req.param("id"));
      if (!p) return c.html(page("Payment not found", "<h1>Payment not found</h1>"), 404);
      const form = await c.req.parseBody();
      const outcome = String(form.outcome ?? "");
      if (outcome === "3ds") {
        return c.html(
          page(
            "3-D Secure",
            `<h1>3-D Secure authentication</h1><p>Your bank asks you to confirm the payment of ${esc(p.amount.value)} ${esc(p.amount.currency)}.</p>
<form method="post" action="/yookassa/checkout/${esc(p.id)}"><fieldset><legend>Authentication</legend>
<button class="primary" type="submit" name="outcome" value="3ds_complete">Complete authentication</button>
<button type="submit" name="outcome" value="3ds_fail">Fail authentication</button></fieldset></form>`,
          ),
        );
      }
      const why = settle(p, outcome, baseOf(c));
      if (why) return c.html(page("Payment", `<h1>Cannot do that</h1><p>${esc(why)}</p>`), 409);
      return c.redirect(p.returnUrl, 303);
    });

    // ── the API ──
    app.get("/v3/me", (c) => {
      const a = authenticate(c);
      if (a instanceof Response) return a;
      return c.json({ account_id: a.shopId, status: "enabled", test: true, fiscalization_enabled: false, payment_methods: ["bank_card", "yoo_money", "sbp"] });
    });

    app.post("/v3/payments", async (c) => {
      const a = authenticate(c);
      if (a instanceof Response) return a;
      return idempotent(c, a.shopId, (b) => {
        const amt = parseAmount(b.amount);
        if (!amt.ok) return ykError(c, 400, "invalid_request", amt.why, amt.parameter);
        if (b.payment_method_id !== undefined) return recurring(c, a.shopId, b, amt.amount);
        // the documentation's own example sends "false" as a string: both forms are taken
        const save = b.save_payment_method;
        if (save !== undefined && typeof save !== "boolean" && save !== "true" && save !== "false") {
          return ykError(c, 400, "invalid_request", "save_payment_method must be true or false", "save_payment_method");
        }
        const conf = b.confirmation as { type?: string; return_url?: string } | undefined;
        if (!conf || conf.type !== "redirect") return ykError(c, 400, "invalid_request", "Only the redirect confirmation is supported by this sandbox", "confirmation.type");
        if (!conf.return_url || !RETURN.test(conf.return_url)) return ykError(c, 400, "invalid_request", "Invalid return_url", "confirmation.return_url");
        const description = b.description === undefined ? undefined : String(b.description);
        if (description && description.length > 128) return ykError(c, 400, "invalid_request", "Description is too long (max 128 characters)", "description");
        const metadata = (b.metadata ?? {}) as Record<string, unknown>;
        if (typeof metadata !== "object" || Object.keys(metadata).length > 16) return ykError(c, 400, "invalid_request", "Metadata: at most 16 keys", "metadata");
        const p: Payment = {
          id: ykId(),
          shopId: a.shopId,
          status: "pending",
          paid: false,
          amount: amt.amount,
          refundedMinor: 0,
          capture: b.capture !== false,
          description,
          returnUrl: conf.return_url,
          metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, String(v)])),
          created_at: new Date().toISOString(),
          save: save === true || save === "true",
        };
        st().payments.set(p.id, p);
        return c.json(resource(p, baseOf(c)), 200);
      });
    });

    /**
     * A recurring payment with a saved method: no confirmation, decided at once. The saved
     * card's injected decline (POST /__cards/{id}) cancels it with cancellation_details.
     */
    function recurring(c: Context, shopId: string, b: Record<string, unknown>, amount: Amount): Response {
      const m = typeof b.payment_method_id === "string" ? st().methods.get(b.payment_method_id) : undefined;
      // UNCONFIRMED: YooKassa's exact answer for a payment_method_id it does not know for the shop
      if (!m || m.shopId !== shopId) return ykError(c, 400, "invalid_request", "Payment method with this payment_method_id is not found or not saved", "payment_method_id");
      if (b.confirmation !== undefined) return ykError(c, 400, "invalid_request", "A payment with a saved payment method needs no confirmation", "confirmation");
      const description = b.description === undefined ? undefined : String(b.description);
      if (description && description.length > 128) return ykError(c, 400, "invalid_request", "Description is too long (max 128 characters)", "description");
      const metadata = (b.metadata ?? {}) as Record<string, unknown>;
      if (typeof metadata !== "object" || Object.keys(metadata).length > 16) return ykError(c, 400, "invalid_request", "Metadata: at most 16 keys", "metadata");
      const now = new Date().toISOString();
      const p: Payment = {
        id: ykId(),
        shopId,
        status: "pending",
        paid: false,
        amount,
        refundedMinor: 0,
        capture: b.capture !== false,
        description,
        returnUrl: "",
        metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, String(v)])),
        created_at: now,
        method: { type: "bank_card", id: m.id, saved: true, status: "active", title: "Bank card *4444", card: m.card },
        save: false,
      };
      const decline = m.decline;
      if (decline) {
        if (decline.times !== null && --decline.times <= 0) m.decline = null;
        p.status = "canceled";
        p.cancellation = { party: decline.reason === "permission_revoked" ? "yoo_money" : "payment_network", reason: decline.reason };
      } else {
        p.paid = true;
        if (p.capture) {
          p.status = "succeeded";
          p.captured_at = now;
        } else {
          p.status = "waiting_for_capture";
          p.expires_at = new Date(Date.now() + 7 * 86400_000).toISOString();
        }
      }
      st().payments.set(p.id, p);
      const body = resource(p, baseOf(c));
      void notify(shopId, `payment.${p.status}`, body, p.id);
      return c.json(body, 200);
    }

    const ownPayment = (c: Context, shopId: string) => {
      const p = st().payments.get(c.req.param("id") ?? "");
      return p && p.shopId === shopId ? p : null;
    };

    app.get("/v3/payments/:id", (c) => {
      const a = authenticate(c);
      if (a instanceof Response) return a;
      const p = ownPayment(c, a.shopId);
      if (!p) return ykError(c, 404, "not_found", "Payment not found or forbidden", "payment_id");
      return c.json(resource(p, baseOf(c)));
    });

    app.post("/v3/payments/:id/capture", async (c) => {
      const a = authenticate(c);
      if (a instanceof Response) return a;
      return idempotent(c, a.shopId, () => {
        const p = ownPayment(c, a.shopId);
        if (!p) return ykError(c, 404, "not_found", "Payment not found or forbidden", "payment_id");
        if (p.status !== "waiting_for_capture") return ykError(c, 400, "invalid_request", `Payment is in ${p.status} status`, "payment_id");
        p.status = "succeeded";
        p.captured_at = new Date().toISOString();
        delete p.expires_at;
        void notify(p.shopId, "payment.succeeded", resource(p, baseOf(c)), p.id);
        return c.json(resource(p, baseOf(c)));
      });
    });

    app.post("/v3/payments/:id/cancel", async (c) => {
      const a = authenticate(c);
      if (a instanceof Response) return a;
      return idempotent(c, a.shopId, () => {
        const p = ownPayment(c, a.shopId);
        if (!p) return ykError(c, 404, "not_found", "Payment not found or forbidden", "payment_id");
        if (p.status !== "waiting_for_capture" && p.status !== "pending") return ykError(c, 400, "invalid_request", `Payment is in ${p.status} status`, "payment_id");
        p.status = "canceled";
        p.cancellation = { party: "merchant", reason: "canceled_by_merchant" };
        void notify(p.shopId, "payment.canceled", resource(p, baseOf(c)), p.id);
        return c.json(resource(p, baseOf(c)));
      });
    });

    app.post("/v3/refunds", async (c) => {
      const a = authenticate(c);
      if (a instanceof Response) return a;
      return idempotent(c, a.shopId, (b) => {
        const p = st().payments.get(String(b.payment_id ?? ""));
        if (!p || p.shopId !== a.shopId) return ykError(c, 400, "invalid_request", "Payment not found", "payment_id");
        if (p.status !== "succeeded") return ykError(c, 400, "invalid_request", `Payment is in ${p.status} status: only succeeded payments can be refunded`, "payment_id");
        const amt = parseAmount(b.amount);
        if (!amt.ok) return ykError(c, 400, "invalid_request", amt.why, amt.parameter);
        if (amt.amount.currency !== p.amount.currency) return ykError(c, 400, "invalid_request", "Refund currency differs from the payment's", "amount.currency");
        const total = fromDecimalString(p.amount.value, p.amount.currency);
        if (p.refundedMinor + amt.minor > total) {
          const left = toDecimalString(total - p.refundedMinor, p.amount.currency);
          return ykError(c, 400, "invalid_request", `Refund amount exceeds the amount available for refund (${left} ${p.amount.currency})`, "amount.value");
        }
        p.refundedMinor += amt.minor;
        const r: Refund = {
          id: ykId(),
          shopId: a.shopId,
          payment_id: p.id,
          status: "succeeded",
          amount: amt.amount,
          created_at: new Date().toISOString(),
          ...(b.description ? { description: String(b.description) } : {}),
        };
        st().refunds.set(r.id, r);
        const { shopId: _shop, ...body } = r;
        void notify(p.shopId, "refund.succeeded", body, r.id);
        return c.json(body);
      });
    });

    app.get("/v3/refunds/:id", (c) => {
      const a = authenticate(c);
      if (a instanceof Response) return a;
      const r = st().refunds.get(c.req.param("id"));
      if (!r || r.shopId !== a.shopId) return ykError(c, 404, "not_found", "Refund not found or forbidden", "refund_id");
      const { shopId: _shop, ...body } = r;
      return c.json(body);
    });

    app.post("/v3/webhooks", async (c) => {
      const a = authenticate(c);
      if (a instanceof Response) return a;
      return idempotent(c, a.shopId, (b) => {
        const event = String(b.event ?? "");
        const url = String(b.url ?? "");
        if (!EVENTS.has(event)) return ykError(c, 400, "invalid_request", `Unknown event ${event}`, "event");
        if (!RETURN.test(url)) return ykError(c, 400, "invalid_request", "Invalid url", "url");
        const list = st().hooks.get(a.shopId) ?? [];
        // one URL per event: registering again replaces it (after a restart the URL may differ)
        const kept = list.filter((h) => h.event !== event);
        const hook = { id: `wh-${randomUUID()}`, event, url };
        kept.push(hook);
        st().hooks.set(a.shopId, kept);
        return c.json(hook);
      });
    });
    app.get("/v3/webhooks", (c) => {
      const a = authenticate(c);
      if (a instanceof Response) return a;
      return c.json({ type: "list", items: st().hooks.get(a.shopId) ?? [] });
    });

    app.all("/v3/*", (c) => ykError(c, 404, "not_found", `No such endpoint: ${c.req.method} ${c.req.path}`));
  },
};

export default yookassaSandbox;
