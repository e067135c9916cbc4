// Payments: create (a payment link or intent) through the integration chosen for the currency,
// follow the provider's verified events and explicit status checks (never backwards), refund
// safely (never more than captured, idempotent, audited), list, totals and revenue.
// Route handlers stay thin; providers are reached through the registry only.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Prisma, type Payment, type Integration } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { errors, ApiError } from "@/lib/errors";
import { audit, type Who } from "@/lib/audit";
import { scopedKey } from "@/lib/idempotency";
import { decodeCursor, encodeCursor } from "@/lib/cursor";
import { publicBaseUrl } from "@/lib/urls";
import { logger } from "@/lib/logger";
import { env } from "@/lib/env";
import { consume } from "@/lib/rate-limit";
import { rejectedDeliveriesAbout } from "@/lib/webhooks/rejected";
import { formatMoney } from "@/lib/money";
import { getProvider } from "@/lib/providers/registry";
import { activeIntegrations, cachedIntegration } from "@/lib/integrations/cache";
import { buildContext } from "@/lib/integrations/service";
import { PaymentProviderError, type PaymentStatus, type PaymentStep, type PaymentUpdate, type ProviderPayment, type RefundUpdate } from "@/lib/providers/types";
import { withAdvisoryLock } from "@/lib/locks";
import { nextStatus, PAYMENT_STATUSES, rank } from "@/lib/payments/status";
import { paymentActions } from "@/lib/payments/capabilities";
import { emit, deliver } from "@/lib/events";
import { PAYMENT_FAILED, PAYMENT_REFUNDED, PAYMENT_SUCCEEDED, paymentEvent, type PaymentEvent } from "@/lib/payments/contract";

const label = (w: Who) => w.actor.label ?? w.actor.type;

// ───────────── inputs: lib/payments/contract.ts (shared by the API and the dashboard's forms) ─────────────

export { createPaymentInput, refundInput, type CreatePaymentInput } from "@/lib/payments/contract";
import type { CreatePaymentInput, refundInput } from "@/lib/payments/contract";

// ───────────── choosing the integration ─────────────

async function paymentIntegrations(): Promise<Integration[]> {
  return (await activeIntegrations()).filter((r) => !!getProvider(r.provider)?.payments);
}

function takes(row: Integration, cur: string) {
  const def = getProvider(row.provider)!;
  const own = (row.config as { currencies?: string[] }).currencies;
  if (own?.length) return own.map((c) => c.toUpperCase()).includes(cur);
  return !def.payments!.currencies || def.payments!.currencies.includes(cur);
}

/** The integration asked for, else the first (by priority) of the provider, else the default for the currency. */
export async function chooseIntegration(input: { integrationId?: string; provider?: string; currency: string }): Promise<Integration> {
  if (input.integrationId) {
    const row = await cachedIntegration(input.integrationId);
    if (!row || !getProvider(row.provider)?.payments) throw errors.validation("Not a payment integration", [{ path: "integrationId", message: "Unknown payment integration" }]);
    if (row.status === "inactive") throw errors.unprocessable(`${row.name} is switched off`);
    return row;
  }
  const all = await paymentIntegrations();
  const pool = input.provider ? all.filter((r) => r.provider === input.provider) : all;
  if (input.provider && !pool.length) throw errors.unprocessable(`No active ${input.provider} integration`);
  const row = pool.find((r) => takes(r, input.currency)) ?? (input.provider ? pool[0] : undefined);
  if (!row) throw errors.unprocessable(`No payment integration takes ${input.currency}: add one (Stripe, YooKassa, PayPal) or set its currencies`);
  return row;
}

// ───────────── create ─────────────

function entry(event: string, extra: Record<string, unknown> = {}) {
  return { at: new Date().toISOString(), event, ...extra };
}

export function providerError(e: unknown): ApiError {
  if (e instanceof PaymentProviderError) {
    return e.retryable
      ? new ApiError(502, "provider_error", e.message, { code: e.opts.code, retryable: true }, e.opts.retryAfterSeconds ? { "Retry-After": String(e.opts.retryAfterSeconds) } : undefined)
      : new ApiError(422, "unprocessable", e.message, { code: e.opts.code, retryable: false });
  }
  if (e instanceof ApiError) return e;
  return new ApiError(502, "provider_error", `The provider call failed: ${(e as Error).message}`, { retryable: true });
}

