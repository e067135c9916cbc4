// Switchboard's renewal scheduler (issue 18): the subscriptions of providers that do not bill on
// their own schedule (billing "merchant": YooKassa's saved payment methods) are charged by us on
// each due date. Run by the workers every SUBSCRIPTION_RENEWAL_SECONDS (lib/wiring/worker.ts).
//
// A subscription is due when it is active or past due and its next charge time has come:
// next_charge_at when set (a retry's time), else the end of the period paid for. Each is taken
// in its own database transaction under its row lock (`for update skip locked`: a subscription
// another worker is charging, or a notification is being applied to, is skipped, never waited
// for: the next run takes it) and, in that transaction:
//   - a subscription set to cancel at the period's end is canceled instead of charged;
//   - otherwise the provider's `charge` is called with an idempotency key derived from
//     (subscription, period start, attempt), so a worker that dies after the charge and before
//     the commit charges the same period again with the same key: the provider answers with the
//     payment it made (YooKassa's Idempotence-Key), one charge;
//   - the answer is recorded through applySubscriptionUpdateIn (the one path every change
//     takes: the charge as a payment once per provider payment id, the transitions, events);
//   - paid: the period advances ([end, end + interval)), the retries start over;
//     declined: past due from the first failure (the core's rule for a failed renewal), the
//     next attempt after the SUBSCRIPTION_RETRY_SCHEDULE wait for this failure (1h, 1d, 3d),
//     and canceled when the last retry fails too (then nothing is charged again);
//     not decided (the provider did not answer, 5xx, or the payment is still pending): nothing
//     is recorded or counted, the same attempt is tried again after a short wait (same key).
// Clock: runRenewals({ now }) takes the time (tests use a fake clock; the workers pass nothing).
import { createHash } from "node:crypto";
import type { Prisma, Subscription } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { deliver } from "@/lib/events";
import { logger } from "@/lib/logger";
import { formatMoney } from "@/lib/money";
import { addInterval, isInterval, parseWaits } from "@/lib/periods";
import { pgPool } from "@/lib/pg";
import { cachedIntegration } from "@/lib/integrations/cache";
import { buildContext } from "@/lib/integrations/service";
import { getProvider, listProviders } from "@/lib/providers/registry";
import { PaymentProviderError, type ProviderPayment, type SubscriptionRef, type SubscriptionsSpec } from "@/lib/providers/types";
import { applySubscriptionUpdateIn, refreshSubscription } from "@/lib/payments/subscriptions";

/** subscriptions taken per run (the earliest due first); the next run takes the rest */
const BATCH = 50;
/** a charge not decided yet (no answer, 5xx, pending) is tried again after this (same key), or the provider's Retry-After */
const UNDECIDED_WAIT_SECONDS = 300;
/** the longest a charge may hold its subscription's row lock (the provider's retries with timeouts included) */
const TX_TIMEOUT_MS = 120_000;

export type RenewalOutcome = "charged" | "failed" | "canceled" | "undecided" | "skipped";
export type RenewalRun = Record<RenewalOutcome, number> & { due: number };

/** the retry waits in seconds (SUBSCRIPTION_RETRY_SCHEDULE): retries = its length */
export const retryWaits = () => parseWaits(env().SUBSCRIPTION_RETRY_SCHEDULE);

/** the providers whose renewals Switchboard charges */
export const merchantBilled = () =>
  listProviders()
    .filter((d) => d.payments?.subscriptions?.billing === "merchant" && !!d.payments.subscriptions.charge)
    .map((d) => d.id);

