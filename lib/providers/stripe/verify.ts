// How stripe proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import Stripe from "stripe";
import { DEFAULT_TOLERANCE_SECONDS, pass, fail, checkAge, noSecrets, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

/** `Stripe-Signature: t=…,v1=…`, hex HMAC-SHA256 of `t.body` keyed with the whole whsec_ string. */
export function verifyStripe(req: InboundRequest, secrets: readonly string[], tolerance = DEFAULT_TOLERANCE_SECONDS): Verdict {
  const scheme = "stripe-signature";
  const header = req.headers.get("stripe-signature");
  if (!header) return fail(scheme, "missing Stripe-Signature header");
  const none = noSecrets(scheme, secrets);
  if (none) return none;
  const t = /(?:^|,)\s*t=([^,]*)/.exec(header)?.[1];
  if (!t || !/(?:^|,)\s*v1=/.test(header)) return fail(scheme, "Stripe-Signature is malformed: expected t=<unix>,v1=<hex>");
  const v1 = [...header.matchAll(/(?:^|,)\s*v1=([^,]*)/g)].map((m) => m[1]);
  if (v1.some((s) => !/^[0-9a-f]{64}$/i.test(s))) return fail(scheme, "Stripe-Signature v1 is not 64 hex characters");
  const stale = checkAge(scheme, t, tolerance);
  if (stale) return stale;
  for (const secret of secrets) {
    try {
      Stripe.webhooks.constructEvent(req.rawBody, header, secret, tolerance);
      return pass(scheme);
    } catch {
      /* try the previous secret */
    }
  }
  return fail(scheme, "signature mismatch: no configured signing secret produces this signature");
}
