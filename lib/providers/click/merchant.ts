// Click's SHOP API by its rules (client.ts says where they come from): Prepare (action=0) asks
// whether the order can be paid and gets our merchant_prepare_id; Complete (action=1) with
// error=0 says the money was taken (we confirm with merchant_confirm_id), with error<0 that it
// failed on Click's side (we cancel ours). Pure: lib/payments/merchant.ts reads the state under
// a lock on the order, stores what is decided and answers. A repeated call for the same
// click_trans_id gets the first answer again.
import { z } from "zod";
import { WebhookBodyError, type MerchantDecision, type MerchantState, type MerchantTransactionWrite, type ParsedWebhook } from "@/lib/providers/types";
import type { InboundRequest } from "@/lib/providers/webhook-kit";
import { CODES, REQUIRED, STATE, formOf, tiyinOf, type ClickCode } from "@/lib/providers/click/client";

const fields = z.object({
  click_trans_id: z.string().regex(/^\d{1,20}$/, "digits"),
  service_id: z.string().regex(/^\d{1,20}$/, "digits"),
  click_paydoc_id: z.string().regex(/^\d{1,20}$/, "digits").optional(),
  merchant_trans_id: z.string().min(1).max(200),
  merchant_prepare_id: z.string().regex(/^\d{1,20}$/, "digits").optional(),
  amount: z.string().regex(/^\d{1,13}(\.\d{1,6})?$/, "a sum such as 1000.00"),
  action: z.string().regex(/^-?\d{1,3}$/, "a number"),
  error: z.string().regex(/^-?\d{1,10}$/, "a number").optional(),
  error_note: z.string().max(2000).optional(),
  sign_time: z.string().min(1).max(40),
  sign_string: z.string().regex(/^[0-9a-fA-F]{32}$/, "32 hexadecimal characters"),
});
export type ClickFields = z.output<typeof fields>;

/** A verified form as a call: missing or malformed fields are refused here (-8). */
export function parseCall(req: InboundRequest): ParsedWebhook {
  const r = fields.safeParse(formOf(req.rawBody));
  if (!r.success) {
    const first = r.error.issues[0];
    throw new WebhookBodyError(`${first.path.join(".") || "the form"}: ${first.message}`);
  }
  const f = r.data;
  if (f.action === "1" && !f.merchant_prepare_id) throw new WebhookBodyError("merchant_prepare_id: a Complete must carry it");
  return { type: f.action === "0" ? "prepare" : f.action === "1" ? "complete" : `action ${f.action}`, id: f.click_trans_id, payload: f };
}

export function callSubject(req: InboundRequest): string | null {
  return formOf(req.rawBody).click_trans_id || null;
}

function body(f: Partial<ClickFields>, code: ClickCode, ids: { prepare?: number; confirm?: number } = {}) {
  return {
    click_trans_id: Number(f.click_trans_id) || 0,
    merchant_trans_id: f.merchant_trans_id ?? "",
    ...(f.action === "1" ? { merchant_confirm_id: ids.confirm ?? null } : { merchant_prepare_id: ids.prepare ?? null }),
    error: CODES[code].error,
    error_note: CODES[code].note,
  };
}

/** Refused before it was read: -1 for a signature (or service) that does not check, -8 for a malformed request. */
export function refusal(req: InboundRequest, why: { code: "unauthorized" | "invalid_json" | "validation_failed"; reason: string }): Response {
  const f = formOf(req.rawBody);
  const malformed = why.code !== "unauthorized" || REQUIRED.some((k) => !f[k]);
  return Response.json(body(f, malformed ? "request" : "sign"));
}

/** our side failed (the database): -7, Click tries again */
export function failure(call: ParsedWebhook) {
  return body(call.payload as ClickFields, "update");
}

export function lookup(call: ParsedWebhook) {
  const f = call.payload as ClickFields;
  return { orderId: f.merchant_trans_id, providerTxId: f.click_trans_id };
}

const refuse = (f: ClickFields, code: ClickCode, note: string, ids: { prepare?: number; confirm?: number } = {}): MerchantDecision => ({
  answer: () => body(f, code, ids),
  outcome: "ignored",
  note: `${f.action === "0" ? "Prepare" : f.action === "1" ? "Complete" : `Action ${f.action}`}: ${CODES[code].error} (${note})`,
});

const PAID = ["succeeded", "partially_refunded", "refunded"];