/** Calls `fn` again on retryable provider errors (the same idempotency key makes it safe). */
async function withRetries<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof PaymentProviderError) || !e.retryable || i >= attempts) throw e;
      const wait = Math.min(2000, (e.opts.retryAfterSeconds ?? 0) * 1000 || 200 * 2 ** (i - 1));
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function serialize<P extends Pick<Payment, "capturedMinor" | "refundedMinor" | "amountMinor" | "currency" | "provider">>(p: P) {
  // the row's Idempotency-Key is scoped to its caller (api_key:<id>:<key>): the guard's, not an answer's
  const { idempotencyKey: _key, ...shown } = p as P & { idempotencyKey?: string | null };
  return {
    ...shown,
    // the provider's name from its definition: the screens keep no list of providers
    providerName: getProvider(p.provider)?.name ?? p.provider,
    // the actions the screens offer, from the same definition (the API refuses the others with a 422)
    actions: paymentActions(p.provider),
    refundableMinor: Math.max(0, p.capturedMinor - p.refundedMinor),
    amount: formatMoney(p.amountMinor, p.currency),
  };
}

// Payment creation is the API's busiest write: it runs on node-postgres (a few statements, the
// audit entry inside the insert) instead of Prisma's ~1 ms of CPU per query. bench/payments.ts.
const PAYMENT_COLUMNS = `id, provider, integration_id as "integrationId", amount_minor as "amountMinor", currency, status,
  provider_status as "providerStatus", provider_payment_id as "providerPaymentId", provider_checkout_id as "providerCheckoutId",
  provider_capture_id as "providerCaptureId", payment_url as "paymentUrl", captured_minor as "capturedMinor",
  refunded_minor as "refundedMinor", description, customer_email as "customerEmail", application_id as "applicationId",
  metadata, error, idempotency_key as "idempotencyKey", created_by as "createdBy", history, succeeded_at as "succeededAt",
  created_at as "createdAt", updated_at as "updatedAt", subscription_id as "subscriptionId", invoice_id as "invoiceId",
  invoice_url as "invoiceUrl", invoice_pdf_url as "invoicePdfUrl"`;

async function paymentByKey(idempotencyKey: string): Promise<Payment | undefined> {
  const r = await pgPool().query<Payment>(`select ${PAYMENT_COLUMNS} from payments where idempotency_key = $1`, [idempotencyKey]);
  return r.rows[0];
}

/** The first result for a key already used: the same payment, or a conflict when the request differs. */
async function replay(existing: Payment, input: CreatePaymentInput) {
  if (existing.amountMinor !== input.amountMinor || existing.currency !== input.currency) {
    throw errors.conflict("This Idempotency-Key was used for a different payment", { paymentId: existing.id });
  }
  // a first attempt that never reached the provider is tried again (same provider key)
  if (existing.providerPaymentId || existing.providerCheckoutId || existing.status !== "failed") return { ...serialize(existing), replayed: true };
  return { ...(await sendToProvider(existing, input)), replayed: true };
}

/** `callerKey`: the caller's Idempotency-Key; the row keeps it scoped to the caller (lib/idempotency.ts). */
export async function createPayment(input: CreatePaymentInput, who: Who, callerKey?: string | null) {
  // a subscription is never made as a one-time payment: POST /payments sends it to
  // lib/payments/subscriptions.ts (createSubscriptionFromPayment), which refuses providers without them
  if (input.subscription) {
    throw errors.validation("A subscription is made through the subscriptions service", [{ path: "subscription", message: "Create it with POST /api/v1/payments/subscriptions" }]);
  }
  const idempotencyKey = scopedKey(who, callerKey);
  let row: Integration;
  try {
    row = await chooseIntegration(input);
  } catch (e) {
    // a retried request still gets its first result when the integration has changed since
    const existing = idempotencyKey ? await paymentByKey(idempotencyKey) : undefined;
    if (existing) return replay(existing, input);
    throw e;
  }
  const def = getProvider(row.provider)!;
  const id = randomUUID();
  const history = [entry("created", { source: "api", detail: `${formatMoney(input.amountMinor, input.currency)} via ${row.name}` })];
  const changes = { amountMinor: input.amountMinor, currency: input.currency, integration: row.code };
  // the row and its audit entry in one statement; a key already used inserts nothing
  const inserted = await pgPool().query<Payment>(
    `with p as (
       insert into payments (id, provider, integration_id, amount_minor, currency, description, customer_email, application_id,
                             metadata, idempotency_key, created_by, history)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       on conflict (idempotency_key) do nothing
       returning ${PAYMENT_COLUMNS}),
     a as (
       insert into audit_logs (actor_type, actor_id, actor_label, action, entity_type, entity_id, ip, user_agent, changes)
       select $13, $14, $15, 'payment.create', 'payment', p.id::text, $16, $17, $18 from p)
     select * from p`,
    [
      id, def.id, row.id, input.amountMinor, input.currency, input.description ?? null, input.customerEmail ?? null, input.applicationId ?? null,
      JSON.stringify(input.metadata ?? {}), idempotencyKey ?? null, label(who), JSON.stringify(history),
      who.actor.type, who.actor.id ?? null, who.actor.label ?? null, who.meta?.ip ?? null, who.meta?.userAgent?.slice(0, 300) ?? null, JSON.stringify(changes),
    ],
  );
  const payment = inserted.rows[0];
  if (!payment) {
    const existing = idempotencyKey ? await paymentByKey(idempotencyKey) : undefined;
    if (!existing) throw errors.conflict("The payment could not be stored: try again");
    return replay(existing, input);
  }
  return sendToProvider(payment, input);
}

