// The provider contract (../shared/DESIGN.md). A provider is one folder under
// lib/providers/<id>: index.ts (this definition), client code, webhook.ts, sandbox.ts and
// its tests. Domain services reach providers through the registry, never directly.
import type { z } from "zod";
import type { CallContext, HttpRequest, HttpResponse, NetworkPolicy, recordCall } from "@/lib/http";
import type { InboundRequest, Verdict } from "@/lib/providers/webhook-kit";
import type { SandboxModule } from "@/lib/sandbox/kit";

export type ProviderCategory =
  | "payment"
  | "sms"
  | "email"
  | "push"
  | "chat"
  | "erp"
  | "crm"
  | "calendar"
  | "video"
  | "telephony"
  | "webhook";

export type IntegrationRef = {
  id: string;
  code: string;
  name: string;
  mode: "live" | "sandbox";
  apiEndpoint: string | null;
};

/** What a provider's code gets to work with: decrypted credentials, config, a logged HTTP client. */
export type ProviderContext<Cred = Record<string, unknown>, Conf = Record<string, unknown>> = {
  integration: IntegrationRef;
  credentials: Cred;
  config: Conf;
  /** the endpoint for this integration: its apiEndpoint, else the provider's default for the mode */
  baseUrl: string;
  /** every secret value of the integration, scrubbed from logs wherever it appears */
  secrets: string[];
  /** the provider's network policy: connections made outside lib/http (SMTP) check it too */
  network?: NetworkPolicy;
  /** the integration's state as the last test or sync left it */
  state: Record<string, unknown>;
  /** the public URL the provider delivers this integration's webhooks to (for sandboxConnect, channels) */
  webhookUrl: string;
  /** a provider call through lib/http.ts: timeouts, retries, one log row per attempt */
  call(action: string, req: HttpRequest, opts?: Partial<CallContext>): Promise<HttpResponse>;
  /** a logged fetch for SDKs that accept one */
  fetch(action: string, opts?: Partial<CallContext>): typeof fetch;
  /** logs a call that is not HTTP (SMTP): one integration_logs row, secrets scrubbed */
  record(action: string, entry: Parameters<typeof recordCall>[1]): Promise<void>;
  /**
   * OAuth providers: a valid access token, refreshed first (by one process at a time) when it
   * expires soon; `force` after the API answered 401 (with `rejected`, the token it refused: a
   * newer one stored meanwhile is used instead of refreshing again). Throws OAuthReconnectError
   * when a person must connect again. Other providers: throws.
   */
  accessToken(opts?: { force?: boolean; rejected?: string }): Promise<string>;
  signal?: AbortSignal;
};

export type TestResult = {
  ok: boolean;
  /** one sentence for a person: "Connected as @acme_bot", "The bot token was rejected (401)" */
  message: string;
  details?: Record<string, unknown>;
  /** merged into the integration's state (e.g. the bot's name) */
  state?: Record<string, unknown>;
};

export type SyncCounts = { processed: number; created: number; updated: number; failed: number };

export type SyncRun = {
  jobId: string;
  type: string;
  /** adds to the job's counters (visible while it runs) */
  progress(delta: Partial<SyncCounts>): Promise<void>;
  /** true once someone asked to cancel: stop at the next safe point */
  canceled(): Promise<boolean>;
};

export type SyncResult = { details?: Record<string, unknown>; state?: Record<string, unknown> };

/** A live URL and, for sandbox mode, a path on SANDBOX_URL (like defaultEndpoints). */
export type ModeUrls = { live: string; sandbox: string };

/**
 * OAuth 2.0 (lib/oauth): the connect flow, token storage, refresh under a lock and revocation
 * are done once for all providers. Credentials hold `clientId` and `clientSecret`.
 */
