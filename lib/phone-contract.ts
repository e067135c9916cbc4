// The one phone rule, browser-safe (libphonenumber-js only: no database, no environment), so a
// form checks a number with the server's own rule. The server reads national numbers with its
// default country: lib/phone.ts.
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";

export type Normalized = { ok: true; value: string } | { ok: false; reason: string };

/** What a person is told about a phone number the product cannot use. */
export const PHONE_HINT = "Enter the number with its country code, e.g. +7 999 123-45-67";

/**
 * A phone number in E.164 (libphonenumber-js with full metadata, so "valid" means a number that
 * can exist, not just the right length). Without a default country the number needs its +code.
 */
export function checkPhone(input: string, defaultCountry?: CountryCode): Normalized {
  const raw = input.trim().replace(/^whatsapp:/i, "");
  if (!raw) return { ok: false, reason: "Required" };
  if (!raw.startsWith("+") && !defaultCountry) return { ok: false, reason: PHONE_HINT };
  const p = parsePhoneNumberFromString(raw, defaultCountry);
  if (!p || !p.isValid()) return { ok: false, reason: PHONE_HINT };
  return { ok: true, value: p.number };
}