async function sendToProvider(payment: Payment, input: CreatePaymentInput) {
  const row = payment.integrationId ? await cachedIntegration(payment.integrationId) : null;
  if (!row) throw errors.unprocessable("The payment's integration was deleted");
  const def = getProvider(row.provider)!;
  const ctx = buildContext(row, { related: { type: "payment", id: payment.id } });
  const base = publicBaseUrl();
  let result: ProviderPayment;
  try {
    result = await withRetries(() =>
      def.payments!.create(ctx, {
        id: payment.id,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        description: payment.description,
        customerEmail: payment.customerEmail,
        metadata: { ...((payment.metadata ?? {}) as Record<string, string>), ...(payment.applicationId ? { application_id: payment.applicationId } : {}) },
        returnUrl: input.returnUrl ?? defaultReturnUrl(def, payment.id, base),
        cancelUrl: input.cancelUrl ?? `${base}/payments/${payment.id}?canceled=1`,
        idempotencyKey: `sb-pay-${payment.id}`,
        // subscriptions go through lib/payments/subscriptions.ts (createPayment refuses them)
        subscription: null,
      }),
    );
  } catch (e) {
    const err = providerError(e);
    await pgPool().query(
      `update payments set status = 'failed', error = $2, history = history || $3::jsonb, updated_at = now() where id = $1`,
      [payment.id, err.message, JSON.stringify([entry("create_failed", { source: "api", error: err.message })])],
    );
    throw new ApiError(err.status, err.code, err.message, { ...(err.details as object), paymentId: payment.id }, err.headers);
  }
  const updated = await pgPool().query<Payment>(
    `update payments set provider_payment_id = $2, provider_checkout_id = $3, provider_capture_id = $4, payment_url = $5,
            status = $6::"PaymentStatus", provider_status = $7, error = null, history = history || $8::jsonb, updated_at = now()
      where id = $1
      returning ${PAYMENT_COLUMNS}`,
    [
      payment.id, result.providerPaymentId, result.providerCheckoutId ?? null, result.providerCaptureId ?? null, result.paymentUrl ?? null,
      result.status, result.providerStatus, JSON.stringify([entry("provider_created", { source: "api", status: result.status, detail: result.providerStatus })]),
    ],
  );
  if (!updated.rows[0]) throw errors.notFound("Payment");
  return { ...serialize(updated.rows[0]), integration: { name: row.name, code: row.code, mode: row.mode } };
}

// ───────────── following the provider ─────────────

/** A payment as its provider knows it: ours and the provider's ids. */
export function paymentRef(p: Pick<Payment, "id" | "providerPaymentId" | "providerCheckoutId" | "providerCaptureId">) {
  return { id: p.id, providerPaymentId: p.providerPaymentId, providerCheckoutId: p.providerCheckoutId, providerCaptureId: p.providerCaptureId };
}

/** Where an update came from, on the payment's timeline: the provider's event, a status check, the payer's return, the capture sweeper, the renewal scheduler, an API call. */
export type UpdateSource = "webhook" | "refresh" | "return" | "sweep" | "schedule" | "api";

type Locked = {
  id: string; status: PaymentStatus; captured_minor: number; refunded_minor: number; amount_minor: number; provider_status: string | null;
  provider: string; integration_id: string | null; currency: string; application_id: string | null; provider_payment_id: string | null;
  customer_email: string | null; description: string | null;
};

/**
 * Applies one provider update to its payment; returns false when no payment matches.
 * `onlyIfChanged`: an update that changes nothing (an automatic status check of a payment still
 * waiting for its payer) leaves the payment and its timeline as they are.
 * The money events it writes (payment.succeeded / failed / refunded) are delivered after the commit.
 */
