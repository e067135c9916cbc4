import { z } from "zod";
import { route } from "@/lib/api";
import { errors } from "@/lib/errors";
import { linkStatus, startLink, unlink } from "@/lib/messaging/telegram-bot";
import type { Caller } from "@/lib/api";
import { telegramLinkCode, telegramLinkStatus, telegramUnlinked } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

// your own Telegram account: signed-in users only (API keys have no account to link)
function me(caller: Caller) {
  if (caller.kind !== "user") throw errors.forbidden("Only a signed-in user can link their Telegram account");
  return caller.user.id;
}

export const GET = route({ access: { permission: "telegram.link" }, docs: { summary: "Whether your Telegram account is linked", response: telegramLinkStatus } }, async ({ caller }) => linkStatus(me(caller)));

export const POST = route(
  {
    access: { permission: "telegram.link" },
    body: z.strictObject({ integrationId: z.uuid().optional() }).default({}),
    docs: { summary: "Start linking your Telegram account to the bot", status: 201, response: telegramLinkCode },
  },
  async ({ caller, body }) => Response.json(await startLink(me(caller), caller, body.integrationId), { status: 201 }),
);

export const DELETE = route({ access: { permission: "telegram.link" }, docs: { summary: "Unlink your Telegram account", response: telegramUnlinked } }, async ({ caller }) => unlink(me(caller), caller));
