// How sendgrid proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import { isBase64 } from "@/lib/providers/signing";
import { EventWebhook } from "@sendgrid/eventwebhook";
import { DEFAULT_TOLERANCE_SECONDS, pass, fail, checkAge, noSecrets, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

const SG_SIG = "x-twilio-email-event-webhook-signature";
const SG_TS = "x-twilio-email-event-webhook-timestamp";

/** ECDSA P-256 over `timestamp + body`, verified with the public key from the SendGrid dashboard. */
export function verifySendgrid(req: InboundRequest, publicKeys: readonly string[], tolerance = DEFAULT_TOLERANCE_SECONDS): Verdict {
  const scheme = "sendgrid-ecdsa";
  const sig = req.headers.get(SG_SIG);
  const ts = req.headers.get(SG_TS);
  if (!sig || !ts) return fail(scheme, `missing ${!sig ? "X-Twilio-Email-Event-Webhook-Signature" : "X-Twilio-Email-Event-Webhook-Timestamp"} header`);
  const none = noSecrets(scheme, publicKeys);
  if (none) return none;
  if (!isBase64(sig)) return fail(scheme, "the signature is not base64");
  // the SDK checks no age: we do
  const stale = checkAge(scheme, ts, tolerance);
  if (stale) return stale;
  const ew = new EventWebhook();
  let malformed = false;
  for (const key of publicKeys) {
    try {
      if (ew.verifySignature(ew.convertPublicKeyToECDSA(key), req.rawBody, sig, ts)) return pass(scheme);
    } catch {
      malformed = true; // not DER, or a key that is not an EC public key
    }
  }
  return fail(scheme, malformed ? "the signature is not a DER-encoded ECDSA signature (or the public key is invalid)" : "signature mismatch for the configured public key");
}
