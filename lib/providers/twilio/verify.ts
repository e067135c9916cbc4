// How twilio proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import twilio from "twilio";
import { pass, fail, noSecrets, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

/**
 * `X-Twilio-Signature`: base64 HMAC-SHA1 of the full public URL plus the sorted form
 * parameters, keyed with the auth token (a JSON body is covered by the bodySHA256 query
 * parameter instead). No timestamp in this scheme: Twilio's requests cannot be checked for age.
 */
export function verifyTwilio(req: InboundRequest, authTokens: readonly string[]): Verdict {
  const scheme = "twilio-signature";
  const sig = req.headers.get("x-twilio-signature");
  if (!sig) return fail(scheme, "missing X-Twilio-Signature header");
  const none = noSecrets(scheme, authTokens);
  if (none) return none;
  if (!/^[A-Za-z0-9+/]{27}=$/.test(sig)) return fail(scheme, "X-Twilio-Signature is not a base64 HMAC-SHA1");
  const type = req.headers.get("content-type") ?? "";
  const json = !type.includes("application/x-www-form-urlencoded");
  let params: Record<string, string> = {};
  if (!json) params = Object.fromEntries(new URLSearchParams(req.rawBody));
  for (const token of authTokens) {
    const ok = json && new URL(req.url).searchParams.has("bodySHA256")
      ? twilio.validateRequestWithBody(token, sig, req.url, req.rawBody)
      : twilio.validateRequest(token, sig, req.url, params);
    if (ok) return pass(scheme);
  }
  return fail(scheme, "signature mismatch: check the auth token and that the public URL matches the one Twilio called (behind a proxy, set the public base URL in Settings)");
}