export type OAuth2Spec = {
  type: "oauth2";
  /** authorization_code: an admin connects in the browser (Google, RingCentral);
   *  client_credentials: server-to-server, no person involved (Zoom S2S) */
  grant: "authorization_code" | "client_credentials";
  authorizeUrl?: ModeUrls;
  tokenUrl: ModeUrls;
  /** RFC 7009 revocation, called on disconnect */
  revokeUrl?: ModeUrls;
  scopes: readonly string[];
  /** send an S256 code_challenge and the verifier on exchange (RFC 7636) */
  pkce: boolean;
  /** how the client authenticates at the token endpoint: HTTP Basic or client_id/secret in the form */
  clientAuth: "basic" | "body";
  /** added to the authorize URL (Google: access_type=offline, prompt=consent) */
  authorizeParams?: Record<string, string>;
  /** client_credentials: the grant's own fields (Zoom: grant_type=account_credentials&account_id=…) */
  clientCredentials?(ctx: ProviderContext): { query?: Record<string, string>; form?: Record<string, string> };
  /** who connected, shown on the integration page: from the token response or one API call */
  account?(ctx: ProviderContext, token: { accessToken: string; response: Record<string, unknown> }): Promise<{ id?: string | null; name?: string | null }>;
  /** after a connect is stored (create push channels, webhook subscriptions); a failure is shown, the connect stays */
  afterConnect?(ctx: ProviderContext): Promise<void>;
  /** before the tokens are revoked and deleted (stop channels, delete subscriptions) */
  beforeDisconnect?(ctx: ProviderContext): Promise<void>;
};

export type AuthSpec = { type: "api_key" } | OAuth2Spec;

// a core error (lib/errors.ts): the API answers it as needs_reconnect without knowing providers
export { OAuthReconnectError } from "@/lib/errors";

/** What the inbox learns from a verified body before storing it. */
export type ParsedWebhook = {
  /** the provider's event type as sent ("payment_intent.succeeded", "message") */
  type: string;
  /** the provider's own event id: the idempotency key (a body hash is used when absent) */
  id?: string | null;
  payload: unknown;
};

/** An event the domain understands, whichever provider sent it. */
export type NormalizedEvent = { type: string; data: Record<string, unknown> };

export type StoredWebhook = {
  id: string;
  type: string;
  externalId: string | null;
  payload: unknown;
  headers: Record<string, string>;
  attempt: number;
  receivedAt: Date;
};

export type WebhookHandleResult = {
  /** ignored: understood but nothing to do (an event type we do not act on) */
  outcome: "completed" | "ignored";
  note?: string;
  /** handed to the areas that subscribe to them (lib/events.ts dispatch) */
  events?: NormalizedEvent[];
};

export type WebhookVerifyContext<Cred, Conf> = ProviderContext<Cred, Conf> & {
  /** the current value of a secret credential plus, during a rotation, the previous one */
  secretsFor(field: string): string[];
};

/** A verified body the provider would never send: 400 with `code`, kept as rejected. */
export class WebhookBodyError extends Error {
  constructor(
    message: string,
    public code: "invalid_json" | "validation_failed" = "validation_failed",
  ) {
    super(message);
  }
}

/** The raw body as a JSON object, or WebhookBodyError. */
export function jsonObjectBody(rawBody: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new WebhookBodyError("The body is not valid JSON", "invalid_json");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new WebhookBodyError("The body must be a JSON object");
  return body as Record<string, unknown>;
}

/** Thrown by a handler when retrying cannot help (the event fails at once, error kept). */
export class PermanentWebhookError extends Error {}

