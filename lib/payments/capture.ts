// No missed capture (issue 18, item 2): the paths besides the webhook that see a payer's
// approval and take the step that is ours (lib/payments/service.ts takeStep: one capture,
// under a lock on the payment, the provider's key derived from its own id):
//   - the payer's return to our return URL (app/api/payments/[id]/return): PayPal appends
//     token=<order id> and PayerID; the order is checked and captured before the payer lands
//     on the payment's page;
//   - the workers' sweeper: open payments of a provider whose next step is ours that nothing
//     has moved for PAYMENT_CAPTURE_GRACE_SECONDS are asked about (GET order) and captured
//     when approved, so a lost webhook and a payer who never came back lose no money;
//   - the seed's POST /api/v1/integrations/payments/paypal/execute (executePayment).
// Status checks (refreshPayment, GET …/status) take the step themselves.
import { z } from "zod";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { env } from "@/lib/env";
import { errors } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { consume } from "@/lib/rate-limit";
import { getProvider, listProviders } from "@/lib/providers/registry";
import { refreshPayment } from "@/lib/payments/service";
import { stateOf } from "@/lib/payments/actions";

/** the providers with a step after the payer's that is ours (PayPal: capture) */
const capturing = () => listProviders().filter((d) => !!d.payments?.capture).map((d) => d.id);

/**
 * How far back the sweeper looks: an order older than this is past capturing (PayPal's orders
 * expire; UNCONFIRMED how soon for an APPROVED intent=CAPTURE order: 3 hours is often said, the
 * order id is valid 29 days; three days is generous and bounds the sweep).
 */
const SWEEP_WINDOW_HOURS = 72;
/** payments asked per sweep (the oldest first); the next tick takes the rest */
const SWEEP_BATCH = 50;

/**
 * One sweep: open payments of a capturing provider, created within the window, that nothing
 * has moved for the grace period, each asked about at most once per grace period whichever
 * worker sweeps (a shared rate limit), and captured when the payer has approved.
 */
export async function sweepUncaptured(opts: { graceSeconds?: number } = {}): Promise<{ checked: number; captured: number; failed: number }> {
  const out = { checked: 0, captured: 0, failed: 0 };
  const providers = capturing();
  if (!providers.length) return out;
  const grace = opts.graceSeconds ?? env().PAYMENT_CAPTURE_GRACE_SECONDS;
  const due = await pgPool().query<{ id: string }>(
    `select p.id from payments p join integrations i on i.id = p.integration_id
      where p.status in ('pending', 'requires_action') and p.provider = any($1::text[])
        and p.created_at > now() - make_interval(hours => $2::int)
        and p.updated_at <= now() - make_interval(secs => $3::float8)
        and p.provider_payment_id is not null and i.status <> 'inactive'
      order by p.created_at limit $4`,
    [providers, SWEEP_WINDOW_HOURS, grace, SWEEP_BATCH],
  );
  for (const { id } of due.rows) {
    const room = await consume("payment-capture-sweep", id, 1, Math.max(1, Math.ceil(grace)));
    if (!room.allowed) continue;
    out.checked++;
    try {
      const before = await db.payment.findUnique({ where: { id }, select: { status: true } });
      await refreshPayment(id, { automatic: true, source: "sweep" });
      const after = await db.payment.findUnique({ where: { id }, select: { status: true } });
      if (before?.status !== "succeeded" && after?.status === "succeeded") out.captured++;
    } catch (e) {
      out.failed++;
      logger.warn({ paymentId: id, err: (e as Error).message }, "capture sweep: checking the payment failed");
    }
  }
  if (out.checked) logger.info(out, "capture sweep");
  return out;
}

/**
 * The payer is back from the provider's page (GET /api/payments/<id>/return?token=…): when the
 * token names this payment's order, the order is checked and captured if approved. Never
 * throws (the payer is sent on to the payment's page whatever happened), and asks the provider
 * at most a few times a minute per payment (the route is public).
 */
export async function returnFromCheckout(id: string, token: string | null): Promise<void> {
  if (!z.uuid().safeParse(id).success || !token) return;
  const p = await db.payment.findUnique({ where: { id }, select: { provider: true, providerPaymentId: true, status: true } });
  if (!p || p.providerPaymentId !== token || !getProvider(p.provider)?.payments?.capture) return;
  if (p.status !== "pending" && p.status !== "requires_action") return;
  const room = await consume("payment-return", id, 5, 60);
  if (!room.allowed) return;
  try {
    await refreshPayment(id, { source: "return" });
  } catch (e) {
    // the sweeper and the webhook still take it
    logger.warn({ paymentId: id, err: (e as Error).message }, "checking the payment on the payer's return failed");
  }
}

/**
 * The seed's PayPal "execute": captures the approved order of one payment (ours by id, or by
 * PayPal's order id, the `token` its return URL carries), through the one capture every path
 * shares. A payment captured before answers as it is (the same answer on every call); an order
 * the payer has not approved, a declined one, and a payment of another provider are refused
 * with the reason.
 */
export async function executePayment(input: { paymentId?: string; orderId?: string }, provider: string) {
  const p = input.paymentId
    ? await db.payment.findUnique({ where: { id: input.paymentId } })
    : await db.payment.findFirst({ where: { provider, providerPaymentId: input.orderId } });
  if (!p) throw errors.notFound("Payment");
  const def = getProvider(p.provider);
  if (p.provider !== provider || !def?.payments?.capture) {
    throw errors.unprocessable(`This is a ${def?.name ?? p.provider} payment: only ${getProvider(provider)?.name ?? provider} payments are executed here`, {
      provider: p.provider,
    });
  }
  if (p.status === "pending" || p.status === "requires_action") {
    // asks PayPal for the order and captures it when approved (refreshPayment takes the step)
    const r = await refreshPayment(p.id, { source: "api" });
    if (r.status === "pending" && !r.due) {
      throw errors.unprocessable(`The payer has not approved the order at ${def.name} yet (${r.providerStatus}): send them to the payment link first`, {
        providerStatus: r.providerStatus,
        paymentUrl: r.paymentUrl ?? p.paymentUrl,
      });
    }
  }
  const now = await stateOf(p.id, null);
  if (now.status === "failed" || now.status === "canceled") {
    throw errors.unprocessable(`${def.name} did not take the payment: ${now.error ?? now.status}`, { status: now.status, providerStatus: now.providerStatus });
  }
  return now;
}
