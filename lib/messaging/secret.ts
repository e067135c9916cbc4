// Messages that carry a one-time secret (an OTP, a password-reset link, the variables a template
// declares secret). The row's subject, body, html and templateData hold the masked text from
// the start ("Your code is ••••••"): every API answer and screen reads those. The real text and
// the secret values are sealed with the vault (messages.sealed) for the worker, which needs them
// for sends, retries and fallback and scrubs the values from the provider call log; the seal is
// dropped once the message reaches a final state.
import Handlebars from "handlebars";
import { aadFor, decryptJson, encryptJson } from "@/lib/vault";

export const MASK = "••••••";

/** What is sealed: the real content, and the secret values to scrub from logs and errors. */
export type Sealed = { subject: string | null; text: string; html: string | null; secrets: string[] };

/**
 * The forms a secret value takes in a message: as is, and HTML-escaped (a reset link in an
 * e-mail's HTML part or a Telegram HTML text). Longest first, so a value that contains another
 * is masked whole.
 */
export function secretForms(values: readonly unknown[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (v === null || v === undefined || typeof v === "object") continue;
    const s = String(v);
    if (!s.trim()) continue;
    out.add(s);
    out.add(Handlebars.escapeExpression(s));
  }
  return [...out].sort((a, b) => b.length - a.length);
}

export function maskText(text: string, forms: readonly string[]): string;
export function maskText(text: string | null, forms: readonly string[]): string | null;
export function maskText(text: string | null, forms: readonly string[]): string | null {
  if (text === null) return null;
  let out = text;
  for (const f of forms) out = out.split(f).join(MASK);
  return out;
}

/** Template data with the secret variables' values masked (kept for the drawer's "data" view). */
export function maskData(data: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const k of keys) if (k in out && out[k] !== null && out[k] !== undefined && out[k] !== "") out[k] = MASK;
  return out;
}

export function seal(messageId: string, content: Sealed): string {
  return encryptJson(content, aadFor.messageSealed(messageId));
}

export function unseal(messageId: string, sealed: string): Sealed {
  return decryptJson<Sealed>(sealed, aadFor.messageSealed(messageId));
}
