// PayPal REST (Orders v2, Payments v2) over plain HTTPS through ctx.call: the official server
// SDK hard-codes PayPal's hosts, and we need a configurable base (the local sandbox, PayPal's
// own sandbox api-m.sandbox.paypal.com, or live api-m.paypal.com).
//
// OAuth2 client credentials: POST /v1/oauth2/token (Basic clientId:clientSecret) → a bearer
// token, cached per integration until 60 s before it expires. The token is passed to ctx.call
// as a secret, so it is scrubbed from integration_logs wherever it appears. A 401 on an API
// call drops the cached token and retries once with a new one. Every POST carries
// PayPal-Request-Id (PayPal's idempotency key) and is sent with idempotent: true, so lib/http.ts
// retries 5xx/429/timeouts with the same id.
import { createHash } from "node:crypto";
import type { HttpResponse } from "@/lib/http";
import { classifyFailure, paymentErrorOf } from "@/lib/providers/errors";
import { fromDecimalString, toDecimalString } from "@/lib/money";
import { PaymentProviderError, type PaymentStatus, type ProviderContext, type ProviderPayment } from "@/lib/providers/types";

export type PayPalCredentials = { clientId: string; clientSecret: string; webhookId?: string };
export type PayPalConfig = { brandName?: string; landingPage?: "LOGIN" | "GUEST_CHECKOUT" | "NO_PREFERENCE" };
export type PayPalContext = ProviderContext<PayPalCredentials, PayPalConfig>;

export type PpMoney = { currency_code: string; value: string };
export type PpCapture = {
  id: string;
  status: string;
  amount?: PpMoney;
  custom_id?: string;
  final_capture?: boolean;
  status_details?: { reason?: string };
  supplementary_data?: { related_ids?: { order_id?: string } };
  seller_receivable_breakdown?: Record<string, unknown>;
  links?: { href: string; rel: string; method?: string }[];
};
export type PpRefund = {
  id: string;
  status: string;
  amount?: PpMoney;
  custom_id?: string;
  status_details?: { reason?: string };
  seller_payable_breakdown?: { total_refunded_amount?: PpMoney };
  links?: { href: string; rel: string; method?: string }[];
};
export type PpOrder = {
  id: string;
  status: string;
  intent?: string;
  purchase_units?: {
    reference_id?: string;
    custom_id?: string;
    amount?: PpMoney;
    payments?: { captures?: PpCapture[]; refunds?: PpRefund[] };
  }[];
  links?: { href: string; rel: string; method?: string }[];
};
type PpError = {
  name?: string;
  message?: string;
  debug_id?: string;
  details?: { field?: string; issue?: string; description?: string }[];
  // OAuth errors
  error?: string;
  error_description?: string;
};

// ───────────── token ─────────────

type Cached = { token: string; expiresAt: number };
const tokens = new Map<string, Cached>();

/** per integration and per credentials/endpoint: changing either never reuses an old token */
function cacheKey(ctx: PayPalContext) {
  const h = createHash("sha256").update(`${ctx.baseUrl}\n${ctx.credentials.clientId}\n${ctx.credentials.clientSecret}`).digest("hex").slice(0, 16);
  return `${ctx.integration.id}:${h}`;
}

export function dropToken(ctx: PayPalContext) {
  tokens.delete(cacheKey(ctx));
}

function base(ctx: PayPalContext) {
  return ctx.baseUrl.replace(/\/$/, "");
}

export type TokenAnswer = { access_token: string; token_type: string; expires_in: number; app_id?: string; scope?: string };

