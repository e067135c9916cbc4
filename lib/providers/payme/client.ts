// Payme's wire format, both ways (../shared/reference/providers.md, checked against
// developer.help.paycom.uz on 2026-12-07; what the pages did not show is marked UNCONFIRMED):
// - the checkout link: <checkout>/base64("m=<merchant>;ac.<field>=<order>;a=<tiyin>;c=<return>;l=<lang>")
//   (the "Отправка чека по методу GET" page: format, separator ";", keys m, ac, a, l, c, ct, cr);
// - the Merchant API's answers: JSON-RPC 2.0 over HTTP 200, `result` or
//   `error: {code, message: {ru, uz, en}, data}` (the "Ошибки (ERRORS)" page: the codes below;
//   -31050…-31099 must carry localized messages and name the account field in `data`).
// Payme calls us; we never call Payme's API (there is no merchant-side status or refund call).
import type { ProviderContext } from "@/lib/providers/types";

export type PaymeCredentials = { merchantId: string; key: string; testKey?: string };
export type PaymeConfig = { accountField: string; checkoutUrl?: string; language: "ru" | "uz" | "en"; refundAfterPerform: boolean };
export type PaymeContext = ProviderContext<PaymeCredentials, PaymeConfig>;

/** 12 hours, from the transaction's creation in Payme (its `time`): CreateTransaction's "Отмена по таймауту" */
export const TIMEOUT_MS = 43_200_000;

/** Transaction states (the documented numbers) */
export const STATE = { created: 1, performed: 2, canceled: -1, canceledAfterPerform: -2 } as const;

/** Cancel reasons. 4 (timeout) is on the CreateTransaction page; the others are UNCONFIRMED (not on the pages read). */
export const REASONS: Record<number, string> = {
  1: "a receiver was not found or is inactive in Payme Business",
  2: "the debit failed at the processing centre",
  3: "the transaction failed",
  4: "not performed within 12 hours",
  5: "a refund",
  10: "an unknown error",
};
export const reasonText = (r: number | null | undefined) => (r === null || r === undefined ? "no reason given" : `${REASONS[r] ?? "a reason Switchboard does not know"} (reason ${r})`);

type Message = { ru: string; uz: string; en: string };

/** Payme's error codes with the messages we answer (Payme shows them to the payer: all three languages). */
export const ERRORS = {
  parse: { code: -32700, message: { ru: "Ошибка разбора JSON", uz: "JSON tahlilida xato", en: "The request is not valid JSON" } },
  invalidRequest: { code: -32600, message: { ru: "Неверный RPC-запрос", uz: "Noto'g'ri RPC so'rov", en: "Invalid RPC request" } },
  methodNotFound: { code: -32601, message: { ru: "Метод не найден", uz: "Metod topilmadi", en: "Method not found" } },
  unauthorized: { code: -32504, message: { ru: "Недостаточно привилегий для выполнения метода", uz: "Metodni bajarish uchun huquq yetarli emas", en: "Insufficient privileges to perform the method" } },
  system: { code: -32400, message: { ru: "Системная ошибка, повторите позже", uz: "Tizim xatosi, keyinroq qayta urinib ko'ring", en: "System error, try again later" } },
  wrongAmount: { code: -31001, message: { ru: "Неверная сумма", uz: "Noto'g'ri summa", en: "Wrong amount" } },
  notFound: { code: -31003, message: { ru: "Транзакция не найдена", uz: "Tranzaksiya topilmadi", en: "Transaction not found" } },
  cannotCancel: {
    code: -31007,
    message: { ru: "Заказ выполнен, отменить транзакцию невозможно", uz: "Buyurtma bajarilgan, tranzaksiyani bekor qilib bo'lmaydi", en: "The order is fulfilled: the transaction cannot be cancelled" },
  },
  cannotPerform: { code: -31008, message: { ru: "Невозможно выполнить операцию", uz: "Amalni bajarib bo'lmaydi", en: "The operation cannot be performed" } },
  // account (order) errors: -31050…-31099, `data` names the account field
  orderNotFound: { code: -31050, message: { ru: "Заказ не найден", uz: "Buyurtma topilmadi", en: "Order not found" } },
  orderPaid: { code: -31051, message: { ru: "Заказ уже оплачен", uz: "Buyurtma allaqachon to'langan", en: "The order is already paid" } },
  orderCanceled: { code: -31052, message: { ru: "Заказ отменён", uz: "Buyurtma bekor qilingan", en: "The order is cancelled" } },
  orderBusy: {
    code: -31099,
    message: { ru: "Заказ уже оплачивается другой транзакцией", uz: "Buyurtma boshqa tranzaksiya orqali to'lanmoqda", en: "The order is being paid by another transaction" },
  },
} satisfies Record<string, { code: number; message: Message }>;

export type PaymeError = keyof typeof ERRORS;
export type RpcId = string | number | null;

export const rpcResult = (id: RpcId, result: unknown) => ({ jsonrpc: "2.0", id, result });
export const rpcError = (id: RpcId, e: PaymeError, data?: unknown) => ({
  jsonrpc: "2.0",
  id,
  error: { code: ERRORS[e].code, message: ERRORS[e].message, ...(data !== undefined ? { data } : {}) },
});

/** The JSON-RPC id of a raw body, when it has one (an error answer echoes it). */
export function rpcIdOf(rawBody: string): RpcId {
  try {
    const id = (JSON.parse(rawBody) as { id?: unknown })?.id;
    return typeof id === "string" || typeof id === "number" ? id : null;
  } catch {
    return null;
  }
}

// ───────────── the checkout link ─────────────

/**
 * The GET checkout link. A `;` inside the return URL would end its value, so it is sent as
 * %3B (UNCONFIRMED: the page names no escaping; a return URL without `;` is unaffected).
 */
export function checkoutLink(base: string, p: { merchantId: string; accountField: string; orderId: string; amountTiyin: number; returnUrl?: string | null; language?: string }): string {
  const parts = [`m=${p.merchantId}`, `ac.${p.accountField}=${p.orderId}`, `a=${p.amountTiyin}`];
  if (p.returnUrl) parts.push(`c=${p.returnUrl.replace(/;/g, "%3B")}`);
  if (p.language) parts.push(`l=${p.language}`);
  return `${base.replace(/\/$/, "")}/${Buffer.from(parts.join(";"), "utf8").toString("base64")}`;
}

/** The parameters of a checkout link's last path segment (the sandbox's checkout reads them). */
export function readCheckoutToken(token: string): Record<string, string> | null {
  let text: string;
  try {
    text = Buffer.from(decodeURIComponent(token), "base64").toString("utf8");
  } catch {
    return null;
  }
  const out: Record<string, string> = {};
  for (const part of text.split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) return null;
    out[part.slice(0, i)] = part.slice(i + 1).replace(/%3B/gi, ";");
  }
  return out.m && out.a ? out : null;
}