/** a UUID-shaped id derived from `parts` (provider keys: YooKassa's Idempotence-Key is at most 64 characters) */
function derivedId(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("|")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${["8", "9", "a", "b"][parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The key of one attempt to charge one period: the same on a rerun, another for a retry. */
export function renewalKey(subscriptionId: string, periodStart: Date, attempt: number) {
  return {
    idempotencyKey: derivedId("renewal", subscriptionId, periodStart.toISOString(), String(attempt)),
    paymentId: derivedId("renewal-payment", subscriptionId, periodStart.toISOString(), String(attempt)),
  };
}

/** One run: every due subscription of a merchant-billed provider, each under its own row lock. */
export async function runRenewals(opts: { now?: Date; limit?: number } = {}): Promise<RenewalRun> {
  const out: RenewalRun = { due: 0, charged: 0, failed: 0, canceled: 0, undecided: 0, skipped: 0 };
  const providers = merchantBilled();
  if (!providers.length) return out;
  const now = opts.now ?? new Date();
  const due = await pgPool().query<{ id: string }>(
    `select s.id from subscriptions s join integrations i on i.id = s.integration_id
      where s.provider = any($1::text[]) and s.status in ('active', 'past_due')
        and coalesce(s.next_charge_at, s.current_period_end) <= $2 and i.status <> 'inactive'
      order by coalesce(s.next_charge_at, s.current_period_end), s.id limit $3`,
    [providers, now, opts.limit ?? BATCH],
  );
  out.due = due.rows.length;
  for (const { id } of due.rows) {
    try {
      out[await renewOne(id, now)]++;
    } catch (e) {
      // the next run tries again (nothing was committed)
      out.undecided++;
      logger.warn({ subscriptionId: id, err: (e as Error).message }, "renewal: charging the subscription failed");
    }
  }
  if (out.due) logger.info(out, "subscription renewals");
  return out;
}

/** a provider's own word on a period's end (Stripe's customer.subscription.deleted) is awaited this long before we ask */
const PERIOD_END_GRACE_MS = 5 * 60_000;

/**
 * Subscriptions the provider bills, set to cancel at the end of a period that is over: the
 * provider is asked (a status check) and its answer applied, which ends them. PayPal has no
 * cancel at period end and says nothing when the period ends (ours suspends the subscription with
 * the period's end in its note), so without this one stays "active, canceling" for good. Each is
 * asked at most once per grace period (its updated_at). Resolves to how many ended.
 */
export async function endElapsedPeriods(opts: { now?: Date; limit?: number } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  const before = new Date(now.getTime() - PERIOD_END_GRACE_MS);
  const due = await pgPool().query<{ id: string }>(
    `select id from subscriptions
      where cancel_at_period_end and status in ('active', 'past_due') and current_period_end <= $1 and updated_at <= $1
        and not (provider = any($2::text[]))
      order by current_period_end, id limit $3`,
    [before, merchantBilled(), opts.limit ?? BATCH],
  );
  if (!due.rows.length) return 0;
  for (const { id } of due.rows) {
    try {
      await refreshSubscription(id);
    } catch (e) {
      logger.warn({ subscriptionId: id, err: (e as Error).message }, "subscriptions: asking the provider about an ended period failed");
    }
  }
  // the ones still running (the provider did not end them, or did not answer) are asked again after the grace period
  const ids = due.rows.map((r) => r.id);
  const touched = await pgPool().query("update subscriptions set updated_at = $2 where id = any($1::uuid[]) and status <> 'canceled'", [ids, now]);
  const ended = ids.length - (touched.rowCount ?? 0);
  if (ended) logger.info({ ended }, "subscriptions ended with their period");
  return ended;
}

/** One subscription, in one transaction under its row lock (skipped when another worker holds it). */
export async function renewOne(id: string, now: Date): Promise<RenewalOutcome> {
  const r = await db.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        select id from subscriptions
         where id = ${id}::uuid and status in ('active', 'past_due') and coalesce(next_charge_at, current_period_end) <= ${now}
         for update skip locked`;
      if (!locked[0]) return { outcome: "skipped" as const, events: [] as string[] };
      const s = await tx.subscription.findUniqueOrThrow({ where: { id } });
      const row = s.integrationId ? await cachedIntegration(s.integrationId) : null;
      const spec = row ? (getProvider(row.provider)?.payments?.subscriptions as SubscriptionsSpec | undefined) : undefined;
      if (!row || !spec?.charge || !s.currentPeriodEnd || !isInterval(s.interval)) {
        // not chargeable here (its integration deleted, its period unknown): looked at again in an hour
        await tx.subscription.update({ where: { id }, data: { nextChargeAt: new Date(now.getTime() + 3600_000) } });
        logger.warn({ subscriptionId: id }, "renewal: the subscription cannot be charged (no integration, provider charge or period)");
        return { outcome: "skipped" as const, events: [] as string[] };
      }
      const events: string[] = [];
      const apply = async (u: Parameters<typeof applySubscriptionUpdateIn>[2]) => {
        const a = await applySubscriptionUpdateIn(tx, row.id, u, "schedule");
        events.push(...a.events);
      };
      const start = s.currentPeriodEnd;

      // the period paid for is not over (a retry's time came, but a late notification paid it)
      if (start > now) {
        await tx.subscription.update({ where: { id }, data: { nextChargeAt: null } });
        return { outcome: "skipped" as const, events };
      }
      // asked to end with the period: it ends now, nothing is charged
      if (s.cancelAtPeriodEnd) {
        await apply({ subscriptionId: id, status: "canceled", providerStatus: "period_ended", canceledAt: start.toISOString(), occurredAt: now.toISOString() });
        await tx.subscription.update({ where: { id }, data: { nextChargeAt: null } });
        return { outcome: "canceled" as const, events };
      }

      const end = addInterval(start, s.interval, s.intervalCount);
      const attempt = s.failedCharges;
      const { idempotencyKey, paymentId } = renewalKey(id, start, attempt);
      const ref: SubscriptionRef = {
        id,
        providerSubscriptionId: s.providerSubscriptionId,
        providerCustomerId: s.providerCustomerId,
        providerPlanId: s.providerPlanId,
        paymentMethodId: s.paymentMethodId,
      };
      const ctx = buildContext(row, { related: { type: "subscription", id } });
      const period = { periodStart: start.toISOString(), periodEnd: end.toISOString() };
      let p: ProviderPayment;
      try {
        p = await spec.charge(ctx, ref, {
          paymentId,
          amountMinor: s.amountMinor,
          currency: s.currency,
          description: `${s.plan}: ${formatMoney(s.amountMinor, s.currency)} for ${period.periodStart.slice(0, 10)} – ${period.periodEnd.slice(0, 10)}`,
          idempotencyKey,
          ...period,
        });
        // still pending (YooKassa waits for a 54-FZ receipt): asked once more now
        if (p.status === "pending" && p.providerPaymentId) {
          p = await getProvider(row.provider)!.payments!.retrieve(ctx, { id: paymentId, providerPaymentId: p.providerPaymentId, providerCheckoutId: null, providerCaptureId: null });
        }
      } catch (e) {
        if (e instanceof PaymentProviderError && !e.retryable) {
          // refused outright (no saved method, an unknown one, credentials): a failed attempt with no payment
          return { outcome: await failed(tx, s, now, e.message, apply), events };
        }
        // not decided: the same attempt (same key) again after a short wait
        const wait = e instanceof PaymentProviderError && e.opts.retryAfterSeconds ? e.opts.retryAfterSeconds : UNDECIDED_WAIT_SECONDS;
        await tx.subscription.update({ where: { id }, data: { nextChargeAt: new Date(now.getTime() + wait * 1000) } });
        logger.warn({ subscriptionId: id, err: (e as Error).message }, "renewal: the charge was not decided; tried again later with the same key");
        return { outcome: "undecided" as const, events };
      }

      if (p.status === "succeeded" && p.providerPaymentId) {
        await apply({
          subscriptionId: id,
          status: "active",
          providerStatus: p.providerStatus,
          currentPeriodStart: period.periodStart,
          currentPeriodEnd: period.periodEnd,
          charge: { providerPaymentId: p.providerPaymentId, amountMinor: s.amountMinor, currency: s.currency, status: "succeeded", error: null, ...period },
          eventId: `renewal:${idempotencyKey}`,
          occurredAt: now.toISOString(),
        });
        await tx.subscription.update({ where: { id }, data: { nextChargeAt: end } });
        return { outcome: "charged" as const, events };
      }
      if ((p.status === "failed" || p.status === "canceled") && p.providerPaymentId) {
        await apply({
          subscriptionId: id,
          providerStatus: p.providerStatus,
          // no period: a failed charge pays for none (the core would take its period as paid)
          charge: { providerPaymentId: p.providerPaymentId, amountMinor: s.amountMinor, currency: s.currency, status: "failed", error: p.error ?? null },
          eventId: `renewal:${idempotencyKey}`,
          occurredAt: now.toISOString(),
        });
        return { outcome: await failed(tx, s, now, p.error ?? p.providerStatus, apply, true), events };
      }
      // pending still (or an answer without an id): not decided
      await tx.subscription.update({ where: { id }, data: { nextChargeAt: new Date(now.getTime() + UNDECIDED_WAIT_SECONDS * 1000) } });
      return { outcome: "undecided" as const, events };
    },
    { timeout: TX_TIMEOUT_MS, maxWait: 10_000 },
  );
  if (r.events.length) await deliver(r.events);
  return r.outcome;
}

/**
 * After a failed attempt: past due (the charge recorded it; an attempt without a payment is
 * counted here), the next retry after its wait, or canceled when the retries are used up.
 */
async function failed(
  tx: Prisma.TransactionClient,
  s: Subscription,
  now: Date,
  error: string,
  apply: (u: Parameters<typeof applySubscriptionUpdateIn>[2]) => Promise<void>,
  recorded = false,
): Promise<RenewalOutcome> {
  if (!recorded) {
    // no provider payment to record: the failure is counted and said here
    await apply({ subscriptionId: s.id, status: "past_due", providerStatus: "charge_refused", occurredAt: now.toISOString() });
    await tx.subscription.update({ where: { id: s.id }, data: { failedCharges: { increment: 1 } } });
  }
  const after = await tx.subscription.findUniqueOrThrow({ where: { id: s.id }, select: { failedCharges: true, status: true } });
  // the core counts a failed charge once per payment; a charge it had seen already (a replayed key) counts as this attempt
  const failures = Math.max(after.failedCharges, s.failedCharges + 1);
  if (failures !== after.failedCharges) await tx.subscription.update({ where: { id: s.id }, data: { failedCharges: failures } });
  const waits = retryWaits();
  if (failures > waits.length) {
    await apply({
      subscriptionId: s.id,
      status: "canceled",
      providerStatus: "retries_exhausted",
      canceledAt: now.toISOString(),
      occurredAt: now.toISOString(),
    });
    await tx.subscription.update({ where: { id: s.id }, data: { nextChargeAt: null } });
    logger.warn({ subscriptionId: s.id, failures, error }, "renewal: the last retry failed; the subscription is canceled");
    return "canceled";
  }
  await tx.subscription.update({ where: { id: s.id }, data: { nextChargeAt: new Date(now.getTime() + waits[failures - 1] * 1000) } });
  return "failed";
}