export type WebhookSpec<Cred = Record<string, unknown>, Conf = Record<string, unknown>> = {
  /** how deliveries are authenticated, for people: "Stripe-Signature (HMAC-SHA256, 5 min tolerance)" */
  scheme: string;
  /** credential fields whose previous values stay accepted for a grace period after a change */
  secretFields: readonly string[];
  /** challenges answered before anything is stored (Zoom url_validation, RingCentral Validation-Token) */
  handshake?(req: InboundRequest, ctx: WebhookVerifyContext<Cred, Conf>): Response | null | Promise<Response | null>;
  /** absent only when an area binds it (the check needs the area's tables: Google's channel tokens) */
  verify?(req: InboundRequest, ctx: WebhookVerifyContext<Cred, Conf>): Verdict | Promise<Verdict>;
  /**
   * The provider's id of the object a delivery is about (a payment, a refund), read from the
   * body without trusting it: a rejected delivery is kept with it, so the refusal shows on that
   * object's timeline. Never used to act on anything.
   */
  subject?(req: InboundRequest): string | null;
  /**
   * Throws WebhookBodyError for a body the provider would never send. The id it returns is the
   * idempotency key, so it must come from what the verified signature covers (the body, or a
   * header the scheme signs), never from an unsigned header a replayer could change.
   */
  parse(req: InboundRequest, ctx: WebhookVerifyContext<Cred, Conf>): ParsedWebhook;
  /** the 2xx body the provider expects (default { received: true }) */
  acknowledge?(event: { id: string; duplicate: boolean }): Response;
  /** runs in a worker; throwing means "retry later" (or bound by an area: lib/providers/bindings.ts) */
  handle?(event: StoredWebhook, ctx: ProviderContext<Cred, Conf>): Promise<WebhookHandleResult>;
  /**
   * Merchant APIs (Payme, Click): the provider waits for an answer made from our own state, so a
   * verified call is answered at once by the area bound to it (lib/payments binds `respond`:
   * lib/providers/bindings.ts) and stored already completed, never queued. The id parse()
   * returns is then only the record's external id (the provider's transaction); the
   * idempotency key is the body's hash. A refused request is answered in the provider's own
   * format: it expects HTTP 200 with its error code, not our 401.
   */
  synchronous?: {
    refusal(req: InboundRequest, why: { code: "unauthorized" | "invalid_json" | "validation_failed"; reason: string }): Response;
  };
};

/** What a merchant API call was answered (a bound `respond`), and what the record keeps of it. */
export type SynchronousAnswer = {
  /** the JSON body answered with HTTP 200 */
  body: unknown;
  /** completed: the call was applied or answered from our state; failed: our side failed (the provider retries) */
  outcome: "completed" | "ignored" | "failed";
  note: string;
  events?: NormalizedEvent[];
};

// ───────────── messaging (lib/messaging) ─────────────

export type Channel = "sms" | "whatsapp" | "email" | "push" | "telegram";
export const CHANNELS: readonly Channel[] = ["sms", "whatsapp", "email", "push", "telegram"];

export type Attachment = { filename: string; contentType: string; /** base64 */ content: string };

/** One message as the outbox hands it to a provider. */
export type OutboundMessage = {
  /** our message id: providers that accept a reference (custom args, Idempotency-Key) send it */
  id: string;
  channel: Channel;
  /** normalized: E.164 phone, lower-case email, device token, Telegram chat id */
  to: string;
  toName?: string | null;
  subject?: string | null;
  text: string;
  html?: string | null;
  options: {
    attachments?: Attachment[];
    categories?: string[];
    customArgs?: Record<string, string>;
    /** push: key/value data delivered to the app */
    data?: Record<string, string>;
    /** Telegram: HTML | MarkdownV2 | none (the integration's default otherwise) */
    parseMode?: string;
    replyTo?: string;
  };
  /** the URL the provider should post delivery reports to (this integration's webhook URL) */
  statusCallbackUrl: string;
};

export type SendResult = {
  providerMessageId?: string | null;
  /** "delivered" only when the provider's answer already proves delivery (Telegram) */
  status: "sent" | "delivered";
  costMicros?: number | null;
  costCurrency?: string | null;
  /** the provider's own status word, kept in the timeline */
  providerStatus?: string;
};

export { SendError } from "./errors";

/** A delivery report, from a callback (webhook handler event "message.status") or a poll. */
export type StatusUpdate = {
  providerMessageId: string;
  status: "sent" | "delivered" | "undelivered" | "failed";
  /** the provider's word: "delivered", "bounce", "open", "103" … (kept in the timeline) */
  event: string;
  at?: string;
  errorCode?: string | null;
  error?: string | null;
  costMicros?: number | null;
  costCurrency?: string | null;
};

