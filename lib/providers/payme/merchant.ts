// Payme's Merchant API by its rules (developer.help.paycom.uz, "Методы Merchant API"): what each
// method answers, given our state. Pure: lib/payments/merchant.ts reads the state under a lock
// on the order, stores what is decided and answers. Confirmed on the pages read: the methods
// and their parameters, the answers of CheckPerformTransaction ({allow}), PerformTransaction
// ({transaction, perform_time, state}), CancelTransaction ({transaction, cancel_time, state}),
// GetStatement ({transactions}, from <= time <= to, by Payme's creation time, ascending, only
// transactions CreateTransaction accepted), the error codes and the 12-hour timeout (state -1,
// reason 4). UNCONFIRMED (the pages were not read): CreateTransaction's answer
// ({create_time, transaction, state}), CheckTransaction's ({create_time, perform_time,
// cancel_time, transaction, state, reason}, 0 and null where unset) and ChangePassword's
// ({success: true}), as the reference and Payme's own integration libraries have them.
import { z } from "zod";
import { WebhookBodyError, jsonObjectBody, type MerchantDecision, type MerchantState, type MerchantTransaction, type ParsedWebhook, type PaymentUpdate } from "@/lib/providers/types";
import type { InboundRequest } from "@/lib/providers/webhook-kit";
import { ERRORS, STATE, TIMEOUT_MS, reasonText, rpcError, rpcIdOf, rpcResult, type PaymeContext, type PaymeError, type RpcId } from "@/lib/providers/payme/client";
import { paymeKeyOf } from "@/lib/providers/payme/verify";

const id24 = z.string().min(1).max(64);
const amount = z.number().int().positive();
const account = z.record(z.string(), z.union([z.string(), z.number()]));
const timestamp = z.number().int().nonnegative();

const PARAMS = {
  CheckPerformTransaction: z.object({ amount, account }),
  CreateTransaction: z.object({ id: id24, time: timestamp, amount, account }),
  PerformTransaction: z.object({ id: id24 }),
  CancelTransaction: z.object({ id: id24, reason: z.number().int() }),
  CheckTransaction: z.object({ id: id24 }),
  GetStatement: z.object({ from: timestamp, to: timestamp }),
  ChangePassword: z.object({ password: z.string().regex(/^\S{8,128}$/, "8 to 128 characters without spaces") }),
} as const;

type Method = keyof typeof PARAMS;
const METHODS = Object.keys(PARAMS) as Method[];

export type PaymeCall = {
  rpcId: RpcId;
  method: string;
  params: Record<string, unknown>;
  /** which of our keys authenticated it: ChangePassword changes that one */
  auth: "key" | "testKey";
};

/**
 * A verified body as a call: -32700 (not JSON) and -32600 (not a JSON-RPC request, or a known
 * method's parameters missing or of the wrong type) are refused here; an unknown method is
 * answered -32601 by decide().
 */
export function parseCall(req: InboundRequest, ctx: PaymeContext & { secretsFor(field: string): string[] }): ParsedWebhook {
  const body = jsonObjectBody(req.rawBody);
  if (typeof body.method !== "string" || !body.method) throw new WebhookBodyError('"method" is missing');
  if (body.params !== undefined && (typeof body.params !== "object" || body.params === null || Array.isArray(body.params))) {
    throw new WebhookBodyError('"params" must be an object');
  }
  const method = body.method;
  const params = (body.params ?? {}) as Record<string, unknown>;
  if ((METHODS as string[]).includes(method)) {
    const r = PARAMS[method as Method].safeParse(params);
    if (!r.success) {
      const first = r.error.issues[0];
      throw new WebhookBodyError(`${method}: params.${first.path.join(".") || "?"} ${first.message}`);
    }
  }
  const key = paymeKeyOf(req, { key: ctx.secretsFor("key"), testKey: ctx.secretsFor("testKey") });
  const call: PaymeCall = { rpcId: rpcIdOf(req.rawBody), method, params, auth: "field" in key ? key.field : "key" };
  const txId = typeof params.id === "string" ? params.id : null;
  return { type: method, id: txId, payload: call };
}

