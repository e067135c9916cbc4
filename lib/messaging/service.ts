// Messaging as the API and the dashboard use it: send on each channel, bulk sends with
// progress, the message list and one message with its timeline and provider log rows,
// resend. Route handlers stay thin: they parse, authorise and call these.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { convert } from "html-to-text";
import { Prisma, type MessageStatus } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { audit, type Who } from "@/lib/audit";
import { scopedKey } from "@/lib/idempotency";
import { decodeCursor, encodeCursor } from "@/lib/cursor";
import { CHANNELS, type Channel } from "@/lib/providers/types";
import { enqueue, enqueueRows, prepareDrafts, type Draft } from "@/lib/messaging/outbox";
import { maskRecipient } from "@/lib/messaging/recipients";
import { MESSAGE_STATUSES, type bulkInput, type emailInput, type pushInput, type smsInput, type telegramInput } from "@/lib/messaging/contract";

const who2label = (w: Who) => w.actor.label ?? `${w.actor.type}:${w.actor.id ?? ""}`;

// ───────────── inputs: lib/messaging/contract.ts (shared by the API and the dashboard's forms) ─────────────

/** `template` may be a key (with `data` beside it) or { key, data } */
function templateOf(v: { template?: string | { key: string; data: Record<string, unknown> }; data?: Record<string, unknown> }) {
  if (v.template === undefined) return undefined;
  return typeof v.template === "string" ? { key: v.template, data: v.data ?? {} } : v.template;
}

// ───────────── sending ─────────────

function serializeQueued(m: { id: string; status: MessageStatus; channel: string; recipient: string; createdAt: Date }, replayed = false) {
  return { id: m.id, status: m.status, channel: m.channel, to: m.recipient, createdAt: m.createdAt, ...(replayed ? { replayed: true } : {}) };
}

async function send(draft: Draft, who: Who) {
  const { message, replayed } = await enqueue({ ...draft, createdBy: draft.createdBy ?? who2label(who) });
  return serializeQueued(message, replayed);
}

export async function sendSms(channel: "sms" | "whatsapp", input: z.output<typeof smsInput>, who: Who, callerKey?: string | null) {
  const idempotencyKey = scopedKey(who, callerKey);
  return send({ channel, to: input.to, text: input.text, template: templateOf(input), integrationId: input.integrationId, related: input.related, idempotencyKey }, who);
}

export async function sendEmail(input: z.output<typeof emailInput>, who: Who, callerKey?: string | null) {
  const idempotencyKey = scopedKey(who, callerKey);
  return send(
    {
      channel: "email",
      to: input.to,
      toName: input.toName,
      subject: input.subject,
      // the text part of an HTML-only e-mail (clients and spam filters want one)
      text: input.text ?? (input.html ? convert(input.html, { wordwrap: 100 }) : undefined),
      html: input.html,
      template: templateOf(input),
      options: { attachments: input.attachments, categories: input.categories, customArgs: input.customArgs, replyTo: input.replyTo },
      integrationId: input.integrationId,
      related: input.related,
      idempotencyKey,
    },
    who,
  );
}


export async function sendPush(input: z.output<typeof pushInput>, who: Who, callerKey?: string | null) {
  const idempotencyKey = scopedKey(who, callerKey);
  let tokens: string[];
  if (input.token) tokens = [input.token];
  else {
    if (input.driverId && !(await db.driver.findUnique({ where: { id: input.driverId }, select: { id: true } }))) throw errors.notFound("Driver");
    if (input.userId && !(await db.user.findUnique({ where: { id: input.userId }, select: { id: true } }))) throw errors.notFound("User");
    tokens = (await db.deviceToken.findMany({ where: input.userId ? { userId: input.userId } : { driverId: input.driverId }, select: { token: true } })).map((t) => t.token);
    if (!tokens.length) throw errors.unprocessable("No registered devices for this recipient: the app registers them with POST /api/v1/push/register-token");
  }
  const out = [];
  for (const [i, token] of tokens.entries()) {
    out.push(
      await send(
        {
          channel: "push",
          to: token,
          subject: input.title,
          text: input.body,
          options: { data: input.data },
          integrationId: input.integrationId,
          related: input.related ?? (input.userId ? { type: "user", id: input.userId } : input.driverId ? { type: "driver", id: input.driverId } : null),
          idempotencyKey: idempotencyKey ? `${idempotencyKey}:${i}` : null,
        },
        who,
      ),
    );
  }
  return { messages: out.map((m) => ({ ...m, to: maskRecipient("push", m.to) })) };
}

