// Stripe through the official SDK (stripe@23.1.0), one client per call (two integrations with
// different keys never share one). The SDK builds every request (form bodies in bracket
// notation, Stripe-Version, Idempotency-Key) and parses every answer into its error classes;
// its transport is Stripe.createFetchHttpClient over ctx.fetch, so each attempt lands in
// integration_logs (Authorization redacted by name, the secret key scrubbed by value wherever
// it appears: it is in ctx.secrets) and gets our timeout.
//
// `host` is a host name only in the SDK, so an endpoint with a path (the sandbox is
// http://127.0.0.1:4010/stripe) is handled by the fetch wrapper: whatever URL the SDK builds,
// its path and query are appended to ctx.baseUrl.
import Stripe from "stripe";
import { classifyFailure, transportCode } from "@/lib/providers/errors";
import { scrub } from "@/lib/redact";
import { PaymentProviderError, type PaymentNextAction, type PaymentStatus, type ProviderContext, type ProviderPayment } from "@/lib/providers/types";

export type StripeCredentials = { secretKey: string; webhookSecret?: string };
export type StripeConfig = {
  currencies?: string[];
  statementDescriptor?: string;
  checkoutMode: "checkout" | "payment_intent";
};
export type StripeContext = ProviderContext<StripeCredentials, StripeConfig>;

/**
 * Network retries the SDK makes itself (5xx, 409, connection errors, timeouts), every one with
 * the same Idempotency-Key, so a retried POST never charges twice. 429 is not retried by the
 * SDK (unless Stripe says Stripe-Should-Retry: true): it comes back to the caller as retryable.
 */
export const STRIPE_NETWORK_RETRIES = 2;

/** The SDK, wired to this integration: its key, its endpoint, our logged HTTP path. */
export function stripeFor(ctx: StripeContext, action: string): Stripe {
  const base = new URL(ctx.baseUrl || "https://api.stripe.com");
  const prefix = base.pathname.replace(/\/+$/, "");
  const logged = ctx.fetch(action, { retry: false });
  const viaBase: typeof fetch = (input, init) => {
    const sdkUrl = new URL(typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url);
    return logged(`${base.origin}${prefix}${sdkUrl.pathname}${sdkUrl.search}`, init);
  };
  const protocol = base.protocol === "http:" ? "http" : "https";
  return new Stripe(ctx.credentials.secretKey, {
    host: base.hostname,
    port: base.port || (protocol === "http" ? 80 : 443),
    protocol,
    maxNetworkRetries: STRIPE_NETWORK_RETRIES,
    telemetry: false,
    httpClient: Stripe.createFetchHttpClient(viaBase),
  });
}

export const isTestKey = (key: string) => /^(sk|rk)_test_/.test(key);

type AnyStripeError = InstanceType<typeof Stripe.errors.StripeError>;

function isStripeError(e: unknown): e is AnyStripeError {
  return e instanceof Stripe.errors.StripeError;
}

/** Any failure of a Stripe call as a PaymentProviderError: retryable or a refusal, with a reason. */
export function toPaymentError(e: unknown, ctx: StripeContext): PaymentProviderError {
  const safe = (s: string) => scrub(s, ctx.secrets);
  if (e instanceof PaymentProviderError) return e;
  const c = classifyFailure(e, { name: "Stripe", secrets: ctx.secrets });
  if (!isStripeError(e)) {
    // not a transport failure: a bug or the SDK refusing our arguments, which a retry does not change
    return new PaymentProviderError(c.message, c.failure !== "unknown" && c.retryable, { code: transportCode(c), failure: c.failure });
  }
  const status = e.statusCode;
  const message = safe(e.message || "");
  const said = message ? `: ${message}` : "";
  if (e instanceof Stripe.errors.StripeCardError) {
    const code = e.decline_code ?? e.code ?? "card_declined";
    return new PaymentProviderError(`Stripe declined the payment (${code})${said}`, false, { code, status });
  }
  if (e instanceof Stripe.errors.StripeAuthenticationError) {
    return new PaymentProviderError(`Stripe rejected the secret key (401): it was revoked, rolled or mistyped${said}`, false, {
      code: "authentication_error",
      status,
    });
  }
  if (e instanceof Stripe.errors.StripePermissionError) {
    return new PaymentProviderError(`The Stripe key may not do this (403): give the restricted key the permission${said}`, false, {
      code: e.code ?? "permission_error",
      status,
    });
  }
  if (e instanceof Stripe.errors.StripeIdempotencyError) {
    return new PaymentProviderError(
      `Stripe refused the request: its idempotency key was already used for a different request (a retry must repeat the original exactly; a new payment needs a new key)${said}`,
      false,
      { code: "idempotency_error", status },
    );
  }
  if (e instanceof Stripe.errors.StripeRateLimitError) {
    const after = c.retryAfterSeconds !== undefined ? Math.max(1, c.retryAfterSeconds) : undefined;
    return new PaymentProviderError(`Stripe is rate limiting this account (429)${after ? `: retry in ${after} s` : ""}`, true, {
      code: "rate_limit",
      status: status ?? 429,
      retryAfterSeconds: after,
    });
  }
  if (e instanceof Stripe.errors.StripeConnectionError) {
    // the SDK wraps what our fetch threw (lib/http's HttpError) as `detail`
    const detail = (e as { detail?: unknown }).detail;
    const t = classifyFailure(detail instanceof Error ? detail : e, { name: "Stripe", secrets: ctx.secrets });
    if (t.failure === "timeout") return new PaymentProviderError(t.message, true, { code: "timeout", failure: t.failure });
    const why = detail instanceof Error ? t.detail : message;
    return new PaymentProviderError(safe(`Could not reach Stripe: ${why}`), true, { code: "connection_error", failure: "network" });
  }
  if (e instanceof Stripe.errors.StripeAPIError || (status !== undefined && status >= 500)) {
    return new PaymentProviderError(`Stripe had a server error (${status ?? "no status"})${said}`, true, { code: e.code ?? "api_error", status });
  }
  if (e instanceof Stripe.errors.StripeInvalidRequestError) {
    return new PaymentProviderError(`Stripe refused the request (${status})${said}`, false, { code: e.code ?? "invalid_request_error", status });
  }
  return new PaymentProviderError(`Stripe answered ${status ?? "an error"}${said}`, false, { code: e.code ?? e.type, status });
}