/** The Payme transaction a refused body names (not trusted: for the payment's timeline). */
export function callSubject(req: InboundRequest): string | null {
  try {
    const params = (jsonObjectBody(req.rawBody).params ?? {}) as Record<string, unknown>;
    return typeof params.id === "string" ? params.id : null;
  } catch {
    return null;
  }
}

/** Refused before it was read (a wrong key, a body that is not a request): Payme's error answer, HTTP 200. */
export function refusal(req: InboundRequest, why: { code: "unauthorized" | "invalid_json" | "validation_failed"; reason: string }): Response {
  const e: PaymeError = why.code === "unauthorized" ? "unauthorized" : why.code === "invalid_json" ? "parse" : "invalidRequest";
  return Response.json(rpcError(rpcIdOf(req.rawBody), e, why.code === "validation_failed" ? why.reason : undefined));
}

export function failure(call: ParsedWebhook) {
  return rpcError((call.payload as PaymeCall).rpcId, "system");
}

// ───────────── deciding ─────────────

const ms = (d: Date | null | undefined) => (d ? d.getTime() : 0);
const createdByPayme = (t: MerchantTransaction) => t.providerTime ?? t.createdAt;
const timedOut = (t: MerchantTransaction, now: Date) => t.state === STATE.created && now.getTime() - createdByPayme(t).getTime() > TIMEOUT_MS;

/** The answer's `transaction`: our number for it */
const ours = (t: MerchantTransaction) => String(t.number);

export function lookup(call: ParsedWebhook, ctx: PaymeContext) {
  const c = call.payload as PaymeCall;
  const acc = c.params.account as Record<string, unknown> | undefined;
  const order = acc?.[ctx.config.accountField];
  return {
    orderId: typeof order === "string" || typeof order === "number" ? String(order) : null,
    providerTxId: typeof c.params.id === "string" ? c.params.id : null,
    statement:
      c.method === "GetStatement" ? { from: new Date(Number(c.params.from)), to: new Date(Number(c.params.to)) } : null,
  };
}

type Refusal = { error: PaymeError; data?: unknown; note: string };

/** Can this order be paid with `amount` now (CheckPerformTransaction, a new CreateTransaction)? */
function orderRefusal(state: MerchantState, ctx: PaymeContext, amountTiyin: number, self: string | null): Refusal | null {
  const field = ctx.config.accountField;
  const o = state.order;
  if (!o || o.currency !== "UZS") return { error: "orderNotFound", data: field, note: `no payment of this integration is named by account.${field}` };
  if (amountTiyin !== o.amountMinor) return { error: "wrongAmount", note: `Payme asked for ${amountTiyin} tiyin, the payment is ${o.amountMinor}` };
  if (["succeeded", "partially_refunded", "refunded"].includes(o.status)) return { error: "orderPaid", data: field, note: `the payment is already ${o.status}` };
  if (o.status === "canceled") return { error: "orderCanceled", data: field, note: "the payment is canceled" };
  const busy = state.siblings.find((t) => t.providerTxId !== self && t.state === STATE.created && !timedOut(t, state.now));
  if (busy) return { error: "orderBusy", data: field, note: `Payme transaction ${busy.providerTxId} is already paying this order` };
  return null;
}

const refuse = (c: PaymeCall, r: Refusal): MerchantDecision => ({
  answer: () => rpcError(c.rpcId, r.error, r.data),
  outcome: "ignored",
  note: `${c.method}: ${ERRORS[r.error].code} (${r.note})`,
});

/** The 12 hours passed without PerformTransaction: the transaction is cancelled (state -1, reason 4), the call answered -31008. */
function timeout(c: PaymeCall, t: MerchantTransaction, now: Date): MerchantDecision {
  return {
    write: { ...t, state: STATE.canceled, canceledAt: now, reason: 4 },
    payment: failed(t, 4),
    answer: () => rpcError(c.rpcId, "cannotPerform"),
    outcome: "completed",
    note: `${c.method}: Payme transaction ${t.providerTxId} was not performed within 12 hours: cancelled (reason 4), answered -31008`,
  };
}

