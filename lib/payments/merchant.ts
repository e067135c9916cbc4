// Merchant APIs: the payment system calls us and waits for the answer (Payme's Merchant API,
// Click's SHOP API; issue 18). The provider folder parses the call and decides by its own rules
// (lib/providers/<id>: a pure function of the state it is given); this module is the payments
// area's side: it reads that state under a lock on the order (our payment row), stores the
// provider transaction the decision writes in the same database transaction as the payment's
// status change (applyPaymentUpdateIn: never backwards), and returns the answer. Two calls for
// one order run one after the other; a repeated call finds what the first one stored and is
// answered the same. The inbox (lib/webhooks/ingest.ts) records the call with the answer's note.
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { logger } from "@/lib/logger";
import { scrub } from "@/lib/redact";
import { updateIntegration } from "@/lib/integrations/service";
import type {
  MerchantDecision,
  MerchantOrder,
  MerchantState,
  MerchantTransaction,
  MerchantTransactionWrite,
  ParsedWebhook,
  ProviderDefinition,
  SynchronousAnswer,
  WebhookVerifyContext,
} from "@/lib/providers/types";
import { applyPaymentUpdateIn } from "@/lib/payments/service";

type Row = {
  id: bigint;
  integration_id: string | null;
  payment_id: string;
  provider_tx_id: string;
  state: number;
  amount_minor: number;
  provider_time: Date | null;
  created_at: Date;
  performed_at: Date | null;
  canceled_at: Date | null;
  reason: number | null;
  data: Record<string, unknown> | null;
};

const COLUMNS = `id, integration_id, payment_id, provider_tx_id, state, amount_minor, provider_time, created_at, performed_at, canceled_at, reason, data`;

function toTransaction(r: Row): MerchantTransaction {
  return {
    providerTxId: r.provider_tx_id,
    number: Number(r.id),
    paymentId: r.payment_id,
    state: r.state,
    amountMinor: r.amount_minor,
    providerTime: r.provider_time,
    createdAt: r.created_at,
    performedAt: r.performed_at,
    canceledAt: r.canceled_at,
    reason: r.reason,
    data: r.data ?? {},
  };
}

const isUuid = (v: unknown): v is string => typeof v === "string" && z.uuid().safeParse(v).success;

async function transactionById(tx: Prisma.TransactionClient, provider: string, integrationId: string, providerTxId: string) {
  const rows = await tx.$queryRawUnsafe<Row[]>(`select ${COLUMNS} from provider_transactions where provider = $1 and provider_tx_id = $2`, provider, providerTxId);
  // another integration's transaction (another cashbox): unknown here
  const r = rows[0];
  return r && r.integration_id === integrationId ? r : null;
}

/** The integration's payment, locked for this call; null when there is none (or another integration's). */
async function lockOrder(tx: Prisma.TransactionClient, integrationId: string, id: string): Promise<MerchantOrder | null> {
  const rows = await tx.$queryRaw<{ id: string; amount_minor: number; currency: string; status: MerchantOrder["status"] }[]>`
    select id, amount_minor, currency, status from payments where id = ${id}::uuid and integration_id = ${integrationId}::uuid for update`;
  const p = rows[0];
  return p ? { id: p.id, amountMinor: p.amount_minor, currency: p.currency.trim(), status: p.status } : null;
}

async function store(tx: Prisma.TransactionClient, provider: string, integrationId: string, w: MerchantTransactionWrite): Promise<MerchantTransaction> {
  const rows = await tx.$queryRawUnsafe<Row[]>(
    `insert into provider_transactions (provider, integration_id, payment_id, provider_tx_id, state, amount_minor, provider_time, created_at,
                                        performed_at, canceled_at, reason, data)
     values ($1, $2::uuid, $3::uuid, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb)
     on conflict (provider, provider_tx_id) do update set
       state = excluded.state, performed_at = excluded.performed_at, canceled_at = excluded.canceled_at,
       reason = excluded.reason, data = excluded.data, updated_at = now()
     returning ${COLUMNS}`,
    provider, integrationId, w.paymentId, w.providerTxId, w.state, w.amountMinor, w.providerTime, w.createdAt,
    w.performedAt, w.canceledAt, w.reason, JSON.stringify(w.data ?? {}),
  );
  return toTransaction(rows[0]);
}

