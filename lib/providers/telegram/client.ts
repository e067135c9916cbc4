// Telegram Bot API over plain HTTPS: https://api.telegram.org/bot<token>/<method>.
// The token is in the URL path: lib/http.ts scrubs it from the logs by value.
import type { ProviderContext } from "@/lib/providers/types";
import { HttpError } from "@/lib/http";
import { classifyFailure, ProviderError, retryableStatus } from "@/lib/providers/errors";

export type TelegramCredentials = { botToken: string };

/** A Bot API refusal: `error_code` is an HTTP status (400, 401, 403, 404, 429 …). */
export class TelegramError extends ProviderError {
  constructor(
    public code: number,
    public description: string,
    public retryAfter?: number,
  ) {
    super(`Telegram ${code}: ${description}`, { status: code, retryable: retryableStatus(code), retryAfterSeconds: retryAfter, providerCode: code });
    this.name = "TelegramError";
  }
}

type Envelope<T> = { ok: true; result: T } | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };

export async function callBot<T>(
  ctx: ProviderContext<TelegramCredentials>,
  method: string,
  params?: Record<string, unknown>,
): Promise<T> {
  const url = `${ctx.baseUrl.replace(/\/$/, "")}/bot${ctx.credentials.botToken}/${method}`;
  const res = await ctx.call(`telegram.${method}`, params ? { method: "POST", url, body: params } : { method: "GET", url });
  let env: Envelope<T>;
  try {
    env = res.json<Envelope<T>>();
  } catch {
    throw new TelegramError(res.status, `unexpected answer (HTTP ${res.status}, not JSON)`);
  }
  if (!env.ok) throw new TelegramError(env.error_code ?? res.status, env.description ?? "error", env.parameters?.retry_after);
  return env.result;
}

export type BotUser = { id: number; is_bot: boolean; first_name: string; username?: string };
export type WebhookInfo = {
  url: string;
  has_custom_certificate: boolean;
  pending_update_count: number;
  last_error_date?: number;
  last_error_message?: string;
  max_connections?: number;
  allowed_updates?: string[];
};

/** A sentence for a person about why a call failed. */
export function explain(e: unknown): string {
  if (e instanceof TelegramError) {
    if (e.code === 401) return "Telegram rejected the bot token (401 Unauthorized): it was revoked or mistyped";
    if (e.code === 404) return "Telegram does not know this bot token (404): check it was copied whole from @BotFather";
    if (e.code === 429) return `Telegram is rate limiting this bot (429): retry in ${e.retryAfter ?? "a few"} s`;
    if (e.code >= 500) return `Telegram had a server error (${e.code}): try again later`;
    return `Telegram answered ${e.code}: ${e.description}`;
  }
  if (e instanceof HttpError) return classifyFailure(e, { name: "Telegram" }).message;
  return (e as Error).message;
}
