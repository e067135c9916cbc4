// How Payme proves a call is its own (../shared/reference/providers.md; the shared parts:
// lib/providers/webhook-kit.ts): HTTP Basic with the login "Paycom" and the cashbox key as the
// password. The test key (Payme's test environment) is accepted too while it is set. The
// scheme is as the reference and Payme's own libraries use it; the authorisation page of
// developer.help.paycom.uz was not among the pages read (UNCONFIRMED there). A wrong or missing
// key is answered with -32504 (the "Ошибки" page).
import { fail, noSecrets, pass, safeEqual, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

export const PAYME_SCHEME = "payme-basic";

/** Which key a request carries ("key", "testKey") or why it carries none that we know. */
export function paymeKeyOf(req: InboundRequest, keys: { key: readonly string[]; testKey: readonly string[] }): { field: "key" | "testKey" } | { reason: string } {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  if (!m) return { reason: "no HTTP Basic authorization (Payme sends Paycom:<key>)" };
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const i = decoded.indexOf(":");
  if (i < 0 || decoded.slice(0, i) !== "Paycom") return { reason: 'the login is not "Paycom"' };
  const given = decoded.slice(i + 1);
  // every candidate is compared (constant time), whichever matches first
  let found: "key" | "testKey" | null = null;
  for (const k of keys.key) if (safeEqual(given, k)) found ??= "key";
  for (const k of keys.testKey) if (safeEqual(given, k)) found ??= "testKey";
  return found ? { field: found } : { reason: "the key is not this cashbox's key" };
}

export function verifyPayme(req: InboundRequest, keys: { key: readonly string[]; testKey: readonly string[] }): Verdict {
  const none = noSecrets(PAYME_SCHEME, [...keys.key, ...keys.testKey]);
  if (none) return none;
  const r = paymeKeyOf(req, keys);
  if ("reason" in r) return fail(PAYME_SCHEME, r.reason);
  return pass(PAYME_SCHEME, r.field === "testKey" ? "the test key" : undefined);
}
