// Subscriptions (issue 18, items 1 and 7): one model for every provider's recurring payments.
// A provider either bills each period itself and reports it (Stripe invoices, PayPal billing
// plans: billing "provider"), or saves the payer's method and is charged by Switchboard's own
// scheduler on each due date (YooKassa: billing "merchant", lib/payments/renewals.ts).
//
// Every path that moves a subscription goes through applySubscriptionUpdate (webhooks, status
// checks, the API's cancel and resume, the scheduler): under the subscription's row lock
//   - its status moves only along the declared transitions
//       incomplete → active | incomplete_expired;  active ⇄ past_due;  active | past_due → canceled
//     (canceled and incomplete_expired are final). A provider's word that implies steps between
//     (incomplete, then "past_due": it was active first) is applied as those steps; one that
//     goes backwards, or is older than the word behind the current status, moves nothing;
//   - cancel at period end is a flag (resume clears it until the subscription is canceled);
//   - each provider event is applied once (its id is kept), each charge is recorded once as a
//     payment linked to the subscription (once per provider payment id), its status moved
//     through the payments service (applyPaymentUpdateIn) so payment.succeeded / failed fire;
//   - the durable events subscription.activated / renewed / past_due / canceled are written in
//     the same transaction (lib/events emit) and delivered after the commit. A failed renewal
//     (past_due) raises an alert: the alerts area subscribes to subscription.past_due.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Prisma, type Integration, type Subscription } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { errors, ApiError } from "@/lib/errors";
import { audit, type Who } from "@/lib/audit";
import { scopedKey } from "@/lib/idempotency";
import { decodeCursor, encodeCursor } from "@/lib/cursor";
import { publicBaseUrl } from "@/lib/urls";
import { formatMoney } from "@/lib/money";
import { emit, deliver } from "@/lib/events";
import { getProvider } from "@/lib/providers/registry";
import { activeIntegrations, cachedIntegration } from "@/lib/integrations/cache";
import { buildContext } from "@/lib/integrations/service";
import type {
  PaymentStatus,
  ProviderSubscription,
  SubscriptionCharge as ProviderCharge,
  SubscriptionRef,
  SubscriptionStatus,
  SubscriptionUpdate,
  SubscriptionsSpec,
} from "@/lib/providers/types";
import { applyPaymentUpdateIn, chooseIntegration, providerError } from "@/lib/payments/service";
import {
  SUBSCRIPTION_ACTIVATED,
  SUBSCRIPTION_CANCELED,
  SUBSCRIPTION_PAST_DUE,
  SUBSCRIPTION_RENEWED,
  subscriptionEvent,
  type CancelSubscriptionInput,
  type CreateSubscriptionInput,
  type ListSubscriptionsQuery,
  type PaymentAction,
  type SubscriptionEvent,
} from "@/lib/payments/contract";

/** Where an update came from, on the subscription's timeline. */
export type SubscriptionSource = "webhook" | "refresh" | "schedule" | "api" | "return";

const label = (w: Who) => w.actor.label ?? w.actor.type;
const entry = (event: string, extra: Record<string, unknown> = {}) => ({ at: new Date().toISOString(), event, ...extra });

// ───────────── transitions ─────────────

/** The declared transitions (lib/providers/types.ts): canceled and incomplete_expired are final. */
export const SUBSCRIPTION_TRANSITIONS: Readonly<Record<SubscriptionStatus, readonly SubscriptionStatus[]>> = {
  incomplete: ["active", "incomplete_expired"],
  active: ["past_due", "canceled"],
  past_due: ["active", "canceled"],
  canceled: [],
  incomplete_expired: [],
};

/**
 * The steps from `from` to `to` along the declared transitions (shortest; [] when equal), or
 * null when `to` cannot be reached (backwards, or from a final status).
 */
export function transitionPath(from: SubscriptionStatus, to: SubscriptionStatus): SubscriptionStatus[] | null {
  if (from === to) return [];
  const seen = new Set<SubscriptionStatus>([from]);
  let frontier: SubscriptionStatus[][] = [[]];
  let heads: SubscriptionStatus[] = [from];
  while (heads.length) {
    const nextHeads: SubscriptionStatus[] = [];
    const nextFrontier: SubscriptionStatus[][] = [];
    for (let i = 0; i < heads.length; i++) {
      for (const n of SUBSCRIPTION_TRANSITIONS[heads[i]]) {
        if (seen.has(n)) continue;
        const path = [...frontier[i], n];
        if (n === to) return path;
        seen.add(n);
        nextHeads.push(n);
        nextFrontier.push(path);
      }
    }
    heads = nextHeads;
    frontier = nextFrontier;
  }
  return null;
}

