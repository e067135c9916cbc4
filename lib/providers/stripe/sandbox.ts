// Emulator of the part of Stripe's API Switchboard uses, in Stripe's wire format, so the real
// stripe SDK (23.1.0) runs end to end against it. Everything lives under /stripe:
//
//   POST /v1/checkout/sessions              mode payment|subscription, line_items[i][price_data][…]
//   GET  /v1/checkout/sessions/{cs}         expand[]=payment_intent (and payment_intent.latest_charge)
//   POST /v1/checkout/sessions/{cs}/expire  → checkout.session.expired
//   POST /v1/payment_intents                amount, currency, automatic_payment_methods, metadata
//   GET  /v1/payment_intents/{pi}           expand[]=latest_charge
//   POST /v1/payment_intents/{pi}/confirm   payment_method: pm_card_visa (ok), pm_card_chargeDeclined,
//                                           pm_card_chargeDeclinedInsufficientFunds (402 card_error),
//                                           pm_card_authenticationRequired / pm_card_threeDSecure2Required
//                                           (requires_action, next_action redirect_to_url)
//   POST /v1/payment_intents/{pi}/cancel    → payment_intent.canceled
//   POST /v1/refunds                        payment_intent|charge, amount: partial or full; refuses more
//                                           than amount_captured − amount_refunded (400 amount_too_large,
//                                           charge_already_refunded)
//   GET  /v1/balance, GET /v1/customers?email=, GET /v1/invoices?customer=|customer_email= (the
//        latter a sandbox-only filter), /v1/webhook_endpoints (create, list, update, delete)
//   GET  /v1/invoices/{in}                  expand[]=payments (its InvoicePayments: the PaymentIntents)
//   GET  /v1/subscriptions/{sub}            the period on its items (current_period_start/end)
//   POST /v1/subscriptions/{sub}            cancel_at_period_end=true|false, metadata
//                                           → customer.subscription.updated
//   DELETE /v1/subscriptions/{sub}          cancel now → customer.subscription.deleted
// Subscriptions: a paid subscription Checkout makes the customer, the subscription (items with
// the recurring price and its period) and its first invoice (hosted_invoice_url, invoice_pdf
// served at /stripe/invoice/{in}[/pdf]), sending customer.subscription.created, invoice.paid,
// checkout.session.completed. A test clock of the sandbox's own (Stripe's test clocks play this
// part there): POST /stripe/__advance/{sub} {"outcome":"pay"|"fail"} ends the current period:
// the next invoice paid (invoice.paid) or declined (invoice.payment_failed, the subscription
// past_due), then customer.subscription.updated; one set to cancel at period end ends instead
// (customer.subscription.deleted). POST /stripe/__retry/{in} {"outcome"} retries an open
// invoice (Smart Retries): paid, the subscription is active again.
//
// Bodies are form-encoded in bracket notation (parsed here: parseForm). Auth: Bearer sk_/rk_
// key; each key is its own account (objects, webhook endpoints, idempotency keys). A malformed
// key gets 401 "Invalid API Key provided", a key revoked with POST /stripe/__revoke
// {"secretKey"} 401 "Expired API Key provided" (code api_key_expired), in Stripe's error shape
// {"error":{"type","code","message","param"}}. Idempotency-Key: the same key with the same
// method, path and body replays the stored answer with `Idempotent-Replayed: true`; a different
// request with a used key gets 400 type idempotency_error. Answers stored: 2xx and 402 (a
// refused parameter is not stored, as at Stripe: UNCONFIRMED in detail).
//
// Sandbox-only extension: POST /v1/webhook_endpoints (and its update) accepts `secret`, so the
// sandbox signs with the whsec_ an integration is configured with. Stripe generates the secret
// itself and has no such parameter.
//
// It plays the payer and Stripe's side too. The Checkout Session's url is a hosted page,
// GET /stripe/checkout/{cs}, with "Pay", "Decline" and "3-D Secure" (→ an authentication page
// with "Complete authentication" / "Fail authentication"); without a browser:
//   POST /stripe/__pay/{cs|pi} {"outcome":"pay"|"decline"|"3ds"|"3ds_complete"|"3ds_fail"}
// After each state change it POSTs signed events (Stripe-Signature made with
// stripe.webhooks.generateTestHeaderString and the endpoint's secret) to every endpoint of the
// account, one after another in order: payment_intent.created, payment_intent.requires_action,
// payment_intent.succeeded | payment_intent.payment_failed, checkout.session.completed;
// refunds send refund.created then charge.refunded; subscription checkouts send invoice.paid
// then checkout.session.completed (their PaymentIntent's events are not sent). Deliveries are
// listed at GET /stripe/__deliveries; a failed delivery is not retried (Stripe retries for 3
// days). A declined Checkout stays open on the page (as at Stripe), with a link back to the
// cancel_url.
import { escapeHtml, hostedPage } from "@/lib/sandbox/html";
import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import Stripe from "stripe";
import { idempotencyStore, webhookDeliverer, type SandboxModule } from "@/lib/sandbox/kit";
import { currencyDigits } from "@/lib/money";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Stripe objects as JSON: the SDK types them, the emulator does not
type Obj = Record<string, any>;
type Res = { status: number; body: unknown };

const KEY = /^(sk|rk)_(test|live)_[A-Za-z0-9]{10,247}$/;
const API_VERSION = Stripe.API_VERSION;

const rid = (prefix: string, live = false, n = 24) => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(n);
  let s = "";
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return prefix === "cs" ? `cs_${live ? "live" : "test"}_${s}` : `${prefix}_${s}`;
};
const now = () => Math.floor(Date.now() / 1000);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

type Endpoint = { id: string; url: string; secret: string; enabled_events: string[]; created: number; livemode: boolean; status: string; description: string | null; metadata: Obj };
type SessionRec = { obj: Obj; items: Obj[]; piData: Obj; subData: Obj; piId: string | null; error: string | null };
type Account = {
  key: string;
  livemode: boolean;
  pis: Map<string, Obj>;
  sessions: Map<string, SessionRec>;
  charges: Map<string, Obj>;
  refunds: Map<string, Obj>;
  customers: Map<string, Obj>;
  invoices: Map<string, Obj>;
  subscriptions: Map<string, Obj>;
  endpoints: Map<string, Endpoint>;
  idem: Map<string, { fingerprint: string; res: Res }>;
  chain: Promise<void>;
};
type Delivery = { event: string; type: string; url: string; ok: boolean; status?: number; error?: string; at: string };
type State = { revoked: Set<string>; accounts: Map<string, Account>; owner: Map<string, Account>; deliveries: Delivery[] };

// ───────────── form bodies: a[b][0][c]=v ─────────────

/** Stripe's bracket notation (qs style: a[b]=1, a[0][c]=2, a[]=3) → nested objects and arrays. */
export function parseForm(text: string): Obj {
  const root: Obj = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    const path = m ? [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1])] : [rawKey];
    let cur: Obj = root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] === "" ? String(Object.keys(cur).length) : path[i];
      if (i === path.length - 1) cur[seg] = value;
      else {
        if (typeof cur[seg] !== "object" || cur[seg] === null) cur[seg] = {};
        cur = cur[seg];
      }
    }
  }
  return arrays(root) as Obj;
}

