// Tells the admins about something only a person can fix: an alert opened (the "alert.raised"
// event of lib/alerts, subscribed in lib/messaging/bindings.ts; alerts never import messaging).
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
// (notice, channel, admin): a notice delivered again (the event's retry, a redelivery) never
// duplicates a message. A message refused as invalid is logged and does not stop the others;
// any other failure to queue one is reported (`retry`) so the event is delivered again.
import { db } from "@/lib/db";
import { logger } from "@/lib/logger";
import { ApiError } from "@/lib/errors";
import { enqueue } from "@/lib/messaging/outbox";
import { activeIntegrations } from "@/lib/integrations/cache";
import { getProvider } from "@/lib/providers/registry";
import type { AlertRaised } from "@/lib/alerts/contract";

export type AdminNotice = {
  /** the e-mail subject and the first line of the Telegram message */
  subject: string;
  text: string;
  related: { type: string; id: string };
  /** stable per notice: the messages' idempotency keys are `${key}:${channel}:${adminId}` */
  key: string;
};

export type NoticeResult = {
  queued: number;
  failed: number;
  /** failures that may pass (not a refused message): the notice should be tried again */
  retry: number;
  recipients: { adminId: string; channel: "telegram" | "email" }[];
};

export async function notifyAdmins(n: AdminNotice): Promise<NoticeResult> {
  const admins = await db.user.findMany({ where: { role: "admin", active: true }, select: { id: true, email: true, name: true }, orderBy: { createdAt: "asc" } });
  const emailOn = (await activeIntegrations(true)).some((i) => getProvider(i.provider)?.messaging?.channels.includes("email"));
  const links = await db.telegramLink.findMany({ where: { userId: { in: admins.map((a) => a.id) }, chatId: { not: null } } });
  // the bot an admin linked with answers them; if that integration was deleted since, any bot is tried
  const botIds = [...new Set(links.map((l) => l.integrationId).filter((x): x is string => !!x))];
  const bots = new Set((botIds.length ? await db.integration.findMany({ where: { id: { in: botIds } }, select: { id: true } }) : []).map((b) => b.id));
  const out: NoticeResult = { queued: 0, failed: 0, retry: 0, recipients: [] };
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
        if (!(e instanceof ApiError)) out.retry++;
        logger.warn({ err: (e as Error).message, admin: a.id, channel: s.channel }, "admin notification not queued");
      }
    }
  }
  return out;
}

/**
 * An alert was raised (the "alert.raised" event): the admins' notices, keyed `alert:<id>:…`.
 * Throws when some could not be queued for a reason that may pass, so the event is delivered
 * again (what was queued is not queued twice).
 */
export async function noticeOfAlert(a: AlertRaised): Promise<NoticeResult> {
  const r = await notifyAdmins({ subject: a.subject, text: a.text, related: a.related, key: `alert:${a.alertId}` });
  if (r.retry) throw new Error(`${r.retry} notification(s) of the alert could not be queued; trying again`);
  if (!r.queued && !r.failed) logger.info({ alert: a.alertId }, "alert opened; no admin can be reached (no Telegram link, no e-mail integration)");
  return r;
}