const FINAL: readonly SubscriptionStatus[] = ["canceled", "incomplete_expired"];

// ───────────── what can be done with one ─────────────

function specOf(provider: string): SubscriptionsSpec | undefined {
  return getProvider(provider)?.payments?.subscriptions as SubscriptionsSpec | undefined;
}

/** Cancel and resume: available or not, and why not (the API's 422 says the same). */
export function subscriptionActions(s: Pick<Subscription, "provider" | "status" | "cancelAtPeriodEnd">): { cancel: PaymentAction; resume: PaymentAction } {
  const spec = specOf(s.provider);
  const name = getProvider(s.provider)?.name ?? s.provider;
  const no = (reason: string) => ({ available: false, reason });
  const yes = { available: true, reason: null };
  const ended = s.status === "canceled" ? "The subscription is already canceled" : s.status === "incomplete_expired" ? "The subscription expired before it was paid" : null;
  const cancel = !spec ? no(`${name} has no subscriptions in Switchboard`) : ended ? no(ended) : yes;
  const resume = !spec
    ? no(`${name} has no subscriptions in Switchboard`)
    : ended
      ? no(ended)
      : !s.cancelAtPeriodEnd
        ? no("Only a subscription set to cancel at the end of its period can be resumed")
        : !spec.resume
          ? no(`${name} cannot undo a cancellation`)
          : yes;
  return { cancel, resume };
}

function serialize<S extends Subscription>(s: S) {
  // the saved payment method stays server-side (it charges the payer), like the guards' columns
  const { idempotencyKey: _k, appliedEvents: _e, statusEventAt: _t, history: _h, paymentMethodId: _m, ...shown } = s;
  return {
    ...shown,
    interval: s.interval as "day" | "week" | "month" | "year",
    metadata: (s.metadata ?? {}) as Record<string, unknown>,
    providerName: getProvider(s.provider)?.name ?? s.provider,
    billing: specOf(s.provider)?.billing ?? "provider",
    amount: formatMoney(s.amountMinor, s.currency),
    actions: subscriptionActions(s),
  };
}

