// How generic-webhook proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import { verifySignature as verifyGeneric, type SignatureScheme } from "@/lib/providers/signing";
import { pass, fail, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

/** Plain hex HMAC-SHA256 of the body (X-Signature, or a configured header) or Standard Webhooks (±5 min). */
export function verifyCustom(req: InboundRequest, scheme: SignatureScheme, secrets: readonly string[], header?: string): Verdict {
  const name = scheme === "hmac-sha256" ? "hmac-sha256" : "standard-webhooks";
  const r = verifyGeneric(scheme, secrets, req.rawBody, req.headers, { header });
  return r.ok ? pass(name) : fail(name, r.reason);
}
