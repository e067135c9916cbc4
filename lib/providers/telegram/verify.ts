// How telegram proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import { verifyHeaderToken, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

/** `X-Telegram-Bot-Api-Secret-Token` equals the secret_token given to setWebhook. No timestamp. */
export function verifyTelegram(req: InboundRequest, secrets: readonly string[]): Verdict {
  return verifyHeaderToken(req, secrets, {
    scheme: "telegram-secret-token",
    header: "x-telegram-bot-api-secret-token",
    missing: "missing X-Telegram-Bot-Api-Secret-Token header",
    charset: /^[A-Za-z0-9_-]{1,256}$/,
    badCharset: "the secret token has characters Telegram never sends (A-Z a-z 0-9 _ - only)",
    mismatch: "the secret token does not match",
  });
}
