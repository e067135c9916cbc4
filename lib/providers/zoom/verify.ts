// How zoom proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import { createHmac } from "node:crypto";
import { DEFAULT_TOLERANCE_SECONDS, pass, fail, safeEqual, checkAge, noSecrets, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

export function zoomSignature(secret: string, ts: string, body: string) {
  return `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
}

/** `x-zm-signature: v0=<hex HMAC-SHA256(secretToken, "v0:" + ts + ":" + body)>`. */
export function verifyZoom(req: InboundRequest, secretTokens: readonly string[], tolerance = DEFAULT_TOLERANCE_SECONDS): Verdict {
  const scheme = "zoom-signature";
  const sig = req.headers.get("x-zm-signature");
  const ts = req.headers.get("x-zm-request-timestamp");
  if (!sig || !ts) return fail(scheme, `missing ${!sig ? "x-zm-signature" : "x-zm-request-timestamp"} header`);
  const none = noSecrets(scheme, secretTokens);
  if (none) return none;
  if (!/^v0=[0-9a-f]{64}$/i.test(sig)) return fail(scheme, "x-zm-signature is not v0=<64 hex characters>");
  const stale = checkAge(scheme, ts, tolerance);
  if (stale) return stale;
  return secretTokens.some((s) => safeEqual(sig.toLowerCase(), zoomSignature(s, ts, req.rawBody)))
    ? pass(scheme)
    : fail(scheme, "signature mismatch for the configured secret token");
}

/** The answer to Zoom's `endpoint.url_validation` challenge (sent signed like any event). */
export function zoomUrlValidation(plainToken: string, secretToken: string) {
  return { plainToken, encryptedToken: createHmac("sha256", secretToken).update(plainToken).digest("hex") };
}