/** Our ids and the provider's, with its first charge's hosted page and its newest charge. */
export async function subscriptionRef(s: Pick<Subscription, "id" | "providerSubscriptionId" | "providerCustomerId" | "providerPlanId" | "paymentMethodId">): Promise<SubscriptionRef> {
  const first = await db.payment.findFirst({ where: { subscriptionId: s.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { providerCheckoutId: true } });
  const last = await db.payment.findFirst({ where: { subscriptionId: s.id, providerPaymentId: { not: null } }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { providerPaymentId: true } });
  return {
    id: s.id,
    providerSubscriptionId: s.providerSubscriptionId,
    providerCustomerId: s.providerCustomerId,
    providerPlanId: s.providerPlanId,
    paymentMethodId: s.paymentMethodId,
    providerCheckoutId: first?.providerCheckoutId ?? null,
    lastProviderPaymentId: last?.providerPaymentId ?? null,
  };
}

// ───────────── create ─────────────

/** Which field chose the integration, for the 400 that names it. */
const chosenBy = (input: { integrationId?: string; provider?: string }) => (input.integrationId ? "integrationId" : "provider");

async function subscriptionIntegration(input: CreateSubscriptionInput): Promise<{ row: Integration; spec: SubscriptionsSpec }> {
  if (input.integrationId || input.provider) {
    const row = await chooseIntegration(input);
    const spec = specOf(row.provider);
    const name = getProvider(row.provider)?.name ?? row.provider;
    if (!spec) {
      // never a one-time charge in its place
      throw errors.validation(`${name} has no subscriptions in Switchboard`, [{ path: chosenBy(input), message: `${name} cannot take recurring payments: choose Stripe or another provider with subscriptions` }]);
    }
    return { row, spec };
  }
  const all = (await activeIntegrations()).filter((r) => !!specOf(r.provider));
  const takes = (r: Integration) => {
    const own = (r.config as { currencies?: string[] }).currencies;
    const cur = getProvider(r.provider)!.payments!.currencies;
    return own?.length ? own.map((c) => c.toUpperCase()).includes(input.currency) : !cur || cur.includes(input.currency);
  };
  const row = all.find(takes);
  if (!row) throw errors.unprocessable(`No payment integration with subscriptions takes ${input.currency}: add one (Stripe, PayPal, YooKassa) or set its currencies`);
  return { row, spec: specOf(row.provider)! };
}

async function replay(existing: Subscription, input: CreateSubscriptionInput) {
  if (existing.amountMinor !== input.amountMinor || existing.currency !== input.currency || existing.interval !== input.interval || existing.intervalCount !== input.intervalCount) {
    throw errors.conflict("This Idempotency-Key was used for a different subscription", { subscriptionId: existing.id });
  }
  return { ...serialize(existing), history: historyOf(existing), replayed: true as const };
}

const historyOf = (s: Pick<Subscription, "history">) => ((s.history as Record<string, unknown>[] | null) ?? []) as { at: string; event: string }[];

/**
 * POST /payments/subscriptions: the subscription, its first charge (a payment row) and the
 * provider's page where the payer approves it. A provider without subscriptions is a 400
 * naming the field that chose it. `callerKey`: the caller's Idempotency-Key.
 */
export async function createSubscription(input: CreateSubscriptionInput, who: Who, callerKey?: string | null) {
  const idempotencyKey = scopedKey(who, callerKey);
  if (idempotencyKey) {
    const existing = await db.subscription.findUnique({ where: { idempotencyKey } });
    if (existing) return replay(existing, input);
  }
  const { row, spec } = await subscriptionIntegration(input);
  const def = getProvider(row.provider)!;
  if (!spec.intervals.includes(input.interval)) {
    throw errors.validation(`${def.name} subscriptions are billed by ${spec.intervals.join(", ")}`, [{ path: "interval", message: `${def.name} cannot bill by ${input.interval}` }]);
  }
  const id = randomUUID();
  const paymentId = randomUUID();
  const money = formatMoney(input.amountMinor, input.currency);
  const every = input.intervalCount === 1 ? input.interval : `${input.intervalCount} ${input.interval}s`;
  try {
    await db.$transaction(async (tx) => {
      await tx.subscription.create({
        data: {
          id,
          provider: def.id,
          integrationId: row.id,
          plan: input.plan,
          amountMinor: input.amountMinor,
          currency: input.currency,
          interval: input.interval,
          intervalCount: input.intervalCount,
          customerEmail: input.customerEmail ?? null,
          description: input.description ?? null,
          applicationId: input.applicationId ?? null,
          metadata: input.metadata ?? {},
          idempotencyKey: idempotencyKey ?? null,
          createdBy: label(who),
          history: [entry("created", { source: "api", status: "incomplete", detail: `${input.plan}: ${money} every ${every} via ${row.name}` })],
        },
      });
      // the first charge, as a payment the payer's approval pays
      await tx.payment.create({
        data: {
          id: paymentId,
          provider: def.id,
          integrationId: row.id,
          amountMinor: input.amountMinor,
          currency: input.currency,
          description: input.description ?? input.plan,
          customerEmail: input.customerEmail ?? null,
          applicationId: input.applicationId ?? null,
          metadata: input.metadata ?? {},
          createdBy: label(who),
          subscriptionId: id,
          history: [entry("created", { source: "api", detail: `The first charge of the subscription ${input.plan} (${money} every ${every})` })],
        },
      });
    });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002" && idempotencyKey) {
      const existing = await db.subscription.findUnique({ where: { idempotencyKey } });
      if (existing) return replay(existing, input);
    }
    throw e;
  }
  await audit(who.actor, "subscription.create", "subscription", id, { plan: input.plan, amountMinor: input.amountMinor, currency: input.currency, interval: input.interval, intervalCount: input.intervalCount, integration: row.code }, who.meta);
  const base = publicBaseUrl();
  let r: ProviderSubscription;
  try {
    r = await spec.create(buildContext(row, { related: { type: "subscription", id } }), {
      id,
      paymentId,
      plan: input.plan,
      amountMinor: input.amountMinor,
      currency: input.currency,
      interval: input.interval,
      intervalCount: input.intervalCount,
      description: input.description ?? null,
      customerEmail: input.customerEmail ?? null,
      metadata: { ...(input.metadata ?? {}), ...(input.applicationId ? { application_id: input.applicationId } : {}) },
      returnUrl: input.returnUrl ?? `${base}/payments/subscriptions/${id}?returned=1`,
      cancelUrl: input.cancelUrl ?? `${base}/payments/subscriptions/${id}?canceled=1`,
      idempotencyKey: `sb-sub-${id}`,
    });
  } catch (e) {
    const err = providerError(e);
    await db.$transaction(async (tx) => {
      await tx.$executeRaw`update subscriptions set status = 'incomplete_expired', history = history || ${JSON.stringify([entry("create_failed", { source: "api", status: "incomplete_expired", error: err.message })])}::jsonb, updated_at = now() where id = ${id}::uuid`;
      await applyPaymentUpdateIn(tx, row.id, { paymentId, status: "failed", providerStatus: "create_failed", error: err.message }, "api");
    });
    throw new ApiError(err.status, err.code, err.message, { ...(err.details as object), subscriptionId: id }, err.headers);
  }
  const first = r.firstPayment ?? null;
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`
      update payments set provider_payment_id = coalesce(provider_payment_id, ${first?.providerPaymentId ?? null}),
             provider_checkout_id = coalesce(provider_checkout_id, ${first?.providerCheckoutId ?? null}),
             payment_url = coalesce(${first?.paymentUrl ?? r.paymentUrl ?? null}, payment_url),
             provider_status = coalesce(${first?.providerStatus ?? null}, provider_status), updated_at = now()
       where id = ${paymentId}::uuid`;
    await tx.$executeRaw`
      update subscriptions set provider_subscription_id = coalesce(provider_subscription_id, ${r.providerSubscriptionId}),
             provider_customer_id = coalesce(provider_customer_id, ${r.providerCustomerId ?? null}),
             provider_plan_id = coalesce(provider_plan_id, ${r.providerPlanId ?? null}),
             payment_method_id = coalesce(payment_method_id, ${r.paymentMethodId ?? null}),
             payment_url = ${r.paymentUrl ?? null}, provider_status = ${r.providerStatus},
             history = history || ${JSON.stringify([entry("provider_created", { source: "api", status: r.status, detail: r.providerStatus })])}::jsonb, updated_at = now()
       where id = ${id}::uuid`;
  });
  // a creation that is already further along (a saved method charged at once) is applied like any other word
  if (r.status !== "incomplete" || (first && first.status !== "pending")) {
    await applySubscriptionUpdate(row.id, { subscriptionId: id, ...r, charge: null }, "api");
    if (first && first.status !== "pending") {
      await db.$transaction((tx) => applyPaymentUpdateIn(tx, row.id, { paymentId, ...first, providerPaymentId: first.providerPaymentId }, "api"));
    }
  }
  const s = await db.subscription.findUniqueOrThrow({ where: { id } });
  return { ...serialize(s), history: historyOf(s), integration: { name: row.name, code: row.code, mode: row.mode } };
}

