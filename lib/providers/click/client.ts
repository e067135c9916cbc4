// Click's SHOP API wire format, both ways (../shared/reference/providers.md; checked against
// Click's own integration libraries, github.com/click-llc/click-integration-django and
// click-integration-php, on 2026-12-07: docs.click.uz itself was not available to read, so
// everything here is UNCONFIRMED against it):
// - Click POSTs form fields to our Prepare (action=0) and Complete (action=1) URLs;
// - sign_string = md5(click_trans_id + service_id + secret_key + merchant_trans_id
//   + merchant_prepare_id (Complete only) + amount + action + sign_time), the fields as sent;
// - we answer JSON {click_trans_id, merchant_trans_id, merchant_prepare_id | merchant_confirm_id,
//   error, error_note}; the codes and their notes are the libraries'.
// - the payment page: https://my.click.uz/services/pay?service_id&merchant_id&amount&transaction_param&return_url.
import { createHash } from "node:crypto";
import type { ProviderContext } from "@/lib/providers/types";

export type ClickCredentials = { serviceId: string; merchantId: string; secretKey: string; merchantUserId?: string };
export type ClickConfig = { checkoutUrl?: string };
export type ClickContext = ProviderContext<ClickCredentials, ClickConfig>;

/** Click's answer codes with the notes its libraries send */
export const CODES = {
  ok: { error: 0, note: "Success" },
  sign: { error: -1, note: "SIGN CHECK FAILED!" },
  amount: { error: -2, note: "Incorrect parameter amount" },
  action: { error: -3, note: "Action not found" },
  paid: { error: -4, note: "Already paid" },
  order: { error: -5, note: "User does not exist" },
  transaction: { error: -6, note: "Transaction does not exist" },
  update: { error: -7, note: "Failed to update user" },
  request: { error: -8, note: "Error in request from click" },
  cancelled: { error: -9, note: "Transaction cancelled" },
} as const;
export type ClickCode = keyof typeof CODES;

/** Our transaction states (Click has none of its own: prepared, completed, cancelled) */
export const STATE = { prepared: 1, completed: 2, cancelled: -1 } as const;

export const REQUIRED = ["click_trans_id", "service_id", "merchant_trans_id", "amount", "action", "sign_time", "sign_string"] as const;

export function formOf(rawBody: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(rawBody));
}

/** The sign_string Click sends for these fields, made with `secretKey`. */
export function signOf(f: Record<string, string | undefined>, secretKey: string): string {
  const prepareId = f.action === "1" ? (f.merchant_prepare_id ?? "") : "";
  return createHash("md5")
    .update(`${f.click_trans_id ?? ""}${f.service_id ?? ""}${secretKey}${f.merchant_trans_id ?? ""}${prepareId}${f.amount ?? ""}${f.action ?? ""}${f.sign_time ?? ""}`, "utf8")
    .digest("hex");
}

/** "1000", "1000.5", "1000.00" sums → tiyin; null when it is not a sum (or has non-zero digits past the tiyin) */
export function tiyinOf(amount: string): number | null {
  const m = /^(\d{1,13})(?:\.(\d{1,6}))?$/.exec(amount.trim());
  if (!m) return null;
  const frac = (m[2] ?? "").padEnd(2, "0");
  if (/[1-9]/.test(frac.slice(2))) return null;
  return Number(m[1]) * 100 + Number(frac.slice(0, 2));
}

/** tiyin → "1000.00" */
export const sumOf = (tiyin: number) => `${Math.floor(tiyin / 100)}.${String(tiyin % 100).padStart(2, "0")}`;

/** The payment page's URL. */
export function payLink(base: string, p: { serviceId: string; merchantId: string; amountTiyin: number; orderId: string; returnUrl?: string | null }): string {
  const q = new URLSearchParams({ service_id: p.serviceId, merchant_id: p.merchantId, amount: sumOf(p.amountTiyin), transaction_param: p.orderId });
  if (p.returnUrl) q.set("return_url", p.returnUrl);
  return `${base.replace(/\/$/, "")}/services/pay?${q.toString()}`;
}

/** Click's sign_time: "YYYY-MM-DD HH:mm:ss" (Tashkent time, UTC+5) */
export function signTime(d = new Date()): string {
  return new Date(d.getTime() + 5 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}