export type MessagingSpec<Cred = Record<string, unknown>, Conf = Record<string, unknown>> = {
  channels: readonly Channel[];
  /** sends per second when the integration does not set its own (config.ratePerSecond) */
  defaultRatePerSecond: number;
  send(ctx: ProviderContext<Cred, Conf>, msg: OutboundMessage): Promise<SendResult>;
  /** providers with no callbacks: asked for messages still "sent" */
  fetchStatus?(ctx: ProviderContext<Cred, Conf>, providerMessageIds: string[]): Promise<StatusUpdate[]>;
};

// ───────────── payments (lib/payments) ─────────────

export type PaymentStatus = "pending" | "requires_action" | "succeeded" | "failed" | "canceled" | "refunded" | "partially_refunded";

export type PaymentRequest = {
  /** our payment id: sent to the provider as metadata (Stripe metadata.switchboard_payment_id,
   *  YooKassa metadata, PayPal purchase_units[0].custom_id) so its events find the payment */
  id: string;
  amountMinor: number;
  currency: string;
  description?: string | null;
  customerEmail?: string | null;
  metadata: Record<string, string>;
  /** where the payer returns after paying / canceling */
  returnUrl: string;
  cancelUrl: string;
  /** the same on every retry of this creation: the provider's own idempotency key */
  idempotencyKey: string;
  /** Stripe only: a Checkout Session in subscription mode (a recurring price) */
  subscription?: { interval: "day" | "week" | "month" | "year" } | null;
};

/** The provider's view of a payment, mapped. */
export type ProviderPayment = {
  providerPaymentId: string | null;
  providerCheckoutId?: string | null;
  providerCaptureId?: string | null;
  /** the page the payer opens (Checkout, YooKassa confirmation_url, PayPal payer-action link) */
  paymentUrl?: string | null;
  status: PaymentStatus;
  providerStatus: string;
  capturedMinor?: number;
  refundedMinor?: number;
  error?: string | null;
  /**
   * The payer has acted and the next step is the merchant's (a PayPal order APPROVED, waiting
   * to be captured): lib/payments takes it on whichever path sees it first (the webhook, the
   * payer's return, a status check, the sweeper, the seed's execute), through `capture`.
   */
  due?: PaymentStep | null;
  /** what the payer must do next (3-D Secure): where to send them */
  nextAction?: PaymentNextAction | null;
};

/** A step after the payer's action that is the merchant's to take. */
export type PaymentStep = "capture";

/** The payer's next step (Stripe's next_action): its type and, for a redirect, the page. */
export type PaymentNextAction = { type: string; redirectUrl: string | null };

/** One invoice at the provider (subscriptions bill through them). */
export type ProviderInvoice = {
  id: string;
  customer: string | null;
  customerEmail: string | null;
  status: string | null;
  amountDueMinor: number;
  amountPaidMinor: number;
  currency: string;
  subscription: string | null;
  hostedInvoiceUrl: string | null;
  created: string;
};

export type RefundRequest = {
  refundId: string;
  amountMinor: number;
  currency: string;
  reason?: string | null;
  idempotencyKey: string;
  payment: { id: string; providerPaymentId: string | null; providerCheckoutId: string | null; providerCaptureId: string | null };
};

export type ProviderRefund = { providerRefundId: string; status: "pending" | "succeeded" | "failed"; error?: string | null };

export { PaymentProviderError } from "./errors";