export async function applyPaymentUpdate(
  integrationId: string | null,
  u: PaymentUpdate,
  source: UpdateSource,
  opts: { onlyIfChanged?: boolean } = {},
): Promise<boolean> {
  const r = await db.$transaction((tx) => applyIn(tx, integrationId, u, source, opts));
  if (r.events.length) await deliver(r.events);
  return r.found;
}

/**
 * applyPaymentUpdate inside the caller's transaction (a merchant API call stores its transaction
 * with it); its money events commit with the caller's transaction and the workers deliver them.
 */
export async function applyPaymentUpdateIn(
  tx: Prisma.TransactionClient,
  integrationId: string | null,
  u: PaymentUpdate,
  source: UpdateSource,
  opts: { onlyIfChanged?: boolean } = {},
): Promise<boolean> {
  return (await applyIn(tx, integrationId, u, source, opts)).found;
}

/**
 * The money events of one applied update, decided under the payment's row lock from what the row
 * was and what it becomes, so each real transition is announced once whichever path saw it first:
 * paid (the status reaches succeeded or beyond, once: statuses never go back), failed (the status
 * becomes failed), refunded (the refunded amount grows: a refund completed).
 */
function moneyEvents(p: Locked, next: { status: PaymentStatus; captured: number; refunded: number }, u: PaymentUpdate, source: UpdateSource) {
  const base = {
    paymentId: p.id,
    provider: p.provider,
    integrationId: p.integration_id,
    amountMinor: p.amount_minor,
    currency: p.currency,
    status: next.status,
    capturedMinor: next.captured,
    refundedMinor: next.refunded,
    applicationId: p.application_id,
    providerPaymentId: p.provider_payment_id ?? u.providerPaymentId ?? null,
    customerEmail: p.customer_email,
    description: p.description,
    source,
    providerEventId: u.eventId ?? null,
  };
  const out: PaymentEvent[] = [];
  const paid = rank("succeeded");
  if (rank(p.status) < paid && rank(next.status) >= paid) out.push({ ...base, type: PAYMENT_SUCCEEDED });
  if (next.status === "failed" && p.status !== "failed") out.push({ ...base, type: PAYMENT_FAILED, error: u.error ?? null });
  if (next.refunded > p.refunded_minor) out.push({ ...base, type: PAYMENT_REFUNDED, refundAmountMinor: next.refunded - p.refunded_minor });
  // checked against the contract: a subscriber reads exactly this shape
  return out.map((e) => {
    const { type, ...data } = paymentEvent.parse(e);
    return { type, integrationId: p.integration_id, data };
  });
}

async function applyIn(
  tx: Prisma.TransactionClient,
  integrationId: string | null,
  u: PaymentUpdate,
  source: UpdateSource,
  opts: { onlyIfChanged?: boolean },
): Promise<{ found: boolean; events: string[] }> {
  const idOk = u.paymentId && z.uuid().safeParse(u.paymentId).success;
  const rows = await tx.$queryRaw<Locked[]>`
    select id, status, captured_minor, refunded_minor, amount_minor, provider_status, provider, integration_id, currency,
           application_id, provider_payment_id, customer_email, description from payments
     where (${idOk ? u.paymentId : null}::uuid is not null and id = ${idOk ? u.paymentId : null}::uuid)
        or (${integrationId}::uuid is not null and integration_id = ${integrationId}::uuid and (
              (${u.providerPaymentId ?? null}::text is not null and provider_payment_id = ${u.providerPaymentId ?? null})
           or (${u.providerCheckoutId ?? null}::text is not null and provider_checkout_id = ${u.providerCheckoutId ?? null})
           or (${u.providerCaptureId ?? null}::text is not null and provider_capture_id = ${u.providerCaptureId ?? null})))
     limit 1
     for update`;
  const p = rows[0];
  if (!p) return { found: false, events: [] };
  const captured = Math.max(p.captured_minor, u.capturedMinor ?? (u.status === "succeeded" && !p.captured_minor ? p.amount_minor : 0));
  const refunded = Math.max(p.refunded_minor, u.refundedMinor ?? 0);
  const status = nextStatus(p.status, u.status, { captured, refunded });
  const changed = status !== p.status;
  // a late event (its status ranks below the payment's) leaves what the provider last said as it
  // is too, and so does a second word on a settled outcome (failed, then the same failure from
  // another path, or canceled: same rank): the first one stays. A pending payment's detail
  // still follows the provider (CREATED → APPROVED, which the capture sweep reads).
  const settledAlready = rank(u.status) === rank(p.status) && rank(p.status) >= rank("failed");
  const providerStatus = rank(u.status) < rank(p.status) || settledAlready ? p.provider_status : u.providerStatus;
  if (opts.onlyIfChanged && !changed && captured === p.captured_minor && refunded === p.refunded_minor && providerStatus === p.provider_status) return { found: true, events: [] };
  await tx.$executeRaw`
    update payments set
      status = ${status}::"PaymentStatus",
      provider_status = ${providerStatus},
      captured_minor = ${captured}, refunded_minor = ${refunded},
      provider_payment_id = coalesce(provider_payment_id, ${u.providerPaymentId ?? null}),
      provider_checkout_id = coalesce(provider_checkout_id, ${u.providerCheckoutId ?? null}),
      provider_capture_id = coalesce(${u.providerCaptureId ?? null}, provider_capture_id),
      error = case when ${status} = 'failed' then coalesce(${u.error ?? null}, error) when ${status} in ('succeeded', 'partially_refunded', 'refunded') then null else error end,
      succeeded_at = case when ${status} = 'succeeded' and succeeded_at is null then now() else succeeded_at end,
      history = history || ${JSON.stringify([
        entry(u.status, {
          source,
          status: u.status,
          detail: u.providerStatus,
          applied: changed,
          ...(u.eventId ? { eventId: u.eventId } : {}),
          ...(u.error ? { error: u.error } : {}),
          ...(!changed && u.status !== p.status ? { note: `kept ${p.status}: a late or repeated event does not move a payment back` } : {}),
        }),
      ])}::jsonb,
      updated_at = now()
    where id = ${p.id}::uuid`;
  // in the same transaction as the change (the outbox): announced exactly when the change commits
  const events = await emit(tx, moneyEvents(p, { status, captured, refunded }, u, source));
  return { found: true, events };
}