export async function sendTelegram(input: z.output<typeof telegramInput>, who: Who, callerKey?: string | null) {
  const idempotencyKey = scopedKey(who, callerKey);
  let chatId = input.chatId;
  let integrationId = input.integrationId;
  if (!chatId && input.userId) {
    const link = await db.telegramLink.findUnique({ where: { userId: input.userId } });
    if (!link?.chatId) throw errors.unprocessable("This user has not linked a Telegram account");
    chatId = link.chatId;
    integrationId ??= link.integrationId ?? undefined;
  }
  if (!chatId) throw errors.validation("Give chatId or userId", [{ path: "chatId", message: "Required" }]);
  return send(
    {
      channel: "telegram",
      to: chatId,
      text: input.text,
      template: templateOf(input),
      options: input.parseMode ? { parseMode: input.parseMode } : {},
      integrationId,
      related: input.related,
      idempotencyKey,
    },
    who,
  );
}

/** A bulk send: validated whole (nothing stored when one recipient is invalid), then queued. */
export async function sendBulk(channel: Channel, input: z.output<typeof bulkInput>, who: Who) {
  const batchId = randomUUID();
  const drafts: Draft[] = input.recipients.map((r) => {
    const rec = typeof r === "string" ? { to: r } : r;
    return {
      channel,
      to: rec.to,
      toName: "toName" in rec ? rec.toName : undefined,
      subject: input.subject,
      text: input.text,
      html: input.html,
      template: input.template ? { key: input.template, data: { ...(input.data ?? {}), ...("data" in rec ? rec.data : {}) } } : null,
      integrationId: input.integrationId,
      related: { type: "batch", id: batchId },
      createdBy: who2label(who),
    };
  });
  const rows = await prepareDrafts(drafts, { batchId, path: "recipients" });
  await db.messageBatch.create({ data: { id: batchId, channel, name: input.name ?? null, total: rows.length, createdBy: who2label(who) } });
  await enqueueRows(rows);
  await audit(who.actor, "messages.bulk", "message_batch", batchId, { channel, total: rows.length, template: input.template ?? null }, who.meta);
  return batchProgress(batchId);
}

export async function batchProgress(id: string) {
  const b = await db.messageBatch.findUnique({ where: { id } });
  if (!b) throw errors.notFound("Bulk send");
  const groups = await db.message.groupBy({ by: ["status"], where: { batchId: id }, _count: { _all: true } });
  const byStatus = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
  for (const g of groups) byStatus[g.status] = g._count._all;
  const finished = b.total - byStatus.queued;
  let completedAt = b.completedAt;
  if (!completedAt && byStatus.queued === 0) {
    completedAt = new Date();
    await db.messageBatch.update({ where: { id }, data: { completedAt } });
  }
  return {
    id: b.id,
    name: b.name,
    channel: b.channel,
    total: b.total,
    byStatus,
    processed: finished,
    percent: b.total ? Math.round((finished / b.total) * 1000) / 10 : 100,
    createdAt: b.createdAt,
    completedAt,
  };
}

export async function listBatches(limit = 20) {
  const rows = await db.messageBatch.findMany({ orderBy: { createdAt: "desc" }, take: limit, select: { id: true } });
  return { items: await Promise.all(rows.map((r) => batchProgress(r.id))) };
}

// ───────────── reading ─────────────

const filters = {
  channel: z.enum(CHANNELS as [Channel, ...Channel[]]).optional(),
  status: z.enum(MESSAGE_STATUSES).optional(),
  provider: z.string().trim().max(64).optional(),
  integrationId: z.uuid().optional(),
  batchId: z.uuid().optional(),
  /** recipient, exact after normalization or a prefix */
  to: z.string().trim().max(254).optional(),
  relatedType: z.string().trim().max(40).optional(),
  relatedId: z.string().trim().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
};
export const listMessagesQuery = z.strictObject({
  ...filters,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional(),
});
export const messageStatsQuery = z.strictObject({ ...filters, status: z.undefined().optional() });

type Filters = { [K in keyof typeof filters]?: z.output<(typeof filters)[K]> };

function where(f: Filters): Prisma.MessageWhereInput {
  return {
    channel: f.channel,
    status: f.status,
    provider: f.provider || undefined,
    integrationId: f.integrationId,
    batchId: f.batchId,
    recipient: f.to ? { startsWith: f.to.replace(/[\s()-]/g, "").toLowerCase() } : undefined,
    relatedType: f.relatedType || undefined,
    relatedId: f.relatedId || undefined,
    createdAt: f.from || f.until ? { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.until ? { lt: new Date(f.until) } : {}) } : undefined,
  };
}

const summary = {
  id: true,
  channel: true,
  status: true,
  recipient: true,
  recipientName: true,
  subject: true,
  body: true,
  /** a one-time secret: body and subject are masked */
  secret: true,
  templateKey: true,
  provider: true,
  integrationId: true,
  providerMessageId: true,
  error: true,
  errorCode: true,
  attempts: true,
  costMicros: true,
  costCurrency: true,
  batchId: true,
  relatedType: true,
  relatedId: true,
  createdAt: true,
  sentAt: true,
  deliveredAt: true,
  nextAttemptAt: true,
  integration: { select: { name: true, code: true, mode: true } },
} satisfies Prisma.MessageSelect;