/**
 * POST /payments with `subscription` (the older way to ask for one): made through
 * createSubscription, the same rule for a provider without subscriptions (400 naming the field);
 * the answer is the subscription's first charge, as POST /payments answers a payment.
 */
export async function createSubscriptionFromPayment(
  input: { amountMinor: number; currency: string; provider?: string; integrationId?: string; description?: string; customerEmail?: string; applicationId?: string; metadata?: Record<string, string>; returnUrl?: string; cancelUrl?: string; subscription: { interval: "day" | "week" | "month" | "year" } },
  who: Who,
  callerKey?: string | null,
) {
  const { subscription, ...rest } = input;
  const s = await createSubscription({ ...rest, plan: input.description || "Subscription", interval: subscription.interval, intervalCount: 1 }, who, callerKey);
  const first = await db.payment.findFirst({ where: { subscriptionId: s.id }, orderBy: { createdAt: "asc" }, select: { id: true } });
  return { paymentId: first!.id, replayed: "replayed" in s };
}

// ───────────── applying the provider's word (every path) ─────────────

type Locked = Subscription;

/**
 * Applies one update to its subscription (found by our id, or the provider's within the
 * integration); false when none matches. See the top of this file for what holds.
 */
export async function applySubscriptionUpdate(integrationId: string | null, u: SubscriptionUpdate, source: SubscriptionSource): Promise<boolean> {
  const r = await db.$transaction((tx) => applySubscriptionUpdateIn(tx, integrationId, u, source));
  if (r.events.length) await deliver(r.events);
  return r.found;
}

