// Tells the admins about something only a person can fix (lib/alerts: an alert opened).
//
// Who gets what: every active admin gets
//   - a Telegram message when they linked their Telegram account (Telegram → Link), through the
//     bot they linked with, and
//   - an e-mail when an e-mail integration (SMTP, SendGrid …) is switched on.
// An admin who has both gets both, on purpose: Telegram is the prompt that reaches a phone,
// the e-mail is the record that stays in a mailbox and reaches whoever reads it. Dispatchers
// and viewers see alerts on the Alerts page and with the bot's /alerts; they are not messaged.
//
// Everything goes through the outbox like every other message, with an idempotency key per
// (notice, channel, admin): a notice sent again (a retry after a failure) never duplicates a
// message. A failure to queue one message is logged and does not stop the others, and never
// undoes what is being reported.
import { db } from "@/lib/db";
import { logger } from "@/lib/logger";
import { enqueue } from "@/lib/messaging/outbox";
import { activeIntegrations } from "@/lib/integrations/cache";
import { getProvider } from "@/lib/providers/registry";

export type AdminNotice = {
  /** the e-mail subject and the first line of the Telegram message */
  subject: string;
  text: string;
  related: { type: string; id: string };
  /** stable per notice: the messages' idempotency keys are `${key}:${channel}:${adminId}` */
  key: string;
};

export type NoticeResult = { queued: number; failed: number; recipients: { adminId: string; channel: "telegram" | "email" }[] };

export async function notifyAdmins(n: AdminNotice): Promise<NoticeResult> {
  const admins = await db.user.findMany({ where: { role: "admin", active: true }, select: { id: true, email: true, name: true }, orderBy: { createdAt: "asc" } });
  const emailOn = (await activeIntegrations(true)).some((i) => getProvider(i.provider)?.messaging?.channels.includes("email"));
  const links = await db.telegramLink.findMany({ where: { userId: { in: admins.map((a) => a.id) }, chatId: { not: null } } });
  // the bot an admin linked with answers them; if that integration was deleted since, any bot is tried
  const botIds = [...new Set(links.map((l) => l.integrationId).filter((x): x is string => !!x))];
  const bots = new Set((botIds.length ? await db.integration.findMany({ where: { id: { in: botIds } }, select: { id: true } }) : []).map((b) => b.id));
  const out: NoticeResult = { queued: 0, failed: 0, recipients: [] };
  for (const a of admins) {
    const link = links.find((l) => l.userId === a.id);
    const sends: { channel: "telegram" | "email"; run: () => Promise<unknown> }[] = [];
    if (link?.chatId) {
      const chatId = link.chatId;
      sends.push({
        channel: "telegram",
        run: () =>
          enqueue({
            channel: "telegram",
            to: chatId,
            text: `${n.subject}\n\n${n.text}`,
            options: { parseMode: "none" },
            integrationId: link.integrationId && bots.has(link.integrationId) ? link.integrationId : null,
            related: n.related,
            idempotencyKey: `${n.key}:telegram:${a.id}`,
            createdBy: "alerts",
          }),
      });
    }
    if (emailOn && a.email) {
      sends.push({
        channel: "email",
        run: () =>
          enqueue({
            channel: "email",
            to: a.email,
            toName: a.name,
            subject: n.subject,
            text: n.text,
            related: n.related,
            idempotencyKey: `${n.key}:email:${a.id}`,
            createdBy: "alerts",
          }),
      });
    }
    for (const s of sends) {
      try {
        await s.run();
        out.queued++;
        out.recipients.push({ adminId: a.id, channel: s.channel });
      } catch (e) {
        out.failed++;
        logger.warn({ err: (e as Error).message, admin: a.id, channel: s.channel }, "admin notification not queued");
      }
    }
  }
  return out;
}