/** A fresh token from PayPal (and into the cache). */
export async function fetchToken(ctx: PayPalContext): Promise<TokenAnswer> {
  let res: HttpResponse;
  try {
    res = await ctx.call("paypal.oauth2.token", {
      method: "POST",
      url: `${base(ctx)}/v1/oauth2/token`,
      headers: { Authorization: `Basic ${Buffer.from(`${ctx.credentials.clientId}:${ctx.credentials.clientSecret}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "client_credentials" }),
      // asking for a token twice is harmless
      idempotent: true,
    });
  } catch (e) {
    throw paymentErrorOf(e, { name: "PayPal" });
  }
  if (!res.ok) throw apiError(res);
  const t = res.json<TokenAnswer>();
  if (!t?.access_token) throw new PaymentProviderError("PayPal's token answer has no access_token", true, { code: "invalid_response", status: res.status });
  const ttl = Math.max(0, (Number(t.expires_in) || 0) - 60) * 1000;
  if (ttl > 0) tokens.set(cacheKey(ctx), { token: t.access_token, expiresAt: Date.now() + ttl });
  return t;
}

async function accessToken(ctx: PayPalContext): Promise<string> {
  const hit = tokens.get(cacheKey(ctx));
  if (hit && hit.expiresAt > Date.now()) return hit.token;
  return (await fetchToken(ctx)).access_token;
}

/**
 * One PayPal API call with the bearer token (a 401 drops the cached token and tries once more
 * with a new one). POSTs carry `requestId` as PayPal-Request-Id. The answer's JSON, or a
 * PaymentProviderError saying why in a sentence.
 */
export async function ppCall<T>(
  ctx: PayPalContext,
  action: string,
  req: { method: "GET" | "POST"; path: string; body?: Record<string, unknown>; requestId?: string; /** a POST that changes nothing (verify) */ safe?: boolean },
): Promise<T> {
  for (let round = 1; ; round++) {
    const token = await accessToken(ctx);
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Prefer: "return=representation" };
    if (req.requestId) headers["PayPal-Request-Id"] = req.requestId;
    let res: HttpResponse;
    try {
      res = await ctx.call(
        action,
        {
          method: req.method,
          url: `${base(ctx)}${req.path}`,
          headers,
          body: req.method === "POST" ? (req.body ?? {}) : undefined,
          idempotent: req.method === "GET" || !!req.requestId || !!req.safe,
        },
        { secrets: [...ctx.secrets, token] },
      );
    } catch (e) {
      throw paymentErrorOf(e, { name: "PayPal" });
    }
    if (res.status === 401 && round === 1) {
      dropToken(ctx); // expired or revoked: one more try with a new token
      continue;
    }
    if (res.ok) {
      // the Subscriptions API's actions (cancel, suspend, activate) answer 204 with no body
      if (res.status === 204 || !res.text.trim()) return undefined as T;
      try {
        return res.json<T>();
      } catch {
        throw new PaymentProviderError("PayPal answered with something that is not JSON", true, { code: "invalid_response", status: res.status });
      }
    }
    throw apiError(res);
  }
}

// ───────────── errors ─────────────

/** issue → a sentence (wording ours; issues from PayPal's Orders/Payments v2 error reference) */
const ISSUES: Record<string, string> = {
  INSTRUMENT_DECLINED: "The payer's funding source (card or bank) was declined",
  PAYER_ACTION_REQUIRED: "The payer has to act on PayPal's page first",
  ORDER_NOT_APPROVED: "The payer has not approved the order yet",
  ORDER_ALREADY_CAPTURED: "The order was already captured",
  REFUND_AMOUNT_EXCEEDED: "The refund is more than what is left of the captured amount",
  CAPTURE_FULLY_REFUNDED: "The capture is already fully refunded",
  DECIMALS_NOT_SUPPORTED: "The currency does not take decimals",
  DECIMAL_PRECISION: "The amount has more decimals than the currency allows",
  CURRENCY_NOT_SUPPORTED: "PayPal does not take this currency",
  TRANSACTION_REFUSED: "PayPal refused the transaction",
  PAYEE_ACCOUNT_RESTRICTED: "The merchant's PayPal account is restricted",
  MAX_NUMBER_OF_REFUNDS_EXCEEDED: "The capture cannot be refunded more times",
  REFUND_TIME_LIMIT_EXCEEDED: "The capture is too old to be refunded",
  // Subscriptions v1 (its OpenAPI description's 422 issues)
  SUBSCRIPTION_STATUS_INVALID: "The subscription is not in a status that allows this",
  SUBSCRIPTION_CANNOT_BE_ACTIVATED: "PayPal does not let the merchant reactivate this subscription (suspended after too many failed payments)",
  PLAN_STATUS_INVALID: "The billing plan is not active",
  USER_ACCOUNT_CLOSED: "The PayPal account is locked or closed",
};