/** applySubscriptionUpdate inside the caller's transaction: the events commit with it (deliver the ids after the commit). */
export async function applySubscriptionUpdateIn(
  tx: Prisma.TransactionClient,
  integrationId: string | null,
  u: SubscriptionUpdate,
  source: SubscriptionSource,
): Promise<{ found: boolean; events: string[] }> {
  const idOk = !!u.subscriptionId && z.uuid().safeParse(u.subscriptionId).success;
  const found = await tx.$queryRaw<{ id: string }[]>`
    select id from subscriptions
     where (${idOk ? u.subscriptionId : null}::uuid is not null and id = ${idOk ? u.subscriptionId : null}::uuid)
        or (${integrationId}::uuid is not null and integration_id = ${integrationId}::uuid
            and ${u.providerSubscriptionId ?? null}::text is not null and provider_subscription_id = ${u.providerSubscriptionId ?? null})
     order by (id = ${idOk ? u.subscriptionId : null}::uuid) desc nulls last
     limit 1
     for update`;
  if (!found[0]) return { found: false, events: [] };
  const s = (await tx.subscription.findUniqueOrThrow({ where: { id: found[0].id } })) as Locked;
  const steps: Record<string, unknown>[] = [];
  const out: SubscriptionEvent[] = [];
  // each provider event once
  if (u.eventId && s.appliedEvents.includes(u.eventId)) return { found: true, events: [] };
  const at = u.occurredAt ? new Date(u.occurredAt) : new Date();

  // ── the charge: one payment per provider payment id ──
  let status = s.status;
  let failedCharges = s.failedCharges;
  let charged: { paymentId: string; became: PaymentStatus | null; renewal: boolean; charge: ProviderCharge } | null = null;
  if (u.charge) charged = await recordCharge(tx, s, u.charge, u, source);
  if (charged?.became === "succeeded") failedCharges = 0;
  if (charged?.became === "failed") failedCharges += 1;

  // ── the status: along the declared transitions, never back to an older word ──
  let want: SubscriptionStatus | undefined = u.status;
  // a paid charge makes it active, a failed renewal past_due, whatever the status said
  if (!want && charged?.became === "succeeded") want = "active";
  if (!want && charged?.became === "failed" && charged.renewal) want = "past_due";
  // older than the provider's word behind the current status (to the second: Stripe dates its
  // events in seconds, so two words of the same second are not ordered and both apply)
  const older = !!u.occurredAt && !!s.statusEventAt && Math.floor(at.getTime() / 1000) < Math.floor(s.statusEventAt.getTime() / 1000);
  let note: string | undefined;
  if (want && want !== status) {
    const path = older ? null : transitionPath(status, want);
    // a paid charge ends past_due even when an older word said past_due
    const paidNow = charged?.became === "succeeded" && status === "past_due" && want === "active";
    const use = path ?? (paidNow ? ["active" as const] : null);
    if (use) {
      for (const next of use) {
        steps.push(entry(next, { source, status: next, detail: u.providerStatus, applied: true, ...(u.eventId ? { eventId: u.eventId } : {}) }));
        const was = status;
        status = next;
        if (was === "incomplete" && next === "active") out.push({ ...eventBase(s, status, u, source), type: SUBSCRIPTION_ACTIVATED, paymentId: charged?.paymentId ?? null });
        if (next === "past_due") {
          out.push({ ...eventBase(s, status, u, source), type: SUBSCRIPTION_PAST_DUE, paymentId: charged?.paymentId ?? null, error: charged?.charge.error ?? null, failedCharges: Math.max(1, failedCharges) });
        }
        if (next === "canceled") out.push({ ...eventBase(s, status, u, source), type: SUBSCRIPTION_CANCELED, canceledAt: (u.canceledAt ? new Date(u.canceledAt) : at).toISOString() });
      }
    } else {
      note = FINAL.includes(status)
        ? `kept ${status}: it is final`
        : older
          ? `kept ${status}: the provider said it before the word behind ${status}`
          : `kept ${status}: ${want} is not a transition from ${status}`;
    }
  }
  if (charged?.renewal && charged.became === "succeeded") {
    out.push({
      ...eventBase(s, status, u, source),
      type: SUBSCRIPTION_RENEWED,
      paymentId: charged.paymentId,
      chargeAmountMinor: charged.charge.amountMinor,
      invoiceId: charged.charge.invoiceId ?? null,
      invoiceUrl: charged.charge.hostedInvoiceUrl ?? null,
    });
  }
  const moved = status !== s.status;
  if (!moved) {
    // what the word did without moving the status: the flag set or cleared, a charge recorded, or nothing
    const flagged = u.cancelAtPeriodEnd !== undefined && u.cancelAtPeriodEnd !== s.cancelAtPeriodEnd && !FINAL.includes(status) && !older;
    const event = flagged ? (u.cancelAtPeriodEnd ? "cancel_at_period_end" : "resumed") : charged?.became ? `charge_${charged.became}` : (u.status ?? (u.charge ? `charge_${u.charge.status}` : "update"));
    steps.push(
      entry(event, {
        source,
        ...(u.status ? { status: u.status } : {}),
        detail: u.providerStatus,
        applied: !!charged?.became || flagged,
        ...(u.eventId ? { eventId: u.eventId } : {}),
        ...(charged ? { paymentId: charged.paymentId } : {}),
        ...(u.charge?.error ? { error: u.charge.error } : {}),
        ...(note ? { note } : {}),
      }),
    );
  } else if (charged) {
    steps[steps.length - 1] = { ...steps[steps.length - 1], paymentId: charged.paymentId };
  }

  // ── the rest: the flag, the period, the provider's ids ──
  const final = FINAL.includes(status);
  const flagFromOlder = older && u.cancelAtPeriodEnd !== undefined;
  const cancelAtPeriodEnd = final ? s.cancelAtPeriodEnd && status === "canceled" : u.cancelAtPeriodEnd !== undefined && !flagFromOlder ? u.cancelAtPeriodEnd : s.cancelAtPeriodEnd;
  const newer = (a: string | null | undefined, b: Date | null) => (a ? (b && new Date(a) < b ? b : new Date(a)) : b);
  // the period moves when the provider says so, or with a charge paid for it: a failed charge
  // pays for nothing (its period is the subscription's only once a charge for it is paid)
  const paidFor = charged?.charge.status === "succeeded" ? charged.charge : null;
  const periodEnd = newer(u.currentPeriodEnd ?? paidFor?.periodEnd, s.currentPeriodEnd);
  const periodStart = periodEnd && periodEnd !== s.currentPeriodEnd ? (u.currentPeriodStart ?? paidFor?.periodStart ?? null) : null;
  const providerStatus = older && !charged ? s.providerStatus : u.providerStatus;
  await tx.subscription.update({
    where: { id: s.id },
    data: {
      status,
      providerStatus,
      failedCharges,
      cancelAtPeriodEnd,
      canceledAt: status === "canceled" && !s.canceledAt ? (u.canceledAt ? new Date(u.canceledAt) : at) : s.canceledAt,
      currentPeriodEnd: periodEnd,
      ...(periodStart ? { currentPeriodStart: new Date(periodStart) } : !s.currentPeriodStart && u.currentPeriodStart ? { currentPeriodStart: new Date(u.currentPeriodStart) } : {}),
      providerSubscriptionId: s.providerSubscriptionId ?? u.providerSubscriptionId ?? null,
      providerCustomerId: s.providerCustomerId ?? u.providerCustomerId ?? null,
      paymentMethodId: u.paymentMethodId ?? s.paymentMethodId,
      // the word behind the status: moved, or said again (a paid renewal says active again)
      // (only a dated word counts: an answer to our own call is not a point on the provider's timeline)
      ...(u.occurredAt && (moved || (want !== undefined && want === status)) && (!s.statusEventAt || at > s.statusEventAt) ? { statusEventAt: at } : {}),
      ...(final && s.nextChargeAt ? { nextChargeAt: null } : {}),
      ...(u.eventId ? { appliedEvents: { push: u.eventId } } : {}),
      history: [...historyOf(s), ...steps] as Prisma.InputJsonValue,
    },
  });
  const events = await emit(
    tx,
    out.map((e) => {
      const { type, ...data } = subscriptionEvent.parse(e);
      return { type, integrationId: s.integrationId, data };
    }),
  );
  return { found: true, events };
}