export async function applyRefundUpdate(integrationId: string | null, u: RefundUpdate): Promise<boolean> {
  const refund = await db.refund.findFirst({ where: { providerRefundId: u.providerRefundId } });
  if (!refund) return false;
  if (refund.status !== "succeeded" && u.status !== "pending") {
    await db.refund.update({ where: { id: refund.id }, data: { status: u.status } });
    if (u.status === "succeeded") await syncRefunded(refund.paymentId, "webhook");
  }
  return true;
}

/** refunded_minor = max(what the provider reported, what our succeeded refunds add up to) */
async function syncRefunded(paymentId: string, source: "webhook" | "refresh" | "api") {
  const sum = await db.refund.aggregate({ where: { paymentId, status: "succeeded" }, _sum: { amountMinor: true } });
  const p = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
  const refunded = Math.max(p.refundedMinor, sum._sum.amountMinor ?? 0);
  if (refunded !== p.refundedMinor) {
    await applyPaymentUpdate(null, { paymentId, status: refunded >= p.capturedMinor ? "refunded" : "partially_refunded", providerStatus: "refund", refundedMinor: refunded }, source);
  }
}

/** GET …?refresh=1: ask the provider now. `automatic`: a check nobody asked for (nothing recorded when nothing changed). */
export async function refreshPayment(id: string, opts: { automatic?: boolean; source?: UpdateSource } = {}) {
  const p = await db.payment.findUnique({ where: { id } });
  if (!p) throw errors.notFound("Payment");
  const row = p.integrationId ? await db.integration.findUnique({ where: { id: p.integrationId } }) : null;
  if (!row) throw errors.unprocessable("The payment's integration was deleted");
  const def = getProvider(row.provider)!;
  const refusal = def.payments ? paymentActions(row.provider).checkStatus.reason : null;
  if (refusal) throw errors.unprocessable(refusal);
  if (!p.providerPaymentId && !p.providerCheckoutId) throw errors.unprocessable("The payment never reached the provider");
  let r: ProviderPayment;
  try {
    r = await def.payments!.retrieve(buildContext(row, { related: { type: "payment", id } }), paymentRef(p));
  } catch (e) {
    throw providerError(e);
  }
  const source = opts.source ?? "refresh";
  await applyPaymentUpdate(row.id, { paymentId: p.id, ...r, providerPaymentId: r.providerPaymentId ?? p.providerPaymentId }, source, {
    onlyIfChanged: opts.automatic,
  });
  if (r.paymentUrl && !p.paymentUrl) await db.payment.update({ where: { id }, data: { paymentUrl: r.paymentUrl } });
  // the payer has acted and the next step is ours (a PayPal order approved): take it now
  if (r.due) await takeStep(id, r.due, source);
  return r;
}

const OPEN: readonly PaymentStatus[] = ["pending", "requires_action"];

/**
 * A payment still open whose provider has said nothing for PAYMENT_STATUS_CHECK_SECONDS (a lost
 * or refused notification) is checked with the provider, as "Check status" does, when someone
 * reads it: the return page and an open payment page settle by themselves. At most one check per
 * payment per wait, whichever process or tab asks; a failed check is logged and the payment is
 * read as it is.
 */