export function apiError(res: HttpResponse): PaymentProviderError {
  let body: PpError = {};
  try {
    body = res.json<PpError>() ?? {};
  } catch {
    /* not JSON */
  }
  const d = body.details?.[0];
  const code = d?.issue ?? body.name ?? body.error ?? `http_${res.status}`;
  const c = classifyFailure(res, { name: "PayPal" });
  const opts = { code, status: res.status, failure: c.failure };
  const debug = body.debug_id ? ` (debug id ${body.debug_id})` : "";
  if (res.status === 401) {
    return new PaymentProviderError(
      `PayPal rejected the client id or secret (401${body.error ? `, ${body.error}` : ""}): copy both again from the PayPal developer dashboard`,
      false,
      opts,
    );
  }
  if (c.failure === "rate_limited") {
    const secs = c.retryAfterSeconds;
    return new PaymentProviderError(`PayPal is rate limiting this app (429)${secs !== undefined ? `: retry in ${secs} s` : ""}`, true, {
      ...opts,
      ...(secs !== undefined ? { retryAfterSeconds: secs } : {}),
    });
  }
  if (c.failure === "provider") return new PaymentProviderError(`PayPal had a server error (HTTP ${res.status})${debug}; the same PayPal-Request-Id makes a retry safe`, true, opts);
  const why = d?.issue ? `${ISSUES[d.issue] ?? d.issue}${d.description ? `: ${d.description}` : ""} (${d.issue})` : (body.message ?? body.error_description ?? `HTTP ${res.status}`);
  if (res.status === 404) return new PaymentProviderError(`PayPal does not know this object (404): ${why}`, false, opts);
  if (res.status === 403) return new PaymentProviderError(`PayPal does not allow this for the app (403): ${why}`, false, opts);
  return new PaymentProviderError(`PayPal refused the request (HTTP ${res.status}): ${why}${debug}`, false, opts);
}

// ───────────── money ─────────────

/** PayPal takes these without decimals although ISO gives them 2 (PayPal's currency codes page) */
const WHOLE_ONLY = new Set(["HUF", "TWD"]);

/** minor units → PayPal's value string ("10.00", JPY "1000", HUF "1500") */
export function ppValue(amountMinor: number, currency: string): string {
  if (WHOLE_ONLY.has(currency)) {
    if (amountMinor % 100 !== 0) {
      throw new PaymentProviderError(`PayPal takes ${currency} amounts without decimals: ${toDecimalString(amountMinor, currency)} cannot be sent`, false, {
        code: "DECIMALS_NOT_SUPPORTED",
      });
    }
    return String(amountMinor / 100);
  }
  return toDecimalString(amountMinor, currency);
}

export const ppMinor = (m: PpMoney | undefined) => (m ? fromDecimalString(m.value, m.currency_code) : 0);

// ───────────── statuses ─────────────

const sum = (xs: PpRefund[]) => xs.filter((r) => r.status === "COMPLETED").reduce((a, r) => a + ppMinor(r.amount), 0);

/** a capture's status → ours, given what has been refunded of it */
export function captureStatus(c: PpCapture, refundedMinor: number): PaymentStatus {
  switch (c.status) {
    case "COMPLETED":
      return refundedMinor > 0 ? (refundedMinor >= ppMinor(c.amount) ? "refunded" : "partially_refunded") : "succeeded";
    case "PARTIALLY_REFUNDED":
      return "partially_refunded";
    case "REFUNDED":
      return "refunded";
    case "DECLINED":
    case "FAILED":
      return "failed";
    case "PENDING":
    default:
      return "pending";
  }
}