export function decide(call: ParsedWebhook, state: MerchantState): MerchantDecision {
  const f = call.payload as ClickFields;
  const t = state.transaction;
  const o = state.order;
  const tiyin = tiyinOf(f.amount);
  const clickError = Number(f.error ?? "0");
  if (f.action !== "0" && f.action !== "1") return refuse(f, "action", `action ${f.action}`);

  if (f.action === "0") {
    if (t) {
      // the same Prepare again: its first answer
      if (t.state === STATE.prepared) return { answer: () => body(f, "ok", { prepare: t.number }), outcome: "completed", note: `Prepare: ${t.providerTxId} again, the same answer` };
      if (t.state === STATE.completed) return refuse(f, "paid", `transaction ${t.providerTxId} is completed`, { prepare: t.number });
      return refuse(f, "cancelled", `transaction ${t.providerTxId} is cancelled`, { prepare: t.number });
    }
    if (clickError < 0) return refuse(f, "cancelled", `Click sent error ${clickError} with the Prepare`);
    if (!o || o.currency !== "UZS") return refuse(f, "order", `no payment of this integration is ${f.merchant_trans_id}`);
    if (tiyin === null || tiyin !== o.amountMinor) return refuse(f, "amount", `Click asked for ${f.amount}, the payment is ${o.amountMinor} tiyin`);
    if (PAID.includes(o.status)) return refuse(f, "paid", `the payment is already ${o.status}`);
    if (o.status === "canceled") return refuse(f, "cancelled", "the payment is canceled");
    const write: MerchantTransactionWrite = {
      providerTxId: f.click_trans_id,
      paymentId: o.id,
      state: STATE.prepared,
      amountMinor: tiyin,
      providerTime: null,
      createdAt: state.now,
      performedAt: null,
      canceledAt: null,
      reason: null,
      data: { click_paydoc_id: f.click_paydoc_id ?? null, sign_time: f.sign_time },
    };
    return {
      write,
      payment: o.status === "pending" ? { status: "pending", providerStatus: `Click transaction ${f.click_trans_id} prepared` } : null,
      answer: (s) => body(f, "ok", { prepare: s!.number }),
      outcome: "completed",
      note: `Prepare: ${f.click_trans_id} prepared for payment ${o.id}`,
    };
  }

  // Complete
  if (!t || String(t.number) !== f.merchant_prepare_id || t.paymentId !== f.merchant_trans_id) {
    return refuse(f, "transaction", t ? `merchant_prepare_id ${f.merchant_prepare_id} or merchant_trans_id is not transaction ${t.providerTxId}'s` : `no prepared transaction ${f.click_trans_id}`);
  }
  if (tiyin === null || tiyin !== t.amountMinor) return refuse(f, "amount", `Click completes ${f.amount}, the transaction was prepared for ${t.amountMinor} tiyin`);
  if (t.state === STATE.completed) {
    return { answer: () => body(f, "ok", { confirm: t.number }), outcome: "completed", note: `Complete: ${t.providerTxId} again, the same answer` };
  }
  if (t.state === STATE.cancelled) return refuse(f, "cancelled", `transaction ${t.providerTxId} is cancelled`);
  if (clickError < 0) {
    const why = `Click could not take the payment (error ${clickError}${f.error_note ? `: ${f.error_note}` : ""})`;
    return {
      write: { ...t, state: STATE.cancelled, canceledAt: state.now, reason: clickError, data: { ...t.data, error_note: f.error_note ?? null } },
      payment: { status: "failed", providerStatus: `Click transaction ${t.providerTxId} cancelled (error ${clickError})`, error: why },
      answer: () => body(f, "cancelled"),
      outcome: "completed",
      note: `Complete with error ${clickError}: ${t.providerTxId} cancelled, payment ${t.paymentId} failed`,
    };
  }
  if (o && PAID.includes(o.status)) return refuse(f, "paid", `the payment is already ${o.status}`);
  if (o?.status === "canceled") return refuse(f, "cancelled", "the payment is canceled");
  return {
    write: { ...t, state: STATE.completed, performedAt: state.now },
    payment: { status: "succeeded", providerStatus: `Click transaction ${t.providerTxId} completed`, capturedMinor: t.amountMinor, providerPaymentId: t.providerTxId },
    answer: (s) => body(f, "ok", { confirm: s!.number }),
    outcome: "completed",
    note: `Complete: ${t.providerTxId} completed, payment ${t.paymentId} succeeded`,
  };
}
