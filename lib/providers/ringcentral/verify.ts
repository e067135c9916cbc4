// How ringcentral proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import { verifyHeaderToken, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

/**
 * Each notification carries `Verification-Token` = the token we gave when subscribing.
 * No signature and no timestamp in this scheme: the token is all RingCentral offers.
 */
export function verifyRingCentral(req: InboundRequest, tokens: readonly string[]): Verdict {
  return verifyHeaderToken(req, tokens, {
    scheme: "ringcentral-verification-token",
    header: "verification-token",
    missing: "missing Verification-Token header",
    charset: /^[\x21-\x7e]{1,256}$/,
    badCharset: "Verification-Token has characters a token cannot have",
    mismatch: "Verification-Token does not match the subscription's token",
  });
}

/** The subscription handshake: echo `Validation-Token` in a 200 (within 3 s). */
export function ringCentralHandshake(req: InboundRequest): Response | null {
  const token = req.headers.get("validation-token");
  if (!token) return null;
  return new Response(null, { status: 200, headers: { "Validation-Token": token } });
}