/** An order as PayPal shows it (GET or the capture's answer) → ours. */
export function mapOrder(o: PpOrder): ProviderPayment {
  const unit = o.purchase_units?.[0];
  const capture = unit?.payments?.captures?.[0];
  const refundedMinor = sum(unit?.payments?.refunds ?? []);
  const paymentUrl = o.links?.find((l) => l.rel === "payer-action")?.href ?? null;
  if (o.status === "COMPLETED" && capture) {
    const status = captureStatus(capture, refundedMinor);
    return {
      providerPaymentId: o.id,
      providerCaptureId: capture.id,
      status,
      providerStatus: `${o.status}/${capture.status}`,
      ...(status !== "failed" && status !== "pending" ? { capturedMinor: ppMinor(capture.amount) } : {}),
      ...(refundedMinor > 0 ? { refundedMinor } : {}),
      error: status === "failed" ? `PayPal ${capture.status.toLowerCase()} the capture${capture.status_details?.reason ? ` (${capture.status_details.reason})` : ""}` : null,
    };
  }
  switch (o.status) {
    case "VOIDED":
      return { providerPaymentId: o.id, status: "canceled", providerStatus: o.status, paymentUrl, error: "PayPal voided the order (never approved or captured in time)" };
    case "APPROVED":
      // approved by the payer, not captured: the capture is ours (lib/payments takes it on
      // whichever path sees the approval first: captureOrder below)
      return { providerPaymentId: o.id, status: "pending", providerStatus: o.status, paymentUrl, error: null, due: "capture" };
    default:
      // CREATED, SAVED, PAYER_ACTION_REQUIRED: waiting for the payer on PayPal's page
      return { providerPaymentId: o.id, status: "pending", providerStatus: o.status, paymentUrl, error: null };
  }
}

// ───────────── capture: the step after the payer's approval, ours ─────────────

/** PayPal-Request-Id of an order's capture: the same from every path, so PayPal captures once */
export const captureRequestId = (orderId: string) => `capture-${orderId}`;

/** issues a capture answers that say the payer's funding source was refused */
const DECLINED = new Set(["INSTRUMENT_DECLINED", "TRANSACTION_REFUSED"]);

const getOrder = (ctx: PayPalContext, orderId: string) =>
  ppCall<PpOrder>(ctx, "paypal.orders.get", { method: "GET", path: `/v2/checkout/orders/${encodeURIComponent(orderId)}` });

/**
 * Captures an APPROVED order (POST …/capture with PayPal-Request-Id capture-<order id>) and
 * answers the order after it. An order captured before (ORDER_ALREADY_CAPTURED) or not approved
 * yet (ORDER_NOT_APPROVED) is read and answered as it is; a refused funding source is a failed
 * payment with PayPal's reason. Retryable failures are thrown (the same id makes a retry safe).
 */
export async function captureOrder(ctx: PayPalContext, orderId: string): Promise<ProviderPayment> {
  try {
    const o = await ppCall<PpOrder>(ctx, "paypal.orders.capture", {
      method: "POST",
      path: `/v2/checkout/orders/${encodeURIComponent(orderId)}/capture`,
      requestId: captureRequestId(orderId),
    });
    return mapOrder(o);
  } catch (e) {
    if (!(e instanceof PaymentProviderError) || e.retryable) throw e;
    const code = String(e.opts.code ?? "");
    if (code === "ORDER_ALREADY_CAPTURED" || code === "ORDER_NOT_APPROVED") return mapOrder(await getOrder(ctx, orderId));
    if (DECLINED.has(code)) return { providerPaymentId: orderId, status: "failed", providerStatus: code, error: e.message };
    throw e;
  }
}