export type PaymentsSpec<Cred = Record<string, unknown>, Conf = Record<string, unknown>> = {
  /** ISO currencies it takes (undefined: any) */
  currencies?: readonly string[];
  create(ctx: ProviderContext<Cred, Conf>, req: PaymentRequest): Promise<ProviderPayment>;
  /** the current state, asked of the provider (GET …?refresh=1, YooKassa's re-fetch) */
  retrieve(ctx: ProviderContext<Cred, Conf>, p: RefundRequest["payment"]): Promise<ProviderPayment>;
  refund(ctx: ProviderContext<Cred, Conf>, req: RefundRequest): Promise<ProviderRefund>;
  /**
   * Takes the step that is ours once the payer has acted (`due: "capture"`): PayPal captures an
   * APPROVED order. Idempotent at the provider with a key derived from the provider's own id
   * (two paths that race send the same key and capture once); an order not approved yet is
   * answered as it is (nothing due), a declined capture as failed. lib/payments calls it under
   * a lock on the payment and applies the answer like any other.
   */
  capture?(ctx: ProviderContext<Cred, Conf>, p: RefundRequest["payment"]): Promise<ProviderPayment>;
  /**
   * Confirms a payment the client holds open (a Stripe PaymentIntent) with the payer's payment
   * method; `nextAction` says what the payer must do next (3-D Secure). A decline is a
   * not-retryable PaymentProviderError.
   */
  confirm?(
    ctx: ProviderContext<Cred, Conf>,
    p: RefundRequest["payment"],
    req: { paymentMethod: string; returnUrl?: string | null; idempotencyKey?: string | null },
  ): Promise<ProviderPayment>;
  /** A customer's invoices, by the provider's customer id or by e-mail. */
  listInvoices?(ctx: ProviderContext<Cred, Conf>, who: { customerId?: string | null; customerEmail?: string | null }): Promise<ProviderInvoice[]>;
  /** the provider calls us for each transaction (Payme, Click): its webhook is `synchronous` */
  merchant?: MerchantSpec<Cred, Conf>;
  /** recurring payments (issue 18): present only where the provider has them (declared with the payments.subscriptions capability) */
  subscriptions?: SubscriptionsSpec<Cred, Conf>;
};

// ───────────── subscriptions (lib/payments/subscriptions.ts; issue 18) ─────────────
// One model for every provider's recurring payments. A provider either bills on its own
// schedule and reports each renewal in its webhooks (Stripe's invoices, PayPal's billing
// plans), or saves the payer's method and is charged by Switchboard's scheduler on each due
// date (YooKassa: `charge`). The first charge and every renewal are payment rows linked to
// the subscription. Transitions: incomplete → active | incomplete_expired; active ⇄ past_due;
// active | past_due → canceled (final); cancel at period end is a flag, undone by resume.

export type SubscriptionStatus = "incomplete" | "incomplete_expired" | "active" | "past_due" | "canceled";
export type SubscriptionInterval = "day" | "week" | "month" | "year";

export type SubscriptionRequest = {
  /** our subscription id: sent as metadata (Stripe switchboard_subscription_id, PayPal custom_id, YooKassa metadata) */
  id: string;
  /** our payment id of the first charge (a payment row made with the subscription) */
  paymentId: string;
  /** the plan's name, shown to the payer ("Pro, monthly") */
  plan: string;
  amountMinor: number;
  currency: string;
  interval: SubscriptionInterval;
  /** every N intervals (1: every month) */
  intervalCount: number;
  description?: string | null;
  customerEmail?: string | null;
  metadata: Record<string, string>;
  returnUrl: string;
  cancelUrl: string;
  /** the same on every retry of this creation */
  idempotencyKey: string;
};

/** The provider's view of a subscription, mapped. */
export type ProviderSubscription = {
  providerSubscriptionId: string | null;
  providerCustomerId?: string | null;
  /** the provider's plan/price (Stripe price, PayPal billing plan) */
  providerPlanId?: string | null;
  /** the page the payer opens to approve it (Stripe Checkout, PayPal approve link, YooKassa confirmation_url) */
  paymentUrl?: string | null;
  /** the first charge's provider ids, where the creation made one (YooKassa's first payment, Stripe's Checkout Session) */
  firstPayment?: ProviderPayment | null;
  status: SubscriptionStatus;
  providerStatus: string;
  currentPeriodStart?: string | null;
  currentPeriodEnd?: string | null;
  cancelAtPeriodEnd?: boolean;
  canceledAt?: string | null;
  /** the saved payment method Switchboard charges on each due date (YooKassa) */
  paymentMethodId?: string | null;
  /** when the provider's object said this (YooKassa: the payment it was read from), so an older word does not move a newer status */
  occurredAt?: string;
};