function eventBase(s: Locked, status: SubscriptionStatus, u: SubscriptionUpdate, source: SubscriptionSource) {
  return {
    subscriptionId: s.id,
    provider: s.provider,
    integrationId: s.integrationId,
    plan: s.plan,
    amountMinor: s.amountMinor,
    currency: s.currency,
    interval: s.interval as "day" | "week" | "month" | "year",
    intervalCount: s.intervalCount,
    status,
    providerSubscriptionId: s.providerSubscriptionId ?? u.providerSubscriptionId ?? null,
    customerEmail: s.customerEmail,
    applicationId: s.applicationId,
    currentPeriodStart: (u.currentPeriodStart ? new Date(u.currentPeriodStart) : s.currentPeriodStart)?.toISOString() ?? null,
    currentPeriodEnd: (u.currentPeriodEnd ? new Date(u.currentPeriodEnd) : s.currentPeriodEnd)?.toISOString() ?? null,
    cancelAtPeriodEnd: u.cancelAtPeriodEnd ?? s.cancelAtPeriodEnd,
    source,
    providerEventId: u.eventId ?? null,
  };
}

/**
 * Records one charge, once per provider payment id: the payment that already has it, else the
 * first charge made with the subscription while it waits for its provider id (Stripe's first
 * invoice pays the Checkout's charge), else a new payment linked to the subscription. Its
 * status moves through the payments service (payment.succeeded / failed fire there).
 * `became`: the status the payment reached now, null when it was there already.
 */