function failed(t: MerchantTransaction, reason: number | null): Omit<PaymentUpdate, "paymentId"> {
  const why = `Payme cancelled transaction ${t.providerTxId}: ${reasonText(reason)}`;
  return { status: "failed", providerStatus: `Payme state -1, ${reasonText(reason)}`, error: why };
}

export function decide(call: ParsedWebhook, state: MerchantState, ctx: PaymeContext): MerchantDecision {
  const c = call.payload as PaymeCall;
  const p = c.params;
  const { now } = state;
  const t = state.transaction;
  switch (c.method) {
    case "CheckPerformTransaction": {
      const r = orderRefusal(state, ctx, Number(p.amount), null);
      if (r) return refuse(c, r);
      return { answer: () => rpcResult(c.rpcId, { allow: true }), outcome: "completed", note: "CheckPerformTransaction: allowed" };
    }

    case "CreateTransaction": {
      const id = String(p.id);
      if (t) {
        // the same transaction again (Payme repeats a call whose answer it did not get): the same answer
        if (t.state !== STATE.created) return refuse(c, { error: "cannotPerform", note: `transaction ${id} is in state ${t.state}` });
        if (timedOut(t, now)) return timeout(c, t, now);
        if (t.amountMinor !== Number(p.amount) || (state.order && t.paymentId !== state.order.id)) {
          return refuse(c, { error: "cannotPerform", note: `transaction ${id} was created for another order or amount` });
        }
        return {
          answer: (s) => rpcResult(c.rpcId, { create_time: ms((s ?? t).createdAt), transaction: ours(s ?? t), state: STATE.created }),
          outcome: "completed",
          note: `CreateTransaction: ${id} again, the same answer`,
        };
      }
      const r = orderRefusal(state, ctx, Number(p.amount), id);
      if (r) return refuse(c, r);
      const time = new Date(Number(p.time));
      if (now.getTime() - time.getTime() > TIMEOUT_MS) return refuse(c, { error: "cannotPerform", note: `Payme created transaction ${id} more than 12 hours ago` });
      const order = state.order!;
      return {
        write: {
          providerTxId: id,
          paymentId: order.id,
          state: STATE.created,
          amountMinor: Number(p.amount),
          providerTime: time,
          createdAt: now,
          performedAt: null,
          canceledAt: null,
          reason: null,
          data: { account: p.account },
        },
        // a payment that failed before (a cancelled attempt) stays so until this one is performed
        payment: order.status === "pending" ? { status: "pending", providerStatus: `Payme transaction ${id} created (state 1)` } : null,
        answer: (s) => rpcResult(c.rpcId, { create_time: ms(s!.createdAt), transaction: ours(s!), state: STATE.created }),
        outcome: "completed",
        note: `CreateTransaction: ${id} created for payment ${order.id}`,
      };
    }

    case "PerformTransaction": {
      if (!t) return refuse(c, { error: "notFound", note: `no transaction ${String(p.id)}` });
      if (t.state === STATE.performed) {
        return {
          answer: () => rpcResult(c.rpcId, { transaction: ours(t), perform_time: ms(t.performedAt), state: STATE.performed }),
          outcome: "completed",
          note: `PerformTransaction: ${t.providerTxId} again, the same answer`,
        };
      }
      if (t.state !== STATE.created) return refuse(c, { error: "cannotPerform", note: `transaction ${t.providerTxId} is cancelled (state ${t.state})` });
      if (timedOut(t, now)) return timeout(c, t, now);
      const o = state.order;
      if (o && ["succeeded", "partially_refunded", "refunded", "canceled"].includes(o.status)) {
        return refuse(c, { error: "cannotPerform", note: `the payment is already ${o.status}` });
      }
      return {
        write: { ...t, state: STATE.performed, performedAt: now },
        payment: { status: "succeeded", providerStatus: `Payme state 2 (transaction ${t.providerTxId} performed)`, capturedMinor: t.amountMinor, providerPaymentId: t.providerTxId },
        answer: (s) => rpcResult(c.rpcId, { transaction: ours(s!), perform_time: ms(s!.performedAt), state: STATE.performed }),
        outcome: "completed",
        note: `PerformTransaction: ${t.providerTxId} performed, payment ${t.paymentId} succeeded`,
      };
    }

    case "CancelTransaction": {
      if (!t) return refuse(c, { error: "notFound", note: `no transaction ${String(p.id)}` });
      const reason = Number(p.reason);
      if (t.state === STATE.canceled || t.state === STATE.canceledAfterPerform) {
        return {
          answer: () => rpcResult(c.rpcId, { transaction: ours(t), cancel_time: ms(t.canceledAt), state: t.state }),
          outcome: "completed",
          note: `CancelTransaction: ${t.providerTxId} was already cancelled, the same answer`,
        };
      }
      if (t.state === STATE.created) {
        return {
          write: { ...t, state: STATE.canceled, canceledAt: now, reason },
          payment: failed(t, reason),
          answer: (s) => rpcResult(c.rpcId, { transaction: ours(s!), cancel_time: ms(s!.canceledAt), state: STATE.canceled }),
          outcome: "completed",
          note: `CancelTransaction: ${t.providerTxId} cancelled before it was performed (${reasonText(reason)})`,
        };
      }
      // performed: a refund made in the Payme cabinet
      if (!ctx.config.refundAfterPerform) return refuse(c, { error: "cannotCancel", note: "this integration does not accept cancelling a performed transaction" });
      return {
        write: { ...t, state: STATE.canceledAfterPerform, canceledAt: now, reason },
        payment: {
          status: "refunded",
          providerStatus: `Payme state -2 (transaction ${t.providerTxId} cancelled after it was performed, ${reasonText(reason)})`,
          capturedMinor: t.amountMinor,
          refundedMinor: t.amountMinor,
        },
        answer: (s) => rpcResult(c.rpcId, { transaction: ours(s!), cancel_time: ms(s!.canceledAt), state: STATE.canceledAfterPerform }),
        outcome: "completed",
        note: `CancelTransaction: ${t.providerTxId} cancelled after it was performed: payment ${t.paymentId} refunded`,
      };
    }

    case "CheckTransaction": {
      if (!t) return refuse(c, { error: "notFound", note: `no transaction ${String(p.id)}` });
      return {
        answer: () =>
          rpcResult(c.rpcId, {
            create_time: ms(t.createdAt),
            perform_time: ms(t.performedAt),
            cancel_time: ms(t.canceledAt),
            transaction: ours(t),
            state: t.state,
            reason: t.reason,
          }),
        outcome: "completed",
        note: `CheckTransaction: ${t.providerTxId} is in state ${t.state}`,
      };
    }

    case "GetStatement":
      return {
        answer: () =>
          rpcResult(c.rpcId, {
            transactions: state.statement.map((x) => ({
              id: x.providerTxId,
              time: ms(createdByPayme(x)),
              amount: x.amountMinor,
              account: (x.data.account as Record<string, unknown> | undefined) ?? {},
              create_time: ms(x.createdAt),
              perform_time: ms(x.performedAt),
              cancel_time: ms(x.canceledAt),
              transaction: ours(x),
              state: x.state,
              reason: x.reason,
            })),
          }),
        outcome: "completed",
        note: `GetStatement: ${state.statement.length} transaction(s)`,
      };

    case "ChangePassword":
      return {
        credentials: { [c.auth]: String(p.password) },
        answer: () => rpcResult(c.rpcId, { success: true }),
        outcome: "completed",
        note: `ChangePassword: Payme set a new ${c.auth === "testKey" ? "test key" : "key"}`,
      };

    default:
      return { answer: () => rpcError(c.rpcId, "methodNotFound", c.method), outcome: "ignored", note: `${c.method}: not a Merchant API method (-32601)` };
  }
}

