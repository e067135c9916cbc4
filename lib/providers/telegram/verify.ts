// How telegram proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import { pass, fail, safeEqual, noSecrets, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

/** `X-Telegram-Bot-Api-Secret-Token` equals the secret_token given to setWebhook. No timestamp. */
export function verifyTelegram(req: InboundRequest, secrets: readonly string[]): Verdict {
  const scheme = "telegram-secret-token";
  const got = req.headers.get("x-telegram-bot-api-secret-token");
  if (!got) return fail(scheme, "missing X-Telegram-Bot-Api-Secret-Token header");
  const none = noSecrets(scheme, secrets);
  if (none) return none;
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(got)) return fail(scheme, "the secret token has characters Telegram never sends (A-Z a-z 0-9 _ - only)");
  return secrets.some((s) => safeEqual(got, s)) ? pass(scheme) : fail(scheme, "the secret token does not match");
}
