// YooKassa API v3 over plain HTTPS through ctx.call (there is no SDK we can point at a
// configurable host): Basic shopId:secretKey, JSON, `Idempotence-Key` on every POST. POSTs are
// sent with idempotent: true, so lib/http.ts retries 5xx/429/timeouts itself, always with the
// same key (YooKassa answers a repeated key with the first result: one payment, not two).
// Amounts travel as decimal strings ("100.00") made and read with lib/money.ts.
import type { HttpResponse } from "@/lib/http";
import { classifyFailure, paymentErrorOf } from "@/lib/providers/errors";
import { fromDecimalString, toDecimalString } from "@/lib/money";
import { PaymentProviderError, type PaymentStatus, type ProviderContext, type ProviderPayment } from "@/lib/providers/types";

export type YooKassaCredentials = { shopId: string; secretKey: string };
export type YooKassaConfig = { returnUrl?: string; capture?: boolean; description?: string };
export type YooKassaContext = ProviderContext<YooKassaCredentials, YooKassaConfig>;

export type YkAmount = { value: string; currency: string };

/** The part of YooKassa's payment object we depend on. */
export type YkPayment = {
  id: string;
  status: "pending" | "waiting_for_capture" | "succeeded" | "canceled" | string;
  paid?: boolean;
  amount: YkAmount;
  refunded_amount?: YkAmount;
  description?: string;
  confirmation?: { type: string; confirmation_url?: string; return_url?: string };
  metadata?: Record<string, string>;
  cancellation_details?: { party?: string; reason?: string };
  /** how it was paid; `saved: true` and `id` when the method is kept for recurring payments (save_payment_method) */
  payment_method?: { type?: string; id?: string; saved?: boolean; title?: string; status?: string };
  created_at?: string;
  captured_at?: string;
  test?: boolean;
};

export type YkRefund = {
  id: string;
  payment_id: string;
  status: "pending" | "succeeded" | "canceled" | string;
  amount: YkAmount;
  created_at?: string;
  cancellation_details?: { party?: string; reason?: string };
};

export type YkError = { type?: string; id?: string; code?: string; description?: string; parameter?: string };

function url(ctx: YooKassaContext, path: string) {
  return `${ctx.baseUrl.replace(/\/$/, "")}${path}`;
}

function authHeader(ctx: YooKassaContext) {
  return `Basic ${Buffer.from(`${ctx.credentials.shopId}:${ctx.credentials.secretKey}`).toString("base64")}`;
}

/**
 * One YooKassa call. POSTs carry `idempotenceKey` and may be retried by lib/http.ts; the
 * answer's JSON, or a PaymentProviderError saying in a sentence what went wrong.
 */
export async function ykCall<T>(
  ctx: YooKassaContext,
  action: string,
  req: { method: "GET" | "POST"; path: string; body?: Record<string, unknown>; idempotenceKey?: string },
): Promise<T> {
  const headers: Record<string, string> = { Authorization: authHeader(ctx) };
  if (req.idempotenceKey) headers["Idempotence-Key"] = req.idempotenceKey;
  let res: HttpResponse;
  try {
    res = await ctx.call(action, {
      method: req.method,
      url: url(ctx, req.path),
      headers,
      body: req.body,
      // a POST is safe to repeat only with its Idempotence-Key
      idempotent: req.method === "GET" || !!req.idempotenceKey,
    });
  } catch (e) {
    throw paymentErrorOf(e, { name: "YooKassa" });
  }
  if (res.ok) {
    try {
      return res.json<T>();
    } catch {
      throw new PaymentProviderError("YooKassa answered with something that is not JSON", true, { code: "invalid_response", status: res.status });
    }
  }
  throw apiError(res);
}