/** Our ids and the provider's for one subscription, as lib/payments passes them to the provider. */
export type SubscriptionRef = {
  id: string;
  providerSubscriptionId: string | null;
  providerCustomerId: string | null;
  providerPlanId: string | null;
  paymentMethodId: string | null;
  /** the hosted page of the first charge (Stripe Checkout Session) while the provider has no subscription yet: cancel expires it */
  providerCheckoutId?: string | null;
  /** the provider id of the subscription's newest charge, where the provider has no subscription object to ask (YooKassa's retrieve reads it) */
  lastProviderPaymentId?: string | null;
};

/**
 * One charge of a subscription (the first or a renewal, paid or failed), as a webhook reports it
 * or a scheduled charge answers: recorded as a payment linked to the subscription, once per
 * provider payment id.
 */
export type SubscriptionCharge = {
  /** the provider's payment for this charge (Stripe invoice's PaymentIntent or the invoice id, PayPal sale id, YooKassa payment id) */
  providerPaymentId: string;
  invoiceId?: string | null;
  hostedInvoiceUrl?: string | null;
  invoicePdfUrl?: string | null;
  amountMinor: number;
  currency: string;
  status: "succeeded" | "failed";
  error?: string | null;
  /** the period this charge pays for */
  periodStart?: string | null;
  periodEnd?: string | null;
};

/**
 * What subscription webhook handlers emit (events of type "subscription.updated"): found by our
 * id (metadata) or the provider's. Fields left out are unchanged; `status` is applied only along
 * the declared transitions (a late or repeated event changes nothing).
 */
export type SubscriptionUpdate = {
  subscriptionId?: string | null;
  providerSubscriptionId?: string | null;
  providerCustomerId?: string | null;
  status?: SubscriptionStatus;
  providerStatus: string;
  currentPeriodStart?: string | null;
  currentPeriodEnd?: string | null;
  cancelAtPeriodEnd?: boolean;
  canceledAt?: string | null;
  paymentMethodId?: string | null;
  charge?: SubscriptionCharge | null;
  /** the provider's event id and time, for the timeline and applying each event once */
  eventId?: string;
  occurredAt?: string;
};

export type SubscriptionsSpec<Cred = Record<string, unknown>, Conf = Record<string, unknown>> = {
  intervals: readonly SubscriptionInterval[];
  /** who bills the renewals: the provider on its schedule, or Switchboard with `charge` */
  billing: "provider" | "merchant";
  create(ctx: ProviderContext<Cred, Conf>, req: SubscriptionRequest): Promise<ProviderSubscription>;
  retrieve(ctx: ProviderContext<Cred, Conf>, s: SubscriptionRef): Promise<ProviderSubscription>;
  /** now, or at the end of the period (a flag until then) */
  cancel(ctx: ProviderContext<Cred, Conf>, s: SubscriptionRef, opts: { atPeriodEnd: boolean }): Promise<ProviderSubscription>;
  /** undoes a cancel at period end (Stripe), or reactivates a suspended one (PayPal) */
  resume?(ctx: ProviderContext<Cred, Conf>, s: SubscriptionRef): Promise<ProviderSubscription>;
  /** PayPal: pause billing without ending it */
  suspend?(ctx: ProviderContext<Cred, Conf>, s: SubscriptionRef): Promise<ProviderSubscription>;
  /** billing "merchant": charges the saved method once (idempotent by the key) */
  charge?(
    ctx: ProviderContext<Cred, Conf>,
    s: SubscriptionRef,
    req: {
      paymentId: string;
      amountMinor: number;
      currency: string;
      description: string;
      idempotencyKey: string;
      /** the period this charge pays for: carried with the charge (YooKassa metadata) so its notification can say it */
      periodStart?: string;
      periodEnd?: string;
    },
  ): Promise<ProviderPayment>;
};

/**
 * What payment webhook handlers emit (events of type "payment.updated" / "refund.updated"):
 * the payments service finds the payment by `paymentId` (ours, from metadata) or the provider ids.
 */
