// How Click proves a Prepare or Complete is its own (../shared/reference/providers.md; the
// shared parts: lib/providers/webhook-kit.ts): the MD5 sign_string over the fields and the
// service's secret key (client.ts signOf), compared in constant time, for this integration's
// service id. Click signs a time but documents no tolerance for it (UNCONFIRMED): none is
// applied; a replayed call finds its transaction and gets the same answer.
import { fail, noSecrets, pass, safeEqual, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";
import { REQUIRED, formOf, signOf } from "@/lib/providers/click/client";

export const CLICK_SCHEME = "click-md5-sign";

export function verifyClick(req: InboundRequest, serviceId: string, secretKeys: readonly string[]): Verdict {
  const none = noSecrets(CLICK_SCHEME, secretKeys);
  if (none) return none;
  const f = formOf(req.rawBody);
  const missing = REQUIRED.filter((k) => !f[k]);
  if (missing.length) return fail(CLICK_SCHEME, `the request lacks ${missing.join(", ")}`);
  if (f.service_id !== serviceId) return fail(CLICK_SCHEME, `service_id ${f.service_id} is not this integration's service`);
  const given = f.sign_string.toLowerCase();
  return secretKeys.some((k) => safeEqual(signOf(f, k), given)) ? pass(CLICK_SCHEME) : fail(CLICK_SCHEME, "sign_string does not match the service's secret key");
}