/** YooKassa's error body `{type:"error", id, code, description, parameter}` as a PaymentProviderError. */
export function apiError(res: HttpResponse): PaymentProviderError {
  let body: YkError = {};
  try {
    body = res.json<YkError>() ?? {};
  } catch {
    /* not JSON (a proxy's HTML page) */
  }
  const code = body.code ?? `http_${res.status}`;
  const desc = body.description ? `: ${body.description}${body.parameter ? ` (${body.parameter})` : ""}` : "";
  const c = classifyFailure(res, { name: "YooKassa" });
  const opts = { code, status: res.status, failure: c.failure };
  if (res.status === 401 || code === "invalid_credentials") {
    return new PaymentProviderError("YooKassa rejected the shop id or secret key (401): copy both again from the YooKassa dashboard", false, opts);
  }
  if (res.status === 429 || code === "too_many_requests") {
    const secs = c.retryAfterSeconds;
    return new PaymentProviderError(`YooKassa is rate limiting this shop (429)${secs !== undefined ? `: retry in ${secs} s` : ""}`, true, {
      ...opts,
      failure: "rate_limited",
      ...(secs !== undefined ? { retryAfterSeconds: secs } : {}),
    });
  }
  if (res.status >= 500 || code === "internal_server_error") {
    return new PaymentProviderError(`YooKassa had a server error (HTTP ${res.status}); the same Idempotence-Key makes a retry safe`, true, opts);
  }
  if (res.status === 403 || code === "forbidden") return new PaymentProviderError(`YooKassa does not allow this operation for the shop (403)${desc}`, false, opts);
  if (res.status === 404 || code === "not_found") return new PaymentProviderError(`YooKassa does not know this object (404)${desc}`, false, opts);
  return new PaymentProviderError(`YooKassa refused the request (HTTP ${res.status}, ${code})${desc}`, false, opts);
}

// ───────────── statuses ─────────────

/** cancellation_details.reason → a sentence (YooKassa's documented reasons; wording ours) */
const CANCEL_REASONS: Record<string, string> = {
  "3d_secure_failed": "3-D Secure authentication failed",
  call_issuer: "the card issuer declined the payment: the payer should call the bank",
  canceled_by_merchant: "canceled by the shop",
  card_expired: "the card has expired",
  country_forbidden: "cards of this country are not accepted",
  expired_on_capture: "the payment was not captured in time",
  expired_on_confirmation: "the payer did not confirm the payment in time",
  fraud_suspected: "blocked on suspicion of fraud",
  general_decline: "the payment was declined",
  identification_required: "the payer's e-wallet needs identification",
  insufficient_funds: "insufficient funds",
  internal_timeout: "YooKassa had a technical problem and canceled the payment",
  invalid_card_number: "the card number is invalid",
  invalid_csc: "the CVC/CVV is invalid",
  issuer_unavailable: "the card issuer is unavailable",
  payment_method_limit_exceeded: "the payment method's limit is exceeded",
  payment_method_restricted: "the payment method is restricted",
  permission_revoked: "the payer revoked the permission for recurring payments",
};

export function cancelReason(d: YkPayment["cancellation_details"]): string | null {
  if (!d?.reason) return null;
  const text = CANCEL_REASONS[d.reason] ?? d.reason;
  return `${text} (${d.reason}${d.party ? `, ${d.party}` : ""})`;
}

export const minorOf = (a: YkAmount | undefined) => (a ? fromDecimalString(a.value, a.currency) : 0);

/** YooKassa's payment object → ours. YooKassa keeps "succeeded" after refunds: refunded_amount tells. */
export function mapPayment(p: YkPayment): ProviderPayment {
  const refundedMinor = minorOf(p.refunded_amount);
  const amountMinor = minorOf(p.amount);
  let status: PaymentStatus;
  switch (p.status) {
    case "succeeded":
      status = refundedMinor <= 0 ? "succeeded" : refundedMinor >= amountMinor ? "refunded" : "partially_refunded";
      break;
    case "canceled":
      status = "canceled";
      break;
    // waiting_for_capture: authorized (capture: false), money held but not taken yet
    case "waiting_for_capture":
    case "pending":
    default:
      status = "pending";
  }
  return {
    providerPaymentId: p.id,
    paymentUrl: p.confirmation?.confirmation_url ?? null,
    status,
    providerStatus: p.status,
    ...(p.status === "succeeded" ? { capturedMinor: amountMinor } : {}),
    ...(p.refunded_amount ? { refundedMinor } : {}),
    error: p.status === "canceled" ? cancelReason(p.cancellation_details) ?? "canceled" : null,
  };
}

export const amountOf = (amountMinor: number, currency: string): YkAmount => ({ value: toDecimalString(amountMinor, currency), currency });