async function recordCharge(tx: Prisma.TransactionClient, s: Locked, c: ProviderCharge, u: SubscriptionUpdate, source: SubscriptionSource) {
  const existing = await tx.payment.findFirst({ where: { provider: s.provider, providerPaymentId: c.providerPaymentId, subscriptionId: s.id }, select: { id: true, status: true } });
  let payment = existing;
  if (!payment) {
    const other = await tx.payment.findFirst({ where: { provider: s.provider, providerPaymentId: c.providerPaymentId }, select: { id: true, status: true, subscriptionId: true } });
    if (other) {
      // a payment made outside the subscription (or of another one): linked, never recorded twice
      if (!other.subscriptionId) await tx.payment.update({ where: { id: other.id }, data: { subscriptionId: s.id } });
      payment = other;
    }
  }
  if (!payment) {
    const charges = await tx.payment.findMany({ where: { subscriptionId: s.id }, orderBy: { createdAt: "asc" }, select: { id: true, status: true, invoiceId: true, providerPaymentId: true }, take: 2 });
    const first = charges[0];
    if (first && charges.length === 1 && !first.invoiceId && !first.providerPaymentId) {
      await tx.payment.update({ where: { id: first.id }, data: { providerPaymentId: c.providerPaymentId } });
      payment = { id: first.id, status: first.status };
    }
  }
  if (!payment) {
    const id = randomUUID();
    await tx.payment.create({
      data: {
        id,
        provider: s.provider,
        integrationId: s.integrationId,
        amountMinor: c.amountMinor,
        currency: c.currency.toUpperCase(),
        description: s.description ?? s.plan,
        customerEmail: s.customerEmail,
        applicationId: s.applicationId,
        metadata: (s.metadata ?? {}) as Prisma.InputJsonValue,
        providerPaymentId: c.providerPaymentId,
        subscriptionId: s.id,
        createdBy: source,
        history: [entry("created", { source, detail: `A renewal of the subscription ${s.plan}${c.periodStart ? ` for the period from ${c.periodStart.slice(0, 10)}` : ""}` })],
      },
    });
    payment = { id, status: "pending" as PaymentStatus };
  }
  await tx.payment.update({
    where: { id: payment.id },
    data: {
      ...(c.invoiceId ? { invoiceId: c.invoiceId } : {}),
      ...(c.hostedInvoiceUrl ? { invoiceUrl: c.hostedInvoiceUrl } : {}),
      ...(c.invoicePdfUrl ? { invoicePdfUrl: c.invoicePdfUrl } : {}),
    },
  });
  const before = payment.status;
  await applyPaymentUpdateIn(
    tx,
    s.integrationId,
    {
      paymentId: payment.id,
      status: c.status,
      providerStatus: u.providerStatus,
      ...(c.status === "succeeded" ? { capturedMinor: c.amountMinor } : {}),
      ...(c.error ? { error: c.error } : {}),
      ...(u.eventId ? { eventId: u.eventId } : {}),
    },
    source,
  );
  const after = (await tx.payment.findUniqueOrThrow({ where: { id: payment.id }, select: { status: true } })).status;
  // a renewal: any charge but the first (the payment made with the subscription)
  const first = await tx.payment.findFirst({ where: { subscriptionId: s.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true } });
  const renewal = first?.id !== payment.id;
  return { paymentId: payment.id, became: after !== before ? after : null, renewal, charge: c };
}

// ───────────── the API's actions ─────────────

async function loadWithProvider(id: string) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Subscription");
  const s = await db.subscription.findUnique({ where: { id } });
  if (!s) throw errors.notFound("Subscription");
  const row = s.integrationId ? await cachedIntegration(s.integrationId) : null;
  if (!row) throw errors.unprocessable("The subscription's integration was deleted");
  const spec = specOf(row.provider);
  if (!spec) throw errors.unprocessable(`${getProvider(row.provider)?.name ?? row.provider} has no subscriptions in Switchboard`);
  return { s, row, spec, ctx: buildContext(row, { related: { type: "subscription", id } }) };
}

/** What the provider answered, applied like any other word about the subscription. */
async function applyAnswer(row: Integration, s: Subscription, r: ProviderSubscription, source: SubscriptionSource) {
  await applySubscriptionUpdate(row.id, { ...r, subscriptionId: s.id, providerSubscriptionId: r.providerSubscriptionId ?? s.providerSubscriptionId, charge: null }, source);
}

