// Plays a Telegram user writing to a sandbox-mode bot (lib/messaging/sandbox-telegram.ts).
//   GET  → { chatId, integration } : the chat this user writes from, and the bot
//   POST { integrationId?, text, chatId? } → { chatId, delivered, … }: chatId must be the
//   caller's own chat (sandbox or linked) unless an admin (403 otherwise, nothing sent)
import { route } from "@/lib/api";
import { sandboxChat, simulateInput, simulateTelegramMessage } from "@/lib/messaging/sandbox-telegram";
import { sandboxChatAnswer, sandboxTelegramSent } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

const access = { permission: "sandbox.read" } as const;

export const GET = route({ access, docs: { summary: "The sandbox Telegram chat you write from, and its bot", response: sandboxChatAnswer } }, async ({ caller }) => sandboxChat(caller));

export const POST = route(
  {
    access,
    body: simulateInput,
    docs: { summary: "Write to a sandbox bot as a Telegram user", response: sandboxTelegramSent },
  },
  async ({ caller, body }) => simulateTelegramMessage(caller, body),
);