export type PaymentUpdate = {
  paymentId?: string | null;
  providerPaymentId?: string | null;
  providerCheckoutId?: string | null;
  providerCaptureId?: string | null;
  status: PaymentStatus;
  providerStatus: string;
  capturedMinor?: number;
  refundedMinor?: number;
  /** the provider's event id and time, for the timeline */
  eventId?: string;
  occurredAt?: string;
  error?: string | null;
  /** the payer has acted and the next step is ours (ProviderPayment.due) */
  due?: PaymentStep | null;
};
export type RefundUpdate = { providerRefundId: string; paymentId?: string | null; providerPaymentId?: string | null; status: "pending" | "succeeded" | "failed"; amountMinor?: number; eventId?: string };

// ───────────── merchant APIs (lib/payments/merchant.ts): the payment system calls us ─────────────
// Payme's Merchant API and Click's SHOP API ask us whether an order can be paid, create, perform
// and cancel their transactions, and wait for the answer. The provider folder speaks the
// protocol and decides by the provider's rules (a pure function of the state it is given);
// lib/payments reads that state under a lock on the order, stores what was decided in the same
// database transaction as the payment's status change, and answers.

/** One of the provider's transactions, as lib/payments keeps it (provider_transactions). */
export type MerchantTransaction = {
  /** the provider's id (Payme's 24-character id, Click's click_trans_id) */
  providerTxId: string;
  /** our number for it, given when it is first stored (Payme's "transaction", Click's merchant_prepare_id) */
  number: number;
  paymentId: string;
  /** the provider's own state number */
  state: number;
  amountMinor: number;
  /** when the provider created it, by its clock (Payme's `time`) */
  providerTime: Date | null;
  createdAt: Date;
  performedAt: Date | null;
  canceledAt: Date | null;
  reason: number | null;
  /** what else the provider sent that its answers repeat (Payme's account, Click's click_paydoc_id) */
  data: Record<string, unknown>;
};

/** The order a call is about: one of our payments made through this integration. */
export type MerchantOrder = { id: string; amountMinor: number; currency: string; status: PaymentStatus };

/** What a call needs read before it can be decided. */
export type MerchantLookup = {
  /** the order the call names (Payme's account field, Click's merchant_trans_id) */
  orderId?: string | null;
  /** the provider transaction the call names */
  providerTxId?: string | null;
  /** a statement: the integration's transactions the provider created in [from, to] */
  statement?: { from: Date; to: Date } | null;
};

export type MerchantState = {
  /** the order named by the call or by its transaction, locked for this call; null when unknown */
  order: MerchantOrder | null;
  /** the transaction named by the call, null when unknown (or another integration's) */
  transaction: MerchantTransaction | null;
  /** every transaction of this provider for the order, the named one included */
  siblings: MerchantTransaction[];
  /** statement calls: the transactions in the range, oldest first by providerTime */
  statement: MerchantTransaction[];
  now: Date;
};

export type MerchantTransactionWrite = Omit<MerchantTransaction, "number">;

export type MerchantDecision = {
  /** the transaction to store: a new one, or the named one changed (at most one per call) */
  write?: MerchantTransactionWrite | null;
  /** what it does to the payment (lib/payments never moves a payment backwards) */
  payment?: Omit<PaymentUpdate, "paymentId" | "eventId" | "occurredAt"> | null;
  /** the provider asked to change a credential (Payme's ChangePassword): stored, encrypted, before the answer */
  credentials?: Record<string, string> | null;
  /** the answer's body, given the transaction as stored (with its number) */
  answer(stored: MerchantTransaction | null): unknown;
  /** ignored: refused by the protocol's rules (an error answer), nothing changed */
  outcome: "completed" | "ignored";
  /** for the record, one sentence for a person */
  note: string;
};

export type MerchantSpec<Cred = Record<string, unknown>, Conf = Record<string, unknown>> = {
  lookup(call: ParsedWebhook, ctx: ProviderContext<Cred, Conf>): MerchantLookup;
  decide(call: ParsedWebhook, state: MerchantState, ctx: ProviderContext<Cred, Conf>): MerchantDecision;
  /** the answer when our side failed (the database): the provider's "system error, try again" */
  failure(call: ParsedWebhook): unknown;
};