export async function checkIfOverdue(id: string): Promise<void> {
  if (!z.uuid().safeParse(id).success) return;
  const waitSeconds = env().PAYMENT_STATUS_CHECK_SECONDS;
  const p = await db.payment.findUnique({ where: { id }, select: { status: true, updatedAt: true, providerPaymentId: true, providerCheckoutId: true, integrationId: true } });
  if (!p || !OPEN.includes(p.status) || !p.integrationId || (!p.providerPaymentId && !p.providerCheckoutId)) return;
  if (Date.now() - p.updatedAt.getTime() < waitSeconds * 1000) return;
  const room = await consume("payment-status-check", id, 1, Math.max(1, Math.ceil(waitSeconds)));
  if (!room.allowed) return;
  try {
    await refreshPayment(id, { automatic: true });
  } catch (e) {
    logger.warn({ paymentId: id, err: (e as Error).message }, "automatic payment status check failed");
  }
}

// ───────────── the step after the payer's action that is ours (issue 18: no missed capture) ─────────────
// A PayPal order the payer approved is captured by whichever path sees the approval first: the
// CHECKOUT.ORDER.APPROVED webhook (bindings.ts), the payer's return to our return URL, a status
// check (refreshPayment, GET …/status), the workers' sweeper and the seed's paypal/execute
// (lib/payments/capture.ts). All of them come here: under a lock on the payment, an open
// payment's step is taken through the provider's capture (its idempotency key derived from
// the provider's id, so paths in other processes that race send the same key and the provider
// captures once), and the answer is applied like any other update (never backwards).

/**
 * Where the payer comes back when the client gave no return URL: the payment's page, through
 * the return route (app/api/payments/[id]/return) first when a step after the payer's is ours.
 */
function defaultReturnUrl(def: { payments?: { capture?: unknown } }, id: string, base: string) {
  return def.payments?.capture ? `${base}/api/payments/${id}/return` : `${base}/payments/${id}?returned=1`;
}

/**
 * Takes the step that is ours for one payment (`capture`) under its lock; the provider's view
 * after it, or null when there was nothing to take (the payment already settled by another
 * path). Provider failures are thrown as API errors (502 retryable, 422 refused).
 */
export async function takeStep(id: string, step: PaymentStep, source: UpdateSource): Promise<ProviderPayment | null> {
  return withAdvisoryLock(`payments.${step}:${id}`, async () => {
    // read under the lock: a path that waited here finds what the one before it did
    const p = await db.payment.findUnique({ where: { id } });
    if (!p) throw errors.notFound("Payment");
    if (!OPEN.includes(p.status)) return null;
    const row = p.integrationId ? await db.integration.findUnique({ where: { id: p.integrationId } }) : null;
    if (!row) throw errors.unprocessable("The payment's integration was deleted");
    const def = getProvider(row.provider)!;
    if (!def.payments?.[step]) throw errors.unprocessable(`${def.name} payments have no ${step} step: the provider settles them itself`);
    let r: ProviderPayment;
    try {
      r = await def.payments[step](buildContext(row, { related: { type: "payment", id } }), paymentRef(p));
    } catch (e) {
      throw providerError(e);
    }
    // an order not approved yet changes nothing and leaves no mark on the timeline
    await applyPaymentUpdate(row.id, { paymentId: p.id, ...r, providerPaymentId: r.providerPaymentId ?? p.providerPaymentId }, source, { onlyIfChanged: true });
    return r;
  });
}

/** A provider event said the payer has acted (`u.due`): the payment it names takes its step. */
export async function takeDueStep(integrationId: string | null, u: PaymentUpdate, source: UpdateSource): Promise<void> {
  if (!u.due) return;
  const idOk = !!u.paymentId && z.uuid().safeParse(u.paymentId).success;
  const [p] = await db.$queryRaw<{ id: string }[]>`
    select id from payments
     where (${idOk ? u.paymentId : null}::uuid is not null and id = ${idOk ? u.paymentId : null}::uuid)
        or (${integrationId}::uuid is not null and integration_id = ${integrationId}::uuid
            and ${u.providerPaymentId ?? null}::text is not null and provider_payment_id = ${u.providerPaymentId ?? null})
     limit 1`;
  if (p) await takeStep(p.id, u.due, source);
}

// ───────────── refunds ─────────────