function arrays(v: unknown): unknown {
  if (!v || typeof v !== "object") return v;
  const o = v as Obj;
  const keys = Object.keys(o);
  for (const k of keys) o[k] = arrays(o[k]);
  if (keys.length && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => o[k]);
  }
  return o;
}

const list = (url: string, data: unknown[]) => ({ object: "list", data, has_more: false, url });
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const isInt = (v: unknown) => typeof v === "string" && /^\d{1,15}$/.test(v);

function err(status: number, e: { type?: string; code?: string; message: string; param?: string; [k: string]: unknown }): Res {
  const type = e.type ?? "invalid_request_error";
  const doc = e.code ? { doc_url: `https://stripe.com/docs/error-codes/${e.code.replace(/_/g, "-")}` } : {};
  return { status, body: { error: { ...e, type, ...doc } } };
}
const missing = (param: string) => err(400, { code: "parameter_missing", param, message: `Missing required param: ${param}.` });
const noSuch = (what: string, id: string, param = "id") =>
  err(404, { code: "resource_missing", param, message: `No such ${what}: '${id}'` });

function money(minor: number, currency: string) {
  const c = currency.toUpperCase();
  const d = currencyDigits(c);
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: c, minimumFractionDigits: d, maximumFractionDigits: d }).format(minor / 10 ** d);
  } catch {
    return `${minor} ${c}`;
  }
}

const esc = escapeHtml;
const STRIPE_CSS = `body{font-family:system-ui,sans-serif;background:#f6f9fc;color:#1a1f36;margin:0;padding:2rem}
main{max-width:28rem;margin:auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 2px 8px rgba(0,0,0,.08)}
.note{background:#fff8e1;border:1px solid #f0c36d;padding:.5rem;border-radius:4px;font-size:.85rem}
.amount{font-size:2rem;font-weight:600;margin:.5rem 0}
[role=alert]{color:#b00020;background:#fdecea;padding:.5rem;border-radius:4px}
button{display:block;width:100%;margin:.5rem 0;padding:.75rem;font-size:1rem;border-radius:6px;border:1px solid #635bff;cursor:pointer}
button.primary{background:#635bff;color:#fff}button.secondary{background:#fff;color:#635bff}
a{color:#635bff}`;
const page = (title: string, body: string) =>
  hostedPage(title, `<p class="note">Stripe sandbox: no real card is charged.</p>${body}`, STRIPE_CSS);