/** POST /payments/subscriptions/:id/cancel: now, or at the end of the period paid for. */
export async function cancelSubscription(id: string, input: CancelSubscriptionInput, who: Who) {
  const { s, row, spec, ctx } = await loadWithProvider(id);
  const refusal = subscriptionActions(s).cancel.reason;
  if (refusal) throw errors.unprocessable(refusal);
  if (input.atPeriodEnd && s.status === "incomplete") throw errors.unprocessable("It has no period to run to the end of yet (its first payment is not made): cancel it now instead", { field: "atPeriodEnd" });
  let r: ProviderSubscription;
  try {
    r = await spec.cancel(ctx, await subscriptionRef(s), { atPeriodEnd: input.atPeriodEnd });
  } catch (e) {
    throw providerError(e);
  }
  await applyAnswer(row, s, r, "api");
  await audit(who.actor, "subscription.cancel", "subscription", id, { atPeriodEnd: input.atPeriodEnd, plan: s.plan }, who.meta);
  return getSubscription(id);
}

/** POST /payments/subscriptions/:id/resume: undoes a cancel at period end. */
export async function resumeSubscription(id: string, who: Who) {
  const { s, row, spec, ctx } = await loadWithProvider(id);
  const refusal = subscriptionActions(s).resume.reason;
  if (refusal || !spec.resume) throw errors.unprocessable(refusal ?? "It cannot be resumed");
  let r: ProviderSubscription;
  try {
    r = await spec.resume(ctx, await subscriptionRef(s));
  } catch (e) {
    throw providerError(e);
  }
  await applyAnswer(row, s, { ...r, cancelAtPeriodEnd: r.cancelAtPeriodEnd ?? false }, "api");
  await audit(who.actor, "subscription.resume", "subscription", id, { plan: s.plan }, who.meta);
  return getSubscription(id);
}

/** GET …/:id?refresh=1: the provider asked now, its answer applied. */
export async function refreshSubscription(id: string) {
  const { s, row, spec, ctx } = await loadWithProvider(id);
  let r: ProviderSubscription;
  try {
    r = await spec.retrieve(ctx, await subscriptionRef(s));
  } catch (e) {
    throw providerError(e);
  }
  await applyAnswer(row, s, r, "refresh");
}

// ───────────── reading ─────────────

function where(q: ListSubscriptionsQuery): Prisma.SubscriptionWhereInput {
  return {
    status: q.status,
    provider: q.provider || undefined,
    integrationId: q.integrationId,
    currency: q.currency,
    applicationId: q.applicationId,
    customerEmail: q.email ? { contains: q.email.toLowerCase(), mode: "insensitive" } : undefined,
    createdAt: q.from || q.until ? { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.until ? { lt: new Date(q.until) } : {}) } : undefined,
  };
}

export async function listSubscriptions(q: ListSubscriptionsQuery) {
  const base = where(q);
  const c = q.cursor ? decodeCursor(q.cursor) : null;
  const rows = await db.subscription.findMany({
    where: c ? { AND: [base, { OR: [{ createdAt: { lt: c.at } }, { createdAt: c.at, id: { lt: c.id } }] }] } : base,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    include: { integration: { select: { name: true, code: true, mode: true } } },
  });
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map((r) => ({ ...serialize(r), integration: r.integration }));
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null };
}

export async function getSubscription(id: string) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Subscription");
  // the subscription and its charges from one snapshot: a charge recorded between two reads would
  // show with the period it moved still the old one
  const [s, charges] = await db.$transaction(
    [
      db.subscription.findUnique({ where: { id }, include: { integration: { select: { name: true, code: true, mode: true, provider: true } } } }),
      db.payment.findMany({
        where: { subscriptionId: id },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: 200,
        select: {
          id: true, status: true, providerStatus: true, providerPaymentId: true, amountMinor: true, currency: true, error: true,
          invoiceId: true, invoiceUrl: true, invoicePdfUrl: true, succeededAt: true, createdAt: true,
        },
      }),
    ],
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
  if (!s) throw errors.notFound("Subscription");
  const logs = await db.integrationLog.findMany({
    where: { relatedType: "subscription", relatedId: id },
    orderBy: { createdAt: "asc" },
    take: 100,
    select: { id: true, createdAt: true, action: true, method: true, url: true, statusCode: true, durationMs: true, status: true, error: true },
  });
  const { integration, ...rest } = s;
  return {
    ...serialize(rest as Subscription),
    integration,
    history: historyOf(s),
    charges: charges.map((c) => ({ ...c, amount: formatMoney(c.amountMinor, c.currency) })),
    logs: logs.map((l) => ({ ...l, id: String(l.id) })),
  };
}
