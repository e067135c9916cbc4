// Phone numbers on the server: E.164, national numbers read with MESSAGING_DEFAULT_COUNTRY.
// Core, because every area that files or dials numbers (messaging, telephony) needs the same
// rule; the rule itself is browser-safe in lib/phone-contract.ts.
import type { CountryCode } from "libphonenumber-js/max";
import { env } from "@/lib/env";
import { checkPhone, type Normalized } from "@/lib/phone-contract";

export type { Normalized };

/** E.164, read with MESSAGING_DEFAULT_COUNTRY when the number has no +code. */
export function normalizePhone(input: string, defaultCountry = env().MESSAGING_DEFAULT_COUNTRY as CountryCode | undefined): Normalized {
  return checkPhone(input, defaultCountry);
}