/** `callerKey`: the caller's Idempotency-Key; the row keeps it scoped to the caller (lib/idempotency.ts). */
export async function refundPayment(id: string, input: z.output<typeof refundInput>, who: Who, callerKey?: string | null) {
  const idempotencyKey = scopedKey(who, callerKey);
  if (idempotencyKey) {
    const existing = await db.refund.findUnique({ where: { idempotencyKey } });
    if (existing) {
      if (existing.paymentId !== id) throw errors.conflict("This Idempotency-Key was used for another refund");
      const { idempotencyKey: _key, ...shown } = existing;
      return { refund: shown, payment: await getPayment(id), replayed: true };
    }
  }
  // a provider Switchboard cannot refund through (Payme, Click: their own cabinets do it) is
  // refused before anything is written
  const owner = z.uuid().safeParse(id).success ? await db.payment.findUnique({ where: { id }, select: { provider: true } }) : null;
  const refusal = owner && getProvider(owner.provider)?.payments ? paymentActions(owner.provider).refund.reason : null;
  if (refusal) throw errors.unprocessable(refusal);
  // the check and the pending refund row in one transaction: two refunds at once cannot both pass
  const refund = await db.$transaction(async (tx) => {
    const [p] = await tx.$queryRaw<(Locked & { currency: string; provider_payment_id: string | null })[]>`
      select id, status, captured_minor, refunded_minor, amount_minor, currency, provider_payment_id from payments where id = ${id}::uuid for update`;
    if (!p) throw errors.notFound("Payment");
    if (!["succeeded", "partially_refunded"].includes(p.status)) throw errors.unprocessable(`Only a succeeded payment can be refunded (this one is ${p.status})`);
    const inFlight = await tx.refund.aggregate({ where: { paymentId: id, status: { in: ["pending", "succeeded"] } }, _sum: { amountMinor: true } });
    const already = Math.max(p.refunded_minor, inFlight._sum.amountMinor ?? 0);
    const remaining = p.captured_minor - already;
    const amount = input.amountMinor ?? remaining;
    if (remaining <= 0) throw errors.unprocessable("Nothing is left to refund", { remainingMinor: 0 });
    if (amount > remaining) {
      throw errors.unprocessable(`At most ${formatMoney(remaining, p.currency)} can be refunded`, { remainingMinor: remaining, requestedMinor: amount });
    }
    return tx.refund.create({
      data: { id: randomUUID(), paymentId: id, amountMinor: amount, currency: p.currency, reason: input.reason ?? null, idempotencyKey: idempotencyKey ?? null, createdBy: label(who) },
    });
  });
  const p = await db.payment.findUniqueOrThrow({ where: { id } });
  const row = p.integrationId ? await db.integration.findUnique({ where: { id: p.integrationId } }) : null;
  if (!row) throw errors.unprocessable("The payment's integration was deleted");
  const def = getProvider(row.provider)!;
  try {
    const r = await withRetries(() =>
      def.payments!.refund(buildContext(row, { related: { type: "payment", id } }), {
        refundId: refund.id,
        amountMinor: refund.amountMinor,
        currency: refund.currency,
        reason: refund.reason,
        idempotencyKey: `sb-refund-${refund.id}`,
        payment: { id, providerPaymentId: p.providerPaymentId, providerCheckoutId: p.providerCheckoutId, providerCaptureId: p.providerCaptureId },
      }),
    );
    await db.refund.update({ where: { id: refund.id }, data: { providerRefundId: r.providerRefundId, status: r.status, error: r.error ?? null } });
  } catch (e) {
    const err = providerError(e);
    await db.refund.update({ where: { id: refund.id }, data: { status: "failed", error: err.message } });
    await audit(who.actor, "payment.refund_failed", "payment", id, { refundId: refund.id, amountMinor: refund.amountMinor, currency: refund.currency, error: err.message }, who.meta);
    throw err;
  }
  await db.$executeRaw`update payments set history = history || ${JSON.stringify([entry("refund_requested", { source: "api", detail: `${formatMoney(refund.amountMinor, refund.currency)} by ${label(who)}`, refundId: refund.id })])}::jsonb where id = ${id}::uuid`;
  await syncRefunded(id, "api");
  await audit(who.actor, "payment.refund", "payment", id, { refundId: refund.id, amountMinor: refund.amountMinor, currency: refund.currency, reason: refund.reason }, who.meta);
  return { refund: await db.refund.findUniqueOrThrow({ where: { id: refund.id }, omit: { idempotencyKey: true } }), payment: await getPayment(id) };
}

// ───────────── reading ─────────────

