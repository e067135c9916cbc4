// How paypal proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import { isBase64 } from "@/lib/providers/signing";
import { DEFAULT_TOLERANCE_SECONDS, pass, fail, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

export type PayPalVerifyRequest = {
  auth_algo: string;
  cert_url: string;
  transmission_id: string;
  transmission_sig: string;
  transmission_time: string;
  webhook_id: string;
  webhook_event: unknown;
};

/**
 * PayPal: the headers and the event go to PayPal's own verify endpoint, which answers
 * SUCCESS or FAILURE. We add the age check PayPal leaves to us and refuse obviously
 * malformed headers before spending a call on them.
 */
export async function verifyPayPal(
  req: InboundRequest,
  webhookId: string | undefined,
  callVerify: (body: PayPalVerifyRequest) => Promise<string>,
  tolerance = DEFAULT_TOLERANCE_SECONDS,
): Promise<Verdict> {
  const scheme = "paypal-verify-endpoint";
  const h = (n: string) => req.headers.get(n) ?? "";
  const need = ["paypal-transmission-id", "paypal-transmission-time", "paypal-transmission-sig", "paypal-cert-url", "paypal-auth-algo"];
  const missing = need.filter((n) => !h(n));
  if (missing.length) return fail(scheme, `missing ${missing.map((m) => m.toUpperCase()).join(", ")} header`);
  if (!webhookId) return fail(scheme, "no PayPal webhook id is configured for this integration");
  if (!isBase64(h("paypal-transmission-sig"))) return fail(scheme, "PAYPAL-TRANSMISSION-SIG is not base64");
  const at = Date.parse(h("paypal-transmission-time"));
  if (Number.isNaN(at)) return fail(scheme, "PAYPAL-TRANSMISSION-TIME is not a date");
  const age = Math.floor((Date.now() - at) / 1000);
  if (age > tolerance) return fail(scheme, `the transmission is ${age} s old (tolerance ${tolerance} s): a stale or replayed request`);
  if (age < -tolerance) return fail(scheme, "the transmission time is in the future beyond the tolerance");
  let event: unknown;
  try {
    event = JSON.parse(req.rawBody);
  } catch {
    return fail(scheme, "the body is not JSON");
  }
  const status = await callVerify({
    auth_algo: h("paypal-auth-algo"),
    cert_url: h("paypal-cert-url"),
    transmission_id: h("paypal-transmission-id"),
    transmission_sig: h("paypal-transmission-sig"),
    transmission_time: h("paypal-transmission-time"),
    webhook_id: webhookId,
    webhook_event: event,
  });
  return status === "SUCCESS" ? pass(scheme) : fail(scheme, `PayPal's verify endpoint answered ${status || "nothing"}`);
}
