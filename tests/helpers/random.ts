// Random test values that have to look like a provider's: keys, ids and secrets made of letters
// and digits only. Pure (node:crypto): the browser tests import it too.
import { randomBytes } from "node:crypto";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `n` random letters and digits ("sk_test_" + randomAlnum(24) is a Stripe-shaped test key). */
export function randomAlnum(n: number): string {
  return Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join("");
}
