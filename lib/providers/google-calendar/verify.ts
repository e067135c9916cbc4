// How google-calendar proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import { pass, fail, safeEqual, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

export type GoogleChannel = { id: string; token: string };

/**
 * Calendar push: X-Goog-Channel-ID and X-Goog-Channel-Token must match a channel we created;
 * a notification for a channel past its X-Goog-Channel-Expiration is stale.
 */
export function verifyGooglePush(req: InboundRequest, channels: readonly GoogleChannel[]): Verdict {
  const scheme = "google-channel-token";
  const id = req.headers.get("x-goog-channel-id");
  const token = req.headers.get("x-goog-channel-token");
  if (!id || !token) return fail(scheme, `missing ${!id ? "X-Goog-Channel-ID" : "X-Goog-Channel-Token"} header`);
  if (channels.length === 0) return fail(scheme, "no push channel is open for this integration");
  if (!/^[A-Za-z0-9_\-=+/.:]{1,256}$/.test(token)) return fail(scheme, "X-Goog-Channel-Token has characters a token cannot have");
  const exp = req.headers.get("x-goog-channel-expiration");
  if (exp) {
    const at = Date.parse(exp);
    if (Number.isNaN(at)) return fail(scheme, "X-Goog-Channel-Expiration is not a date");
    if (at < Date.now()) return fail(scheme, "the channel expired: a stale notification");
  }
  let match = false;
  for (const c of channels) if (safeEqual(id, c.id) && safeEqual(token, c.token)) match = true;
  return match ? pass(scheme) : fail(scheme, "unknown channel or wrong channel token");
}