const stripeSandbox: SandboxModule = {
  id: "stripe",
  faultBody(status) {
    if (status === 429) {
      return { error: { type: "invalid_request_error", code: "rate_limit", message: "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests." } };
    }
    if (status === 401) return { error: { type: "invalid_request_error", message: "Invalid API Key provided: sk_test_****" } };
    if (status >= 500) return { error: { type: "api_error", message: `Sorry, something went wrong on Stripe's end (sandbox fault ${status}).` } };
    return { error: { type: "invalid_request_error", message: `sandbox fault ${status}` } };
  },
  mount(app, kit) {
    const st = () => kit.state<State>("stripe", () => ({ revoked: new Set(), accounts: new Map(), owner: new Map(), deliveries: [] }));

    function account(key: string): Account {
      const s = st();
      let a = s.accounts.get(key);
      if (!a) {
        a = {
          key,
          livemode: key.includes("_live_"),
          pis: new Map(),
          sessions: new Map(),
          charges: new Map(),
          refunds: new Map(),
          customers: new Map(),
          invoices: new Map(),
          subscriptions: new Map(),
          endpoints: new Map(),
          idem: new Map(),
          chain: Promise.resolve(),
        };
        s.accounts.set(key, a);
      }
      return a;
    }
    const own = (a: Account, id: string) => st().owner.set(id, a);

    // ── events ──
    function emit(a: Account, type: string, object: Obj) {
      const targets = [...a.endpoints.values()].filter((e) => e.status === "enabled" && (e.enabled_events.includes("*") || e.enabled_events.includes(type)));
      const event = {
        id: rid("evt"),
        object: "event",
        api_version: API_VERSION,
        created: now(),
        data: { object: clone(object) },
        livemode: a.livemode,
        pending_webhooks: targets.length,
        request: { id: null, idempotency_key: null },
        type,
      };
      for (const ep of targets) a.chain = a.chain.then(() => deliver(ep, event));
    }

    const webhooks = webhookDeliverer<Delivery>({
      log: () => st().deliveries,
      headers: { "content-type": "application/json; charset=utf-8", "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)" },
    });

    async function deliver(ep: Endpoint, event: Obj) {
      const payload = JSON.stringify(event, null, 2);
      const at = new Date().toISOString();
      await webhooks.deliver(ep.url, payload, {
        headers: { "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload, secret: ep.secret }) },
        done: (p) => ({
          event: event.id,
          type: event.type,
          url: ep.url,
          ok: p.ok,
          ...(p.status !== null ? { status: p.status } : {}),
          ...(p.error !== null ? { error: p.error } : {}),
          at,
        }),
      });
    }

    // ── objects ──
    function newPI(a: Account, p: Obj): Obj {
      const id = rid("pi");
      const pi: Obj = {
        id,
        object: "payment_intent",
        amount: Number(p.amount),
        amount_capturable: 0,
        amount_received: 0,
        automatic_payment_methods: p.automatic_payment_methods ? { allow_redirects: "always", enabled: true } : null,
        canceled_at: null,
        cancellation_reason: null,
        capture_method: "automatic_async",
        client_secret: `${id}_secret_${rid("x").slice(2)}`,
        confirmation_method: "automatic",
        created: now(),
        currency: String(p.currency).toLowerCase(),
        customer: p.customer ?? null,
        description: p.description ?? null,
        last_payment_error: null,
        latest_charge: null,
        livemode: a.livemode,
        metadata: p.metadata ?? {},
        next_action: null,
        payment_method: null,
        payment_method_types: ["card"],
        receipt_email: p.receipt_email ?? null,
        statement_descriptor: p.statement_descriptor ?? null,
        statement_descriptor_suffix: p.statement_descriptor_suffix ?? null,
        status: "requires_payment_method",
      };
      a.pis.set(id, pi);
      own(a, id);
      return pi;
    }

    function chargeFor(a: Account, pi: Obj, pm: string): Obj {
      const ch: Obj = {
        id: rid("ch"),
        object: "charge",
        amount: pi.amount,
        amount_captured: pi.amount,
        amount_refunded: 0,
        balance_transaction: rid("txn"),
        captured: true,
        created: now(),
        currency: pi.currency,
        customer: pi.customer,
        description: pi.description,
        livemode: a.livemode,
        // UNCONFIRMED: whether Stripe copies the PaymentIntent's metadata onto its charge
        metadata: { ...pi.metadata },
        paid: true,
        payment_intent: pi.id,
        payment_method: pm,
        receipt_email: pi.receipt_email,
        refunded: false,
        status: "succeeded",
      };
      a.charges.set(ch.id, ch);
      return ch;
    }

    function piView(a: Account, pi: Obj, expand: string[], prefix = "") {
      const out = clone(pi);
      if (expand.includes(`${prefix}latest_charge`) && pi.latest_charge) out.latest_charge = clone(a.charges.get(pi.latest_charge) ?? null);
      return out;
    }

    function sessionView(a: Account, rec: SessionRec, expand: string[] = []) {
      const out = clone(rec.obj);
      if (expand.includes("payment_intent") && rec.obj.payment_intent) {
        const pi = a.pis.get(rec.obj.payment_intent);
        out.payment_intent = pi ? pub(piView(a, pi, expand, "payment_intent.")) : null;
      }
      return out;
    }

    const sendPi = (rec: SessionRec | null) => !rec || rec.obj.mode !== "subscription";

    /** the intent behind a checkout, made when the payer first acts (as Stripe does since 2022-08-01) */
    function sessionPI(a: Account, rec: SessionRec): Obj {
      if (rec.piId) return a.pis.get(rec.piId)!;
      const sub = rec.obj.mode === "subscription";
      const pi = newPI(a, {
        amount: rec.obj.amount_total,
        currency: rec.obj.currency,
        metadata: sub ? rec.subData.metadata ?? {} : rec.piData.metadata ?? {},
        description: rec.piData.description,
        receipt_email: rec.obj.customer_email,
        statement_descriptor_suffix: rec.piData.statement_descriptor_suffix,
        automatic_payment_methods: true,
      });
      rec.piId = pi.id;
      if (!sub) {
        rec.obj.payment_intent = pi.id;
        emit(a, "payment_intent.created", pi);
      }
      return pi;
    }

    type Outcome = "pay" | "decline" | "3ds" | "3ds_complete" | "3ds_fail";

    /** What the payer did; the answer is an error sentence for the page, or null. */
    function play(a: Account, pi: Obj, rec: SessionRec | null, outcome: Outcome, pm = "pm_card_visa"): string | null {
      const events = sendPi(rec);
      if (rec && rec.obj.status !== "open") return `This Checkout Session is ${rec.obj.status}.`;
      const fresh = pi.status === "requires_payment_method" || pi.status === "requires_confirmation";
      if ((outcome === "3ds_complete" || outcome === "3ds_fail") && pi.status !== "requires_action") {
        return `There is no authentication to complete: the payment is ${pi.status}.`;
      }
      if ((outcome === "pay" || outcome === "decline" || outcome === "3ds") && !fresh) {
        return `This payment cannot be attempted again: it is ${pi.status}.`;
      }
      const pmId = `pm_${randomBytes(12).toString("hex")}`;
      if (outcome === "3ds") {
        pi.status = "requires_action";
        pi.payment_method = pmId;
        pi.last_payment_error = null;
        pi.next_action = {
          type: "redirect_to_url",
          redirect_to_url: { url: `${kit.baseUrl()}/stripe/authenticate/${pi.id}`, return_url: pi.__return_url ?? null },
        };
        if (events) emit(a, "payment_intent.requires_action", pub(pi));
        return null;
      }
      if (outcome === "decline" || outcome === "3ds_fail") {
        pi.status = "requires_payment_method";
        pi.next_action = null;
        pi.payment_method = null;
        pi.last_payment_error =
          outcome === "decline"
            ? {
                type: "card_error",
                code: "card_declined",
                decline_code: pm === "pm_card_chargeDeclinedInsufficientFunds" ? "insufficient_funds" : "generic_decline",
                message: pm === "pm_card_chargeDeclinedInsufficientFunds" ? "Your card has insufficient funds." : "Your card was declined.",
                doc_url: "https://stripe.com/docs/error-codes/card-declined",
                payment_method: { id: pmId, object: "payment_method", type: "card" },
              }
            : {
                type: "invalid_request_error",
                code: "payment_intent_authentication_failure",
                message:
                  "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
                doc_url: "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
                payment_method: { id: pmId, object: "payment_method", type: "card" },
              };
        if (rec) rec.error = pi.last_payment_error.message;
        if (events) emit(a, "payment_intent.payment_failed", pub(pi));
        return null;
      }
      // pay, 3ds_complete
      const ch = chargeFor(a, pi, pi.payment_method ?? pmId);
      pi.status = "succeeded";
      pi.payment_method = ch.payment_method;
      pi.amount_received = pi.amount;
      pi.latest_charge = ch.id;
      pi.next_action = null;
      pi.last_payment_error = null;
      if (events) emit(a, "payment_intent.succeeded", pub(pi));
      if (rec) {
        rec.error = null;
        rec.obj.status = "complete";
        rec.obj.payment_status = "paid";
        rec.obj.customer_details = { email: rec.obj.customer_email ?? "payer@example.com", name: "Sandbox Payer" };
        if (rec.obj.mode === "subscription") subscribe(a, rec, pi);
        emit(a, "checkout.session.completed", rec.obj);
      }
      return null;
    }

    /** the public object (private bookkeeping fields start with __) */
    function pub(o: Obj) {
      const out: Obj = {};
      for (const [k, v] of Object.entries(o)) if (!k.startsWith("__")) out[k] = v;
      return out;
    }

    // ── subscriptions and their invoices (Billing), with a test clock of our own ──
    /** the end of a period that starts at `start` (unix seconds): interval × count later, months by the calendar */
    function periodEnd(start: number, interval: string, count: number) {
      const d = new Date(start * 1000);
      if (interval === "day") d.setUTCDate(d.getUTCDate() + count);
      else if (interval === "week") d.setUTCDate(d.getUTCDate() + 7 * count);
      else if (interval === "month") d.setUTCMonth(d.getUTCMonth() + count);
      else d.setUTCFullYear(d.getUTCFullYear() + count);
      return Math.floor(d.getTime() / 1000);
    }

    function newInvoice(a: Account, sub: Obj, reason: "subscription_create" | "subscription_cycle", period: { start: number; end: number }, previous: { start: number; end: number }): Obj {
      const item = sub.items.data[0];
      const amount = item.price.unit_amount * item.quantity;
      const id = rid("in");
      const base = kit.baseUrl();
      const inv: Obj = {
        id,
        object: "invoice",
        amount_due: amount,
        amount_paid: 0,
        amount_remaining: amount,
        attempt_count: 0,
        attempted: false,
        billing_reason: reason,
        collection_method: "charge_automatically",
        created: period.start,
        currency: sub.currency,
        customer: sub.customer,
        customer_email: a.customers.get(sub.customer)?.email ?? null,
        hosted_invoice_url: `${base}/stripe/invoice/${id}`,
        invoice_pdf: `${base}/stripe/invoice/${id}/pdf`,
        last_finalization_error: null,
        livemode: a.livemode,
        metadata: {},
        next_payment_attempt: null,
        number: `SBX-${String(a.invoices.size + 1).padStart(4, "0")}`,
        parent: { type: "subscription_details", quote_details: null, subscription_details: { metadata: sub.metadata, subscription: sub.id } },
        // an invoice's own period is the one before its line's (Stripe bills a period in advance)
        period_start: previous.start,
        period_end: previous.end,
        status: "open",
        status_transitions: { finalized_at: period.start, paid_at: null },
        total: amount,
        lines: list(`/v1/invoices/${id}/lines`, [
          { id: rid("il"), object: "line_item", amount, currency: sub.currency, quantity: item.quantity, description: `${item.quantity} × ${item.price.product_name ?? "Subscription"}`, period: { start: period.start, end: period.end } },
        ]),
        __payments: [] as Obj[],
      };
      a.invoices.set(id, inv);
      own(a, id);
      sub.latest_invoice = id;
      return inv;
    }

    /** one attempt to pay an open invoice; its PaymentIntent succeeded or declined */
    function attempt(a: Account, inv: Obj, ok: boolean) {
      const pi = newPI(a, { amount: inv.amount_due, currency: inv.currency, customer: inv.customer, metadata: {}, description: `Invoice ${inv.number}` });
      inv.attempt_count += 1;
      inv.attempted = true;
      if (ok) {
        const ch = chargeFor(a, pi, "pm_card_visa");
        Object.assign(pi, { status: "succeeded", amount_received: pi.amount, latest_charge: ch.id, payment_method: ch.payment_method });
        Object.assign(inv, { status: "paid", amount_paid: inv.amount_due, amount_remaining: 0, next_payment_attempt: null });
        inv.status_transitions.paid_at = now();
      } else {
        pi.status = "requires_payment_method";
        pi.last_payment_error = { type: "card_error", code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds." };
        // Smart Retries: the next attempt some days later (UNCONFIRMED: the exact schedule is the account's retry settings)
        inv.next_payment_attempt = now() + 3 * 86400;
      }
      inv.__payments.push({ id: rid("inpay"), object: "invoice_payment", amount_paid: ok ? inv.amount_due : null, amount_requested: inv.amount_due, currency: inv.currency, invoice: inv.id, is_default: true, livemode: a.livemode, payment: { type: "payment_intent", payment_intent: pi.id }, status: ok ? "paid" : "open" });
      return pi;
    }

    const subView = (sub: Obj) => pub(sub);
    const invView = (inv: Obj, expand: string[] = []) => {
      const out = pub(clone(inv));
      if (expand.includes("payments")) out.payments = list(`/v1/invoice_payments`, clone(inv.__payments));
      return out;
    };

    function subscribe(a: Account, rec: SessionRec, pi: Obj) {
      const email = rec.obj.customer_email ?? "payer@example.com";
      const cus = { id: rid("cus"), object: "customer", created: now(), email, livemode: a.livemode, metadata: {}, name: null };
      a.customers.set(cus.id, cus);
      const item = rec.items[0];
      const interval = item.price_data.recurring.interval;
      const count = Number(item.price_data.recurring.interval_count ?? 1) || 1;
      const created = now();
      const period = { start: created, end: periodEnd(created, interval, count) };
      const sub: Obj = {
        id: rid("sub"),
        object: "subscription",
        billing_cycle_anchor: created,
        cancel_at: null,
        cancel_at_period_end: false,
        canceled_at: null,
        collection_method: "charge_automatically",
        created,
        currency: rec.obj.currency,
        customer: cus.id,
        description: rec.subData.description ?? null,
        ended_at: null,
        latest_invoice: null,
        livemode: a.livemode,
        metadata: rec.subData.metadata ?? {},
        start_date: created,
        status: "active",
        items: list("/v1/subscription_items", [
          {
            id: rid("si"),
            object: "subscription_item",
            current_period_start: period.start,
            current_period_end: period.end,
            quantity: Number(item.quantity),
            price: { id: rid("price"), object: "price", active: false, currency: rec.obj.currency, unit_amount: Number(item.price_data.unit_amount), recurring: { interval, interval_count: count, usage_type: "licensed" }, type: "recurring", product_name: item.price_data.product_data?.name ?? null },
          },
        ]),
      };
      a.subscriptions.set(sub.id, sub);
      own(a, sub.id);
      const inv = newInvoice(a, sub, "subscription_create", period, { start: created, end: created });
      // the Checkout's own payment pays the first invoice
      Object.assign(inv, { status: "paid", amount_paid: inv.amount_due, amount_remaining: 0, attempt_count: 1, attempted: true });
      inv.status_transitions.paid_at = created;
      inv.__payments.push({ id: rid("inpay"), object: "invoice_payment", amount_paid: inv.amount_due, amount_requested: inv.amount_due, currency: inv.currency, invoice: inv.id, is_default: true, livemode: a.livemode, payment: { type: "payment_intent", payment_intent: pi.id }, status: "paid" });
      pi.customer = cus.id;
      Object.assign(rec.obj, { customer: cus.id, subscription: sub.id, invoice: inv.id });
      // Stripe's order for a Checkout subscription: customer.subscription.created, invoice.paid, then
      // checkout.session.completed (invoice.created/finalized/payment_succeeded are not sent here)
      emit(a, "customer.subscription.created", subView(sub));
      emit(a, "invoice.paid", invView(inv));
    }

    /** the subscription's status after one of its invoices was paid or failed */
    function afterInvoice(a: Account, sub: Obj, paid: boolean) {
      const before = sub.status;
      if (paid) {
        const open = [...a.invoices.values()].some((i) => i.parent?.subscription_details?.subscription === sub.id && i.status === "open");
        if (!open) sub.status = "active";
      } else sub.status = "past_due";
      return before;
    }

    /**
     * The test clock: the subscription reaches the end of its period. Set to cancel at period end:
     * it ends (customer.subscription.deleted). Otherwise the next period's invoice is made and
     * charged: paid (invoice.paid) or declined (invoice.payment_failed, the subscription past_due),
     * then customer.subscription.updated with the new period.
     */
    function advance(a: Account, sub: Obj, outcome: "pay" | "fail"): string | null {
      if (sub.status === "canceled" || sub.status === "incomplete_expired") return `This subscription is ${sub.status}.`;
      const item = sub.items.data[0];
      const previous = { start: item.current_period_start, end: item.current_period_end };
      if (sub.cancel_at_period_end) {
        Object.assign(sub, { status: "canceled", ended_at: previous.end, canceled_at: sub.canceled_at ?? now() });
        emit(a, "customer.subscription.deleted", subView(sub));
        return null;
      }
      const next = { start: previous.end, end: periodEnd(previous.end, item.price.recurring.interval, item.price.recurring.interval_count) };
      Object.assign(item, { current_period_start: next.start, current_period_end: next.end });
      const inv = newInvoice(a, sub, "subscription_cycle", next, previous);
      attempt(a, inv, outcome === "pay");
      afterInvoice(a, sub, outcome === "pay");
      emit(a, outcome === "pay" ? "invoice.paid" : "invoice.payment_failed", invView(inv));
      emit(a, "customer.subscription.updated", subView(sub));
      return null;
    }

    /** Smart Retries: another attempt at an open invoice */
    function retry(a: Account, inv: Obj, outcome: "pay" | "fail"): string | null {
      if (inv.status !== "open") return `This invoice is ${inv.status}.`;
      attempt(a, inv, outcome === "pay");
      emit(a, outcome === "pay" ? "invoice.paid" : "invoice.payment_failed", invView(inv));
      const sub = a.subscriptions.get(inv.parent?.subscription_details?.subscription);
      if (sub && sub.status !== "canceled") {
        const before = afterInvoice(a, sub, outcome === "pay");
        if (before !== sub.status) emit(a, "customer.subscription.updated", subView(sub));
      }
      return null;
    }

    // ── API plumbing: auth, form bodies, idempotency ──
    type Req = { a: Account; p: Obj; c: Context; id: string };
    function route(method: "GET" | "POST" | "DELETE", path: string, fn: (r: Req) => Res | Promise<Res>) {
      app.on(method, path, async (c) => {
        const requestId = `req_${randomBytes(7).toString("hex")}`;
        const headers: Record<string, string> = { "request-id": requestId, "stripe-version": c.req.header("stripe-version") ?? API_VERSION };
        const send = (r: Res, extra: Record<string, string> = {}) =>
          new Response(JSON.stringify(r.body, null, 2), { status: r.status, headers: { "content-type": "application/json", ...headers, ...extra } });
        const auth = c.req.header("authorization") ?? "";
        let key = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() ?? "";
        if (!key && /^Basic\s+/i.test(auth)) key = Buffer.from(auth.replace(/^Basic\s+/i, ""), "base64").toString().split(":")[0];
        const masked = key ? `${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : "";
        if (!key) {
          return send(err(401, { message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/." }));
        }
        if (st().revoked.has(key)) return send(err(401, { code: "api_key_expired", message: `Expired API Key provided: ${masked}` }));
        if (!KEY.test(key)) return send(err(401, { message: `Invalid API Key provided: ${masked}` }));
        const a = account(key);
        const raw = method === "GET" ? new URL(c.req.url).search.replace(/^\?/, "") : await c.req.text();
        const p = parseForm(raw);
        const r: Req = { a, p, c, id: c.req.param("id") ?? "" };
        const idemKey = method === "POST" ? c.req.header("idempotency-key") : undefined;
        if (!idemKey) return send(await fn(r));
        const fingerprint = `${method} ${c.req.path}\n${raw}`;
        const keys = idempotencyStore(() => a.idem);
        const seen = keys.check(idemKey, fingerprint);
        if (seen.kind !== "new") {
          if (seen.kind === "mismatch") {
            return send(
              err(400, {
                type: "idempotency_error",
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
              }),
            );
          }
          return send(seen.res, { "idempotent-replayed": "true", "original-request": requestId });
        }
        const res = await fn(r);
        if ((res.status >= 200 && res.status < 300) || res.status === 402) keys.remember(idemKey, fingerprint, clone(res));
        return send(res, { "idempotency-key": idemKey });
      });
    }

    // ── Checkout Sessions ──
    route("POST", "/v1/checkout/sessions", ({ a, p }) => {
      const mode = p.mode;
      if (!mode) return missing("mode");
      if (mode !== "payment" && mode !== "subscription") {
        return err(400, { param: "mode", message: `The sandbox supports mode payment and subscription, not ${String(mode)}.` });
      }
      const items = asArray(p.line_items) as Obj[];
      if (!items.length) return err(400, { param: "line_items", message: "You must provide at least one line item (line_items)." });
      let currency: string | null = null;
      let total = 0;
      for (const [i, it] of items.entries()) {
        const pd = it?.price_data;
        if (!pd) return err(400, { param: `line_items[${i}][price_data]`, message: "The sandbox supports line items with price_data only (no price ids)." });
        if (!pd.currency) return missing(`line_items[${i}][price_data][currency]`);
        if (!/^[a-z]{3}$/i.test(pd.currency)) return err(400, { code: "parameter_invalid_string", param: `line_items[${i}][price_data][currency]`, message: `Invalid currency: ${pd.currency}.` });
        if (!isInt(pd.unit_amount)) return err(400, { code: "parameter_invalid_integer", param: `line_items[${i}][price_data][unit_amount]`, message: "Invalid integer: " + String(pd.unit_amount) });
        if (!pd.product_data?.name && !pd.product) return missing(`line_items[${i}][price_data][product_data][name]`);
        if (!isInt(it.quantity) || Number(it.quantity) < 1) return missing(`line_items[${i}][quantity]`);
        if (mode === "payment" && pd.recurring) {
          return err(400, { param: "line_items", message: "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices." });
        }
        if (mode === "subscription" && !["day", "week", "month", "year"].includes(pd.recurring?.interval)) {
          return err(400, { param: "line_items", message: "You must provide at least one recurring price in `subscription` mode when using prices." });
        }
        const cur = String(pd.currency).toLowerCase();
        if (currency && cur !== currency) return err(400, { param: "line_items", message: "All line items must use the same currency." });
        currency = cur;
        total += Number(pd.unit_amount) * Number(it.quantity);
      }
      if (mode === "subscription" && p.payment_intent_data) {
        return err(400, { param: "payment_intent_data", message: "You can not pass `payment_intent_data` in `subscription` mode." });
      }
      const id = rid("cs", a.livemode, 58);
      const created = now();
      const obj: Obj = {
        id,
        object: "checkout.session",
        amount_subtotal: total,
        amount_total: total,
        cancel_url: p.cancel_url ?? null,
        client_reference_id: p.client_reference_id ?? null,
        created,
        currency,
        customer: null,
        customer_details: null,
        customer_email: p.customer_email ?? null,
        expires_at: created + 24 * 3600,
        invoice: null,
        livemode: a.livemode,
        metadata: p.metadata ?? {},
        mode,
        payment_intent: null,
        payment_status: "unpaid",
        status: "open",
        subscription: null,
        success_url: p.success_url ?? null,
        ui_mode: "hosted",
        url: `${kit.baseUrl()}/stripe/checkout/${id}`,
      };
      a.sessions.set(id, { obj, items, piData: p.payment_intent_data ?? {}, subData: p.subscription_data ?? {}, piId: null, error: null });
      own(a, id);
      return { status: 200, body: obj };
    });

    route("GET", "/v1/checkout/sessions", ({ a, p }) => {
      const data = [...a.sessions.values()]
        .filter((r) => !p.payment_intent || r.obj.payment_intent === p.payment_intent)
        .map((r) => sessionView(a, r))
        .reverse();
      return { status: 200, body: list("/v1/checkout/sessions", data) };
    });

    route("GET", "/v1/checkout/sessions/:id", ({ a, p, id }) => {
      const rec = a.sessions.get(id);
      return rec ? { status: 200, body: sessionView(a, rec, asArray(p.expand) as string[]) } : noSuch("checkout.session", id);
    });

    route("POST", "/v1/checkout/sessions/:id/expire", ({ a, id }) => {
      const rec = a.sessions.get(id);
      if (!rec) return noSuch("checkout.session", id);
      if (rec.obj.status !== "open") {
        return err(400, { code: "checkout_session_not_open", message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${rec.obj.status}".` });
      }
      rec.obj.status = "expired";
      const pi = rec.piId ? a.pis.get(rec.piId) : null;
      if (pi && pi.status !== "succeeded" && pi.status !== "canceled") {
        pi.status = "canceled";
        pi.canceled_at = now();
        pi.cancellation_reason = "abandoned";
        pi.next_action = null;
        if (sendPi(rec)) emit(a, "payment_intent.canceled", pub(pi));
      }
      emit(a, "checkout.session.expired", rec.obj);
      return { status: 200, body: sessionView(a, rec) };
    });

    // ── PaymentIntents ──
    route("POST", "/v1/payment_intents", ({ a, p }) => {
      if (p.amount === undefined) return missing("amount");
      if (!isInt(p.amount) || Number(p.amount) < 1) return err(400, { code: "parameter_invalid_integer", param: "amount", message: "This value must be greater than or equal to 1." });
      if (!p.currency) return missing("currency");
      if (!/^[a-z]{3}$/i.test(p.currency)) return err(400, { code: "parameter_invalid_string", param: "currency", message: `Invalid currency: ${p.currency}.` });
      const pi = newPI(a, { ...p, automatic_payment_methods: p.automatic_payment_methods?.enabled === "true" });
      emit(a, "payment_intent.created", pub(pi));
      return { status: 200, body: pub(pi) };
    });

    route("GET", "/v1/payment_intents/:id", ({ a, p, id }) => {
      const pi = a.pis.get(id);
      return pi ? { status: 200, body: pub(piView(a, pi, asArray(p.expand) as string[])) } : noSuch("payment_intent", id);
    });

    route("POST", "/v1/payment_intents/:id/confirm", ({ a, p, id }) => {
      const pi = a.pis.get(id);
      if (!pi) return noSuch("payment_intent", id);
      if (pi.status !== "requires_payment_method" && pi.status !== "requires_confirmation") {
        return err(400, {
          code: "payment_intent_unexpected_state",
          message: `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method.`,
          payment_intent: pub(pi),
        });
      }
      const pm = typeof p.payment_method === "string" ? p.payment_method : null;
      if (!pm) {
        return err(400, {
          code: "payment_intent_unexpected_state",
          message: "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with cus_xxx, specify a payment method attached to this customer along with the customer ID.",
        });
      }
      if (p.return_url) pi.__return_url = p.return_url;
      if (/^pm_card_chargeDeclined|^pm_card_visa_chargeDeclined/.test(pm)) {
        play(a, pi, null, "decline", pm);
        return err(402, { ...pi.last_payment_error, payment_intent: pub(pi) });
      }
      play(a, pi, null, /authenticationRequired|threeDSecure2?Required/.test(pm) ? "3ds" : "pay", pm);
      return { status: 200, body: pub(pi) };
    });

    route("POST", "/v1/payment_intents/:id/cancel", ({ a, p, id }) => {
      const pi = a.pis.get(id);
      if (!pi) return noSuch("payment_intent", id);
      if (pi.status === "succeeded" || pi.status === "canceled") {
        return err(400, {
          code: "payment_intent_unexpected_state",
          message: `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
        });
      }
      pi.status = "canceled";
      pi.canceled_at = now();
      pi.cancellation_reason = p.cancellation_reason ?? null;
      pi.next_action = null;
      emit(a, "payment_intent.canceled", pub(pi));
      return { status: 200, body: pub(pi) };
    });

    // ── Refunds ──
    route("POST", "/v1/refunds", ({ a, p }) => {
      let ch: Obj | undefined;
      if (p.charge) {
        ch = a.charges.get(p.charge);
        if (!ch) return noSuch("charge", p.charge, "charge");
      } else if (p.payment_intent) {
        const pi = a.pis.get(p.payment_intent);
        if (!pi) return noSuch("payment_intent", p.payment_intent, "payment_intent");
        ch = pi.latest_charge ? a.charges.get(pi.latest_charge) : undefined;
        if (!ch || pi.status !== "succeeded") {
          return err(400, { param: "payment_intent", message: `This PaymentIntent (${pi.id}) does not have a successful charge to refund.` });
        }
      } else {
        return err(400, { message: "One of the following params should be provided for this request: payment_intent or charge." });
      }
      const remaining = ch.amount_captured - ch.amount_refunded;
      if (remaining <= 0) return err(400, { code: "charge_already_refunded", message: `Charge ${ch.id} has already been refunded.` });
      if (p.amount !== undefined && (!isInt(p.amount) || Number(p.amount) < 1)) {
        return err(400, { code: "parameter_invalid_integer", param: "amount", message: "This value must be greater than or equal to 1." });
      }
      const amount = p.amount === undefined ? remaining : Number(p.amount);
      if (amount > remaining) {
        return err(400, {
          code: "amount_too_large",
          param: "amount",
          message: `Refund amount (${money(amount, ch.currency)}) is greater than unrefunded amount on charge (${money(remaining, ch.currency)})`,
        });
      }
      if (p.reason && !["duplicate", "fraudulent", "requested_by_customer"].includes(p.reason)) {
        return err(400, { code: "parameter_invalid_string", param: "reason", message: "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer" });
      }
      const re: Obj = {
        id: rid("re"),
        object: "refund",
        amount,
        balance_transaction: rid("txn"),
        charge: ch.id,
        created: now(),
        currency: ch.currency,
        destination_details: { type: "card", card: { type: "refund", reference_status: "pending" } },
        metadata: p.metadata ?? {},
        payment_intent: ch.payment_intent,
        reason: p.reason ?? null,
        receipt_number: null,
        status: "succeeded",
      };
      a.refunds.set(re.id, re);
      ch.amount_refunded += amount;
      ch.refunded = ch.amount_refunded >= ch.amount_captured;
      emit(a, "refund.created", re);
      emit(a, "charge.refunded", ch);
      return { status: 200, body: re };
    });

    // ── balance, customers, invoices ──
    route("GET", "/v1/balance", ({ a }) => {
      const per = new Map<string, number>([["usd", 0]]);
      for (const ch of a.charges.values()) per.set(ch.currency, (per.get(ch.currency) ?? 0) + ch.amount_captured - ch.amount_refunded);
      const entries = [...per].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
      return {
        status: 200,
        body: { object: "balance", available: entries, pending: entries.map((e) => ({ ...e, amount: 0, source_types: { card: 0 } })), livemode: a.livemode },
      };
    });

    route("GET", "/v1/customers", ({ a, p }) => {
      const data = [...a.customers.values()].filter((x) => !p.email || x.email === p.email).reverse();
      return { status: 200, body: list("/v1/customers", data) };
    });

    route("GET", "/v1/invoices", ({ a, p }) => {
      const data = [...a.invoices.values()]
        .filter((x) => (!p.customer || x.customer === p.customer) && (!p.customer_email || x.customer_email === p.customer_email) && (!p.subscription || x.parent?.subscription_details?.subscription === p.subscription))
        .reverse();
      return { status: 200, body: list("/v1/invoices", data) };
    });

    route("GET", "/v1/invoices/:id", ({ a, p, id }) => {
      const inv = a.invoices.get(id);
      return inv ? { status: 200, body: invView(inv, asArray(p.expand) as string[]) } : noSuch("invoice", id);
    });

    route("GET", "/v1/subscriptions/:id", ({ a, id }) => {
      const sub = a.subscriptions.get(id);
      return sub ? { status: 200, body: subView(sub) } : noSuch("subscription", id);
    });
    route("POST", "/v1/subscriptions/:id", ({ a, p, id }) => {
      const sub = a.subscriptions.get(id);
      if (!sub) return noSuch("subscription", id);
      if (sub.status === "canceled" || sub.status === "incomplete_expired") {
        return err(400, { message: `A canceled subscription can only update its cancellation_details and metadata.` });
      }
      let changed = false;
      if (p.cancel_at_period_end !== undefined) {
        if (p.cancel_at_period_end !== "true" && p.cancel_at_period_end !== "false") return err(400, { code: "parameter_invalid_boolean", param: "cancel_at_period_end", message: "Invalid boolean: " + String(p.cancel_at_period_end) });
        const flag = p.cancel_at_period_end === "true";
        if (flag !== sub.cancel_at_period_end) {
          sub.cancel_at_period_end = flag;
          sub.cancel_at = flag ? sub.items.data[0].current_period_end : null;
          sub.canceled_at = flag ? now() : null;
          changed = true;
        }
      }
      if (p.metadata && typeof p.metadata === "object") {
        sub.metadata = { ...sub.metadata, ...p.metadata };
        changed = true;
      }
      if (changed) emit(a, "customer.subscription.updated", subView(sub));
      return { status: 200, body: subView(sub) };
    });
    // cancel now (Stripe: DELETE /v1/subscriptions/{id}); a second cancel is refused as at Stripe
    route("DELETE", "/v1/subscriptions/:id", ({ a, id }) => {
      const sub = a.subscriptions.get(id);
      if (!sub) return noSuch("subscription", id);
      if (sub.status === "canceled") return err(404, { code: "resource_missing", param: "id", message: `No such subscription: '${id}'` });
      Object.assign(sub, { status: "canceled", canceled_at: now(), ended_at: now() });
      emit(a, "customer.subscription.deleted", subView(sub));
      return { status: 200, body: subView(sub) };
    });

    // ── webhook endpoints ──
    const endpointView = (e: Endpoint, withSecret: boolean) => {
      const { secret, ...rest } = e;
      return { object: "webhook_endpoint", api_version: null, application: null, ...rest, ...(withSecret ? { secret } : {}) };
    };
    const events = (v: unknown) => (asArray(v) as string[]).filter((x) => typeof x === "string");

    route("POST", "/v1/webhook_endpoints", ({ a, p }) => {
      if (!p.url) return missing("url");
      if (!/^https?:\/\//.test(p.url)) return err(400, { param: "url", message: "Invalid URL: URL must be publicly accessible." });
      if (!events(p.enabled_events).length) return missing("enabled_events");
      const e: Endpoint = {
        id: rid("we"),
        url: p.url,
        secret: typeof p.secret === "string" && p.secret.startsWith("whsec_") ? p.secret : `whsec_${randomBytes(24).toString("hex")}`,
        enabled_events: events(p.enabled_events),
        created: now(),
        livemode: a.livemode,
        status: "enabled",
        description: p.description ?? null,
        metadata: p.metadata ?? {},
      };
      a.endpoints.set(e.id, e);
      return { status: 200, body: endpointView(e, true) };
    });
    route("GET", "/v1/webhook_endpoints", ({ a }) => ({ status: 200, body: list("/v1/webhook_endpoints", [...a.endpoints.values()].map((e) => endpointView(e, false))) }));
    route("POST", "/v1/webhook_endpoints/:id", ({ a, p, id }) => {
      const e = a.endpoints.get(id);
      if (!e) return noSuch("webhook_endpoint", id);
      if (p.url) e.url = p.url;
      if (events(p.enabled_events).length) e.enabled_events = events(p.enabled_events);
      if (p.disabled !== undefined) e.status = p.disabled === "true" ? "disabled" : "enabled";
      if (typeof p.secret === "string" && p.secret.startsWith("whsec_")) e.secret = p.secret; // sandbox-only
      return { status: 200, body: endpointView(e, false) };
    });
    route("DELETE", "/v1/webhook_endpoints/:id", ({ a, id }) => {
      if (!a.endpoints.delete(id)) return noSuch("webhook_endpoint", id);
      return { status: 200, body: { id, object: "webhook_endpoint", deleted: true } };
    });

    // ── the payer: hosted pages and the control ──
    function find(id: string): { a: Account; rec: SessionRec | null; pi: Obj | null } | null {
      const a = st().owner.get(id);
      if (!a) return null;
      if (id.startsWith("cs_")) {
        const rec = a.sessions.get(id)!;
        return { a, rec, pi: rec.piId ? a.pis.get(rec.piId)! : null };
      }
      return { a, rec: null, pi: a.pis.get(id) ?? null };
    }

    function act(id: string, outcome: Outcome): { error: string | null; found: ReturnType<typeof find> } {
      const f = find(id);
      if (!f) return { error: "No such payment", found: null };
      const pi = f.rec ? sessionPI(f.a, f.rec) : f.pi!;
      const error = play(f.a, pi, f.rec, outcome);
      f.pi = pi;
      return { error, found: f };
    }

    function checkoutPage(rec: SessionRec, pi: Obj | null, error: string | null) {
      const s = rec.obj;
      const name = rec.items.map((i) => i.price_data?.product_data?.name).filter(Boolean).join(", ");
      const recurring = s.mode === "subscription" ? ` per ${esc(rec.items[0].price_data.recurring.interval)}` : "";
      if (pi?.status === "requires_action") return authPage(pi, rec);
      const done = s.status !== "open";
      const body = `<h1>Pay ${esc(money(s.amount_total, s.currency))}${recurring}</h1>
<p class="amount" aria-label="Amount">${esc(money(s.amount_total, s.currency))}${recurring}</p>
<p>${esc(name)}</p>${s.customer_email ? `<p>Email: ${esc(s.customer_email)}</p>` : ""}
${error ? `<p role="alert">${esc(error)}</p>` : ""}
${done ? `<p role="status">This Checkout Session is ${esc(s.status)}${s.payment_status === "paid" ? " and paid" : ""}.</p>` : `<form method="post" action="/stripe/checkout/${esc(s.id)}">
<fieldset><legend>Choose what the card does</legend>
<button class="primary" type="submit" name="outcome" value="pay">Pay</button>
<button class="secondary" type="submit" name="outcome" value="decline">Decline</button>
<button class="secondary" type="submit" name="outcome" value="3ds">3-D Secure</button>
</fieldset></form>`}
${s.cancel_url && !done ? `<p><a href="${esc(s.cancel_url)}">← Back (cancel)</a></p>` : ""}`;
      return page(`Stripe Checkout (sandbox): ${money(s.amount_total, s.currency)}`, body);
    }

    function authPage(pi: Obj, rec: SessionRec | null) {
      const action = rec ? `/stripe/checkout/${esc(rec.obj.id)}` : `/stripe/authenticate/${esc(pi.id)}`;
      return page(
        "3-D Secure authentication (sandbox)",
        `<h1>3-D Secure authentication</h1><p>Your bank asks you to confirm a payment of <strong>${esc(money(pi.amount, pi.currency))}</strong>.</p>
<form method="post" action="${action}"><fieldset><legend>Authenticate this payment</legend>
<button class="primary" type="submit" name="outcome" value="3ds_complete">Complete authentication</button>
<button class="secondary" type="submit" name="outcome" value="3ds_fail">Fail authentication</button>
</fieldset></form>`,
      );
    }

    const outcomes = new Set<Outcome>(["pay", "decline", "3ds", "3ds_complete", "3ds_fail"]);

    app.get("/checkout/:id", (c) => {
      const f = find(c.req.param("id"));
      if (!f?.rec) return c.html(page("Not found", "<h1>This Checkout Session does not exist</h1>"), 404);
      return c.html(checkoutPage(f.rec, f.pi, f.rec.error));
    });
    app.post("/checkout/:id", async (c) => {
      const id = c.req.param("id");
      const outcome = String((await c.req.parseBody()).outcome ?? "") as Outcome;
      if (!outcomes.has(outcome)) return c.html(page("Bad request", "<p role=\"alert\">Choose Pay, Decline or 3-D Secure.</p>"), 400);
      const { error, found } = act(id, outcome);
      if (!found?.rec) return c.html(page("Not found", "<h1>This Checkout Session does not exist</h1>"), 404);
      const s = found.rec.obj;
      if (!error && s.status === "complete" && s.success_url) {
        return c.redirect(String(s.success_url).replace("{CHECKOUT_SESSION_ID}", s.id), 303);
      }
      return c.html(checkoutPage(found.rec, found.pi, error ?? found.rec.error), error ? 409 : 200);
    });

    app.get("/authenticate/:id", (c) => {
      const f = find(c.req.param("id"));
      if (!f?.pi) return c.html(page("Not found", "<h1>This payment does not exist</h1>"), 404);
      if (f.pi.status !== "requires_action") return c.html(page("Nothing to authenticate", `<p role="status">The payment is ${esc(f.pi.status)}.</p>`));
      return c.html(authPage(f.pi, null));
    });
    app.post("/authenticate/:id", async (c) => {
      const outcome = String((await c.req.parseBody()).outcome ?? "") as Outcome;
      if (outcome !== "3ds_complete" && outcome !== "3ds_fail") return c.html(page("Bad request", "<p role=\"alert\">Complete or fail the authentication.</p>"), 400);
      const { error, found } = act(c.req.param("id"), outcome);
      if (!found?.pi) return c.html(page("Not found", "<h1>This payment does not exist</h1>"), 404);
      const back = found.pi.__return_url as string | undefined;
      if (!error && back) return c.redirect(`${back}${back.includes("?") ? "&" : "?"}payment_intent=${found.pi.id}`, 303);
      return c.html(page("Authentication", `${error ? `<p role="alert">${esc(error)}</p>` : ""}<p role="status">The payment is ${esc(found.pi.status)}.</p>`), error ? 409 : 200);
    });

    // the same without a browser: POST /stripe/__pay/{cs_…|pi_…} {"outcome": …}
    app.post("/__pay/:id", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { outcome?: string };
      if (!outcomes.has(b.outcome as Outcome)) return c.json({ error: "outcome must be pay, decline, 3ds, 3ds_complete or 3ds_fail" }, 400);
      const { error, found } = act(c.req.param("id"), b.outcome as Outcome);
      if (!found) return c.json({ error: "no such checkout session or payment intent" }, 404);
      if (error) return c.json({ error }, 409);
      const s = found.rec?.obj;
      const redirect = s?.status === "complete" && s.success_url ? String(s.success_url).replace("{CHECKOUT_SESSION_ID}", s.id) : null;
      return c.json({
        session: found.rec ? sessionView(found.a, found.rec) : null,
        payment_intent: found.pi ? pub(found.pi) : null,
        redirect,
        authenticate: found.pi?.status === "requires_action" ? found.pi.next_action?.redirect_to_url?.url ?? null : null,
      });
    });

    // the test clock: POST /stripe/__advance/{sub} {"outcome":"pay"|"fail"} ends the period
    // (renewed, declined, or ended when set to cancel at period end); POST /stripe/__retry/{in}
    // {"outcome":"pay"|"fail"} retries an open invoice (Smart Retries)
    app.post("/__advance/:id", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { outcome?: string };
      if (b.outcome !== "pay" && b.outcome !== "fail") return c.json({ error: "outcome must be pay or fail" }, 400);
      const a = st().owner.get(c.req.param("id"));
      const sub = a?.subscriptions.get(c.req.param("id"));
      if (!a || !sub) return c.json({ error: "no such subscription" }, 404);
      const error = advance(a, sub, b.outcome);
      if (error) return c.json({ error }, 409);
      const inv = sub.latest_invoice ? a.invoices.get(sub.latest_invoice) : null;
      return c.json({ subscription: subView(sub), invoice: inv ? invView(inv) : null });
    });
    app.post("/__retry/:id", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { outcome?: string };
      if (b.outcome !== "pay" && b.outcome !== "fail") return c.json({ error: "outcome must be pay or fail" }, 400);
      const a = st().owner.get(c.req.param("id"));
      const inv = a?.invoices.get(c.req.param("id"));
      if (!a || !inv) return c.json({ error: "no such invoice" }, 404);
      const error = retry(a, inv, b.outcome);
      if (error) return c.json({ error }, 409);
      return c.json({ invoice: invView(inv) });
    });
    // the invoice's hosted page and its PDF
    app.get("/invoice/:id", (c) => {
      const a = st().owner.get(c.req.param("id"));
      const inv = a?.invoices.get(c.req.param("id"));
      if (!inv) return c.html(page("Not found", "<h1>This invoice does not exist</h1>"), 404);
      return c.html(page(`Invoice ${inv.number}`, `<h1>Invoice ${esc(inv.number)}</h1><p class="amount">${esc(money(inv.amount_due, inv.currency))}</p><p role="status">${esc(inv.status)}</p><p><a href="/stripe/invoice/${esc(inv.id)}/pdf">Download PDF</a></p>`));
    });
    app.get("/invoice/:id/pdf", (c) => {
      const a = st().owner.get(c.req.param("id"));
      const inv = a?.invoices.get(c.req.param("id"));
      if (!inv) return c.text("Not found", 404);
      const text = `Invoice ${inv.number} ${money(inv.amount_due, inv.currency)} ${inv.status}`.replace(/[()\\]/g, "");
      const pdf = `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj 4 0 obj<</Length ${text.length + 30}>>stream\nBT /F1 14 Tf 50 780 Td (${text}) Tj ET\nendstream endobj 5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
      return c.body(pdf, 200, { "content-type": "application/pdf", "content-disposition": `inline; filename="${inv.number}.pdf"` });
    });

    app.post("/__revoke", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { secretKey?: string };
      if (!b.secretKey) return c.json({ error: "secretKey is required" }, 400);
      st().revoked.add(b.secretKey);
      return c.body(null, 204);
    });
    app.get("/__deliveries", (c) => c.json({ items: st().deliveries }));
    /** waits until every event queued so far has been delivered (tests) */
    app.post("/__flush", async (c) => {
      await Promise.all([...st().accounts.values()].map((a) => a.chain));
      return c.body(null, 204);
    });
  },
};

export default stripeSandbox;