export async function listMessages(q: z.output<typeof listMessagesQuery>) {
  const base = where(q);
  const c = q.cursor ? decodeCursor(q.cursor) : null;
  const rows = await db.message.findMany({
    where: c ? { AND: [base, { OR: [{ createdAt: { lt: c.at } }, { createdAt: c.at, id: { lt: c.id } }] }] } : base,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    select: summary,
  });
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map((r) => ({ ...r, body: r.body.length > 160 ? `${r.body.slice(0, 160)}…` : r.body }));
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null };
}

export async function getMessage(id: string) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Message");
  // what a message shows: never the seal (a secret message's encrypted text, the worker's), the
  // caller-scoped idempotency key or the worker's bookkeeping (locks, queue job, per-route attempts)
  const m = await db.message.findUnique({ where: { id }, select: { ...summary, html: true, templateData: true, options: true, pinned: true, route: true, routeIndex: true, createdBy: true, updatedAt: true, history: true, integration: { select: { name: true, code: true, provider: true, mode: true } } } });
  if (!m) throw errors.notFound("Message");
  const logs = await db.integrationLog.findMany({
    where: { relatedType: "message", relatedId: id },
    orderBy: { createdAt: "asc" },
    take: 50,
    select: { id: true, createdAt: true, action: true, method: true, url: true, statusCode: true, durationMs: true, status: true, error: true, response: true },
  });
  const names = m.route.length
    ? Object.fromEntries((await db.integration.findMany({ where: { id: { in: m.route } }, select: { id: true, name: true, provider: true } })).map((i) => [i.id, i]))
    : {};
  return {
    ...m,
    routeIntegrations: m.route.map((rid) => names[rid] ?? { id: rid, name: "(deleted)", provider: null }),
    logs: logs.map((l) => ({ ...l, id: String(l.id) })),
  };
}

export async function messageStatus(id: string) {
  const m = await getMessage(id);
  return {
    id: m.id,
    status: m.status,
    channel: m.channel,
    provider: m.provider,
    providerMessageId: m.providerMessageId,
    error: m.error,
    errorCode: m.errorCode,
    attempts: m.attempts,
    sentAt: m.sentAt,
    deliveredAt: m.deliveredAt,
    costMicros: m.costMicros,
    costCurrency: m.costCurrency,
  };
}

export async function messageStats(q: z.output<typeof messageStatsQuery>) {
  const until = q.until ? new Date(q.until) : new Date();
  const from = q.from ? new Date(q.from) : new Date(until.getTime() - 7 * 24 * 3600_000);
  const base = where({ ...q, from: from.toISOString(), until: until.toISOString() });
  const [byStatus, byChannel] = await Promise.all([
    db.message.groupBy({ by: ["status"], where: base, _count: { _all: true } }),
    db.message.groupBy({ by: ["channel", "status"], where: base, _count: { _all: true } }),
  ]);
  const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
  for (const g of byStatus) counts[g.status] = g._count._all;
  const channels: Record<string, Record<string, number>> = {};
  for (const g of byChannel) (channels[g.channel] ??= {})[g.status] = g._count._all;
  return { from, until, byStatus: counts, byChannel: channels, total: Object.values(counts).reduce((a, b) => a + b, 0) };
}

/** A copy of a message, queued again (the original keeps its history). */
export async function resendMessage(id: string, who: Who) {
  const m = await db.message.findUnique({ where: { id } });
  if (!m) throw errors.notFound("Message");
  if (m.status === "queued") throw errors.conflict("The message is still queued: it will be sent");
  // its text is masked and its secret single-use: the recipient asks for a new one instead
  if (m.secret) throw errors.conflict("This message carried a one-time code or link and is not sent again: ask for a new code");
  const copy = await db.message.create({
    data: {
      channel: m.channel,
      recipient: m.recipient,
      recipientName: m.recipientName,
      subject: m.subject,
      body: m.body,
      html: m.html,
      templateKey: m.templateKey,
      templateData: m.templateData ?? undefined,
      options: m.options ?? {},
      integrationId: m.pinned ? m.integrationId : null,
      pinned: m.pinned,
      relatedType: m.relatedType,
      relatedId: m.relatedId,
      createdBy: who2label(who),
      history: [{ at: new Date().toISOString(), event: "queued", detail: `resend of ${m.id}` }],
    },
  });
  await audit(who.actor, "message.resend", "message", copy.id, { original: m.id, channel: m.channel }, who.meta);
  return serializeQueued(copy);
}
