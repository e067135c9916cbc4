// Tells the admins about something only a person can fix (an integration that must be
// reconnected): Telegram to admins who linked it, e-mail to the others when an e-mail
// integration is active. Goes through the outbox like every other message; a failure to
// notify never undoes what is being reported.
import { db } from "@/lib/db";
import { logger } from "@/lib/logger";
import { enqueue } from "@/lib/messaging/outbox";
import { activeIntegrations } from "@/lib/messaging/routes-cache";
import { getProvider } from "@/lib/providers/registry";

export async function notifyAdmins(n: { subject: string; text: string; related: { type: string; id: string }; dedupeKey: string }) {
  const admins = await db.user.findMany({ where: { role: "admin", active: true }, select: { id: true, email: true, name: true } });
  const emailOn = (await activeIntegrations(true)).some((i) => getProvider(i.provider)?.messaging?.channels.includes("email"));
  let sent = 0;
  for (const a of admins) {
    try {
      const link = await db.telegramLink.findUnique({ where: { userId: a.id } });
      if (link?.chatId) {
        await enqueue({ channel: "telegram", to: link.chatId, text: `${n.subject}\n\n${n.text}`, options: { parseMode: "none" }, integrationId: link.integrationId, related: n.related, idempotencyKey: `${n.dedupeKey}:tg:${a.id}`, createdBy: "system" });
        sent++;
      } else if (emailOn && a.email) {
        await enqueue({ channel: "email", to: a.email, toName: a.name, subject: n.subject, text: n.text, related: n.related, idempotencyKey: `${n.dedupeKey}:email:${a.id}`, createdBy: "system" });
        sent++;
      }
    } catch (e) {
      logger.warn({ err: (e as Error).message, admin: a.id }, "admin notification not queued");
    }
  }
  return sent;
}