/** `apiEndpoint`, `mode`, or a config field as `config.<name>` */
export type DestinationField = "apiEndpoint" | "mode" | `config.${string}`;

export type ProviderDefinition<C extends z.ZodObject = z.ZodObject, K extends z.ZodObject = z.ZodObject> = {
  id: string;
  name: string;
  category: ProviderCategory;
  description: string;
  docsUrl?: string;
  /** what domain services may ask of it, e.g. "chat.send", "payments.refund" */
  capabilities: readonly string[];
  /** zod object; fields marked `.meta({ secret: true })` are masked in the UI and never returned by the API */
  credentials: C;
  config: K;
  auth: AuthSpec;
  /** live: the provider's own URL; sandbox: a path on SANDBOX_URL. `{code}` is replaced by the integration code. */
  defaultEndpoints: { live?: string; sandbox?: string };
  /**
   * Settings that decide where the credentials (or the data) are sent, besides `apiEndpoint`
   * and `mode`, which always count: e.g. `config.host` for SMTP. Changing any of them needs
   * every stored secret entered again in the same request and drops the OAuth tokens.
   */
  destinationFields?: readonly DestinationField[];
  /**
   * Which addresses its calls may reach (lib/net-guard.ts). "public" (default): the internet
   * only. "private-allowed": also private ranges (10/8, 172.16/12, 192.168/16, 100.64/10,
   * fc00::/7), for systems that live on the customer's own network (1C, SMTP, custom webhooks).
   * Link-local/metadata addresses are always refused; loopback only for the sandbox and hosts
   * named in ALLOWED_PRIVATE_HOSTS.
   */
  network?: NetworkPolicy;
  /** a real, harmless call with a message for a person */
  testConnection(ctx: ProviderContext<z.output<C>, z.output<K>>): Promise<TestResult>;
  sync?: {
    types: readonly { id: string; label: string; description: string }[];
    /** absent when an area runs them (lib/<area>/bindings.ts binds the runner: lib/providers/bindings.ts) */
    run?(ctx: ProviderContext<z.output<C>, z.output<K>>, run: SyncRun): Promise<SyncResult>;
  };
  /**
   * Sandbox mode only: configure the emulator the way an admin configures the real
   * provider's dashboard (register a receiving endpoint and its secret, a webhook URL …).
   */
  sandboxConnect?(ctx: ProviderContext<z.output<C>, z.output<K>>): Promise<void>;
  /** inbound webhooks: POST /api/webhooks/<id>/<code> (or /api/webhooks/receive/<code>) */
  webhook?: WebhookSpec<z.output<C>, z.output<K>>;
  /**
   * Its emulator (the folder's sandbox.ts), loaded only by the sandbox server: a production web
   * process never loads it (real lazy loading, not a way around a cycle).
   */
  sandbox?: () => Promise<{ default: SandboxModule }>;
  /** The demo's integrations of this provider (the folder's demo.ts), seeded by `npm start` on a fresh install. */
  demo?: () => DemoIntegration[];
  /** sends messages for lib/messaging (capabilities sms.send, email.send …) */
  messaging?: MessagingSpec<z.output<C>, z.output<K>>;
  /** takes payments for lib/payments (capabilities payments.create, payments.refund …) */
  payments?: PaymentsSpec<z.output<C>, z.output<K>>;
};

/** Erases the schema types so definitions of different providers fit one registry. */
/** One demo integration: the create-integration body without its provider (the folder is the provider). */
export type DemoIntegration = {
  name: string;
  code: string;
  description?: string;
  mode: "sandbox";
  priority?: number;
  credentials: Record<string, unknown>;
  config?: Record<string, unknown>;
  autoSync?: boolean;
  syncIntervalMinutes?: number;
};

export function defineProvider<C extends z.ZodObject, K extends z.ZodObject>(
  def: ProviderDefinition<C, K>,
): ProviderDefinition {
  return def as unknown as ProviderDefinition;
}