// ───────────── mapping ─────────────

export function piStatus(pi: Pick<Stripe.PaymentIntent, "status" | "last_payment_error">): PaymentStatus {
  switch (pi.status) {
    case "succeeded":
      return "succeeded";
    case "requires_action":
      return "requires_action";
    case "canceled":
      return "canceled";
    case "requires_payment_method":
      // after a decline Stripe puts the intent back to requires_payment_method with the error
      return pi.last_payment_error ? "failed" : "pending";
    default:
      // requires_confirmation, processing, requires_capture
      return "pending";
  }
}

/** refunds move a succeeded payment on */
export function withRefunds(status: PaymentStatus, captured: number, refunded: number): PaymentStatus {
  if (status !== "succeeded" || refunded <= 0) return status;
  return refunded >= captured ? "refunded" : "partially_refunded";
}

export function fromPaymentIntent(pi: Stripe.PaymentIntent, checkoutId?: string | null): ProviderPayment {
  const charge = pi.latest_charge && typeof pi.latest_charge === "object" ? pi.latest_charge : null;
  const refunded = charge?.amount_refunded ?? 0;
  const captured = pi.amount_received ?? 0;
  return {
    providerPaymentId: pi.id,
    ...(checkoutId !== undefined ? { providerCheckoutId: checkoutId } : {}),
    providerCaptureId: charge?.id ?? (typeof pi.latest_charge === "string" ? pi.latest_charge : null),
    status: withRefunds(piStatus(pi), captured, refunded),
    providerStatus: pi.status,
    capturedMinor: captured,
    ...(charge ? { refundedMinor: refunded } : {}),
    error: pi.last_payment_error?.message ?? null,
    ...(pi.status === "requires_action" && pi.next_action ? { nextAction: nextActionOf(pi.next_action) } : {}),
  };
}

/** Stripe's next_action → what the client needs: its type, and the page for a redirect (3-D Secure) */
export function nextActionOf(a: Stripe.PaymentIntent.NextAction): PaymentNextAction {
  return { type: a.type, redirectUrl: a.redirect_to_url?.url ?? null };
}

export function fromSession(s: Stripe.Checkout.Session): ProviderPayment {
  const pi = s.payment_intent && typeof s.payment_intent === "object" ? s.payment_intent : null;
  if (pi) return { ...fromPaymentIntent(pi, s.id), paymentUrl: s.status === "open" ? s.url : null, ...sessionOverride(s, pi) };
  const status: PaymentStatus =
    s.status === "expired" ? "canceled" : s.payment_status === "paid" || s.payment_status === "no_payment_required" ? "succeeded" : "pending";
  return {
    providerPaymentId: typeof s.payment_intent === "string" ? s.payment_intent : null,
    providerCheckoutId: s.id,
    paymentUrl: s.status === "open" ? s.url : null,
    status,
    providerStatus: `${s.status ?? "open"}/${s.payment_status}`,
    ...(status === "succeeded" ? { capturedMinor: s.amount_total ?? 0 } : {}),
  };
}

/** an expired session whose intent never succeeded is canceled, whatever the intent says */
function sessionOverride(s: Stripe.Checkout.Session, pi: Stripe.PaymentIntent): Partial<ProviderPayment> {
  if (s.status === "expired" && pi.status !== "succeeded") return { status: "canceled", providerStatus: `expired/${pi.status}` };
  return {};
}