/**
 * Answers one verified call of a merchant-API provider. Our own failure (the database) is
 * answered with the provider's "system error" and logged; nothing half-done is kept (one
 * transaction).
 */
export async function answerMerchantCall(def: ProviderDefinition, ctx: WebhookVerifyContext<Record<string, unknown>, Record<string, unknown>>, call: ParsedWebhook): Promise<SynchronousAnswer> {
  const spec = def.payments?.merchant;
  if (!spec) throw new Error(`${def.id} has no merchant API`);
  const integrationId = ctx.integration.id;
  try {
    const look = spec.lookup(call, ctx);
    const { decision, stored, paymentId } = await db.$transaction(
      async (tx) => {
        let named = look.providerTxId ? await transactionById(tx, def.id, integrationId, look.providerTxId) : null;
        const orderId = named?.payment_id ?? look.orderId ?? null;
        const order = isUuid(orderId) ? await lockOrder(tx, integrationId, orderId) : null;
        // read again under the order's lock: a concurrent call for the same order may have stored it meanwhile
        if (look.providerTxId && order) named = await transactionById(tx, def.id, integrationId, look.providerTxId);
        const siblings = order
          ? (await tx.$queryRawUnsafe<Row[]>(`select ${COLUMNS} from provider_transactions where payment_id = $1::uuid and provider = $2 order by created_at, id`, order.id, def.id)).map(toTransaction)
          : [];
        const statement = look.statement
          ? (
              await tx.$queryRawUnsafe<Row[]>(
                `select ${COLUMNS} from provider_transactions where integration_id = $1::uuid and provider_time >= $2 and provider_time <= $3 order by provider_time, id`,
                integrationId, look.statement.from, look.statement.to,
              )
            ).map(toTransaction)
          : [];
        const state: MerchantState = { order, transaction: named ? toTransaction(named) : null, siblings, statement, now: new Date() };
        const decision: MerchantDecision = spec.decide(call, state, ctx);
        let stored = state.transaction;
        if (decision.write) {
          if (!order || decision.write.paymentId !== order.id) throw new Error(`${def.id}: a decision wrote a transaction for an order it did not lock`);
          stored = await store(tx, def.id, integrationId, decision.write);
        }
        if (decision.payment && order) {
          await applyPaymentUpdateIn(tx, integrationId, { ...decision.payment, paymentId: order.id, eventId: call.id ? `${call.type}:${call.id}` : call.type, occurredAt: state.now.toISOString() }, "webhook");
        }
        return { decision, stored, paymentId: order?.id ?? null };
      },
      { timeout: 15_000 },
    );
    if (decision.credentials) {
      // Payme's ChangePassword: stored encrypted like any credential (the previous value stays
      // accepted for the webhook secret grace period), audited as the provider's doing
      await updateIntegration(integrationId, { credentials: decision.credentials }, { actor: { type: "system", label: `${def.name} (${call.type})` } });
    }
    return {
      body: decision.answer(stored),
      outcome: decision.outcome,
      note: decision.note,
      ...(decision.payment && paymentId ? { events: [{ type: "payment.updated", data: { ...decision.payment, paymentId } }] } : {}),
    };
  } catch (e) {
    const message = scrub((e as Error).message || String(e), ctx.secrets);
    logger.error({ integration: ctx.integration.code, provider: def.id, call: call.type, err: message }, "merchant API call failed");
    return { body: spec.failure(call), outcome: "failed", note: `Switchboard could not answer: ${message}` };
  }
}