const filters = {
  status: z.enum(PAYMENT_STATUSES as [PaymentStatus, ...PaymentStatus[]]).optional(),
  provider: z.string().trim().max(40).optional(),
  integrationId: z.uuid().optional(),
  currency: z.string().trim().toUpperCase().length(3).optional(),
  applicationId: z.uuid().optional(),
  email: z.string().trim().max(254).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
};
export const listPaymentsQuery = z.strictObject({ ...filters, limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(100).optional() });
export const paymentStatsQuery = z.strictObject({ ...filters, status: z.undefined().optional(), days: z.coerce.number().int().min(1).max(366).default(30) });

type Filters = { [K in keyof typeof filters]?: z.output<(typeof filters)[K]> };

function where(f: Filters): Prisma.PaymentWhereInput {
  return {
    status: f.status,
    provider: f.provider || undefined,
    integrationId: f.integrationId,
    currency: f.currency,
    applicationId: f.applicationId,
    customerEmail: f.email ? { contains: f.email.toLowerCase(), mode: "insensitive" } : undefined,
    createdAt: f.from || f.until ? { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.until ? { lt: new Date(f.until) } : {}) } : undefined,
  };
}

export async function listPayments(q: z.output<typeof listPaymentsQuery>) {
  const base = where(q);
  const c = q.cursor ? decodeCursor(q.cursor) : null;
  const rows = await db.payment.findMany({
    where: c ? { AND: [base, { OR: [{ createdAt: { lt: c.at } }, { createdAt: c.at, id: { lt: c.id } }] }] } : base,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    include: { integration: { select: { name: true, code: true, mode: true } } },
    omit: { history: true },
  });
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map((r) => serialize(r));
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null };
}

export async function getPayment(id: string) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Payment");
  const p = await db.payment.findUnique({
    where: { id },
    include: { integration: { select: { name: true, code: true, mode: true, provider: true } }, refunds: { orderBy: { createdAt: "asc" }, omit: { idempotencyKey: true } } },
  });
  if (!p) throw errors.notFound("Payment");
  const logs = await db.integrationLog.findMany({
    where: { relatedType: "payment", relatedId: id },
    orderBy: { createdAt: "asc" },
    take: 100,
    select: { id: true, createdAt: true, action: true, method: true, url: true, statusCode: true, durationMs: true, status: true, error: true },
  });
  // notifications about it that were refused (a wrong signature, an address not allowed): why it may never confirm
  const refused = p.integrationId ? await rejectedDeliveriesAbout(p.integrationId, [p.providerPaymentId, p.providerCheckoutId, p.providerCaptureId]) : [];
  const history = [
    ...((p.history as Record<string, unknown>[] | null) ?? []),
    ...refused.map((r) => ({
      at: r.receivedAt.toISOString(),
      event: "notification_rejected",
      source: "webhook",
      detail: r.sourceIp ? `A notification from ${r.sourceIp} was refused and not used` : "A notification was refused and not used",
      error: r.reason ?? "rejected",
      webhookEventId: r.id,
    })),
  ];
  return { ...serialize(p), history, logs: logs.map((l) => ({ ...l, id: String(l.id) })) };
}

/** Totals by status and currency, and revenue (captured − refunded) by day and currency. */
export async function paymentStats(q: z.output<typeof paymentStatsQuery>) {
  const until = q.until ? new Date(q.until) : new Date();
  const from = q.from ? new Date(q.from) : new Date(until.getTime() - q.days * 86_400_000);
  const base = where({ ...q, from: from.toISOString(), until: until.toISOString() });
  const totals = await db.payment.groupBy({ by: ["status", "currency"], where: base, _count: { _all: true }, _sum: { amountMinor: true } });
  const revenue = await pgPool().query<{ day: Date; currency: string; net: string; count: string }>(
    `select date_trunc('day', coalesce(succeeded_at, created_at)) as day, currency,
            sum(captured_minor - refunded_minor) as net, count(*) as count
       from payments
      where status in ('succeeded', 'partially_refunded', 'refunded') and coalesce(succeeded_at, created_at) >= $1 and coalesce(succeeded_at, created_at) < $2
        and ($3::text is null or provider = $3) and ($4::text is null or currency = $4)
      group by 1, 2 order by 1`,
    [from, until, q.provider ?? null, q.currency ?? null],
  );
  return {
    from,
    until,
    totals: totals.map((t) => ({ status: t.status, currency: t.currency, count: t._count._all, amountMinor: t._sum.amountMinor ?? 0 })),
    revenue: revenue.rows.map((r) => ({ day: r.day.toISOString().slice(0, 10), currency: r.currency, netMinor: Number(r.net), count: Number(r.count) })),
  };
}

export function logUnmatched(kind: string, detail: unknown) {
  logger.warn({ kind, detail }, "payment event for an unknown payment");
}
