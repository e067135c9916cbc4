// The Telegram bot's side of Switchboard: account linking (a one-time code from the
// dashboard, sent to the bot as /start <code>) and commands. Only linked, active users get
// answers, and only with what their role may see. Replies go through the outbox like every
// other message (pinned to the bot that received the command).
import { createHash, randomInt } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { audit, type Who } from "@/lib/audit";
import type { Role } from "@/lib/auth/roles";
import type { ProviderContext, StoredWebhook, WebhookHandleResult } from "@/lib/providers/types";
import { enqueue } from "@/lib/messaging/outbox";
import { port } from "@/lib/ports";
import { publicBaseUrl } from "@/lib/urls";
import { getSettings } from "@/lib/settings";

const CODE_TTL_MS = 10 * 60_000;
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const hash = (code: string) => createHash("sha256").update(code.trim().toUpperCase()).digest("hex");

// ───────────── linking (dashboard side) ─────────────

async function botIntegration(integrationId?: string) {
  const rows = await db.integration.findMany({
    where: { provider: "telegram", status: { not: "inactive" }, ...(integrationId ? { id: integrationId } : {}) },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }],
  });
  const row = rows[0];
  if (!row) throw errors.unprocessable("No Telegram bot is connected: add a Telegram integration first");
  return row;
}

export async function startLink(userId: string, who: Who, integrationId?: string) {
  const bot = await botIntegration(integrationId);
  const code = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  const expiresAt = new Date(Date.now() + CODE_TTL_MS);
  await db.telegramLink.upsert({
    where: { userId },
    create: { userId, integrationId: bot.id, codeHash: hash(code), codeExpiresAt: expiresAt },
    update: { integrationId: bot.id, codeHash: hash(code), codeExpiresAt: expiresAt },
  });
  await audit(who.actor, "telegram.link_code", "user", userId, { integration: bot.code }, who.meta);
  const username = ((bot.state ?? {}) as { bot?: { username?: string } }).bot?.username ?? null;
  return {
    code,
    command: `/start ${code}`,
    expiresAt,
    bot: { name: bot.name, username, sandbox: bot.mode === "sandbox" },
    deepLink: username ? `https://t.me/${username}?start=${code}` : null,
  };
}

export async function linkStatus(userId: string) {
  const l = await db.telegramLink.findUnique({ where: { userId } });
  return {
    linked: !!l?.chatId,
    username: l?.username ?? null,
    linkedAt: l?.linkedAt ?? null,
    pendingUntil: l?.codeHash && l.codeExpiresAt && l.codeExpiresAt > new Date() ? l.codeExpiresAt : null,
  };
}

export async function unlink(userId: string, who: Who) {
  await db.telegramLink.deleteMany({ where: { userId } });
  await audit(who.actor, "telegram.unlink", "user", userId, undefined, who.meta);
  return { linked: false };
}

// ───────────── the bot (webhook side) ─────────────

const update = z.object({
  update_id: z.number(),
  message: z
    .object({
      message_id: z.number(),
      from: z.object({ id: z.number(), is_bot: z.boolean().optional(), username: z.string().optional(), first_name: z.string().optional() }).optional(),
      chat: z.object({ id: z.number(), type: z.string() }),
      text: z.string().optional(),
    })
    .optional(),
});

type Linked = { userId: string; name: string; role: Role };

const ACTIVE_STATUSES = ["new", "assigned", "in_progress"] as const;
const esc = (s: unknown) => String(s ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmtTime = (d: Date) => d.toISOString().slice(11, 16);

const COMMANDS: { cmd: string; roles: readonly Role[]; help: string; run(u: Linked): Promise<string> }[] = [
  {
    cmd: "status",
    roles: ["admin", "dispatcher", "viewer"],
    help: "active orders",
    async run() {
      const [counts, list] = await Promise.all([
        db.application.groupBy({ by: ["status"], where: { status: { in: [...ACTIVE_STATUSES] } }, _count: { _all: true } }),
        db.application.findMany({
          where: { status: { in: [...ACTIVE_STATUSES] } },
          orderBy: { pickupAt: "asc" },
          take: 10,
          include: { driver: { select: { name: true } } },
        }),
      ]);
      const total = counts.reduce((a, c) => a + c._count._all, 0);
      if (!total) return "<b>Active orders</b>\nNone right now.";
      const by = ACTIVE_STATUSES.map((s) => `${s.replace("_", " ")}: ${counts.find((c) => c.status === s)?._count._all ?? 0}`).join(" · ");
      const lines = list.map((a) => `• <b>${esc(a.number)}</b> ${a.pickupAt.toISOString().slice(0, 16).replace("T", " ")} ${esc(a.pickupAddress)} → ${esc(a.dropoffAddress)} (${a.status.replace("_", " ")}${a.driver ? `, ${esc(a.driver.name)}` : ""})`);
      return `<b>Active orders: ${total}</b>\n${by}\n\n${lines.join("\n")}${total > list.length ? `\n… and ${total - list.length} more` : ""}`;
    },
  },
  {
    cmd: "today",
    roles: ["admin", "dispatcher", "viewer"],
    help: "today's orders (UTC day)",
    async run() {
      const start = new Date();
      start.setUTCHours(0, 0, 0, 0);
      const end = new Date(start.getTime() + 86_400_000);
      const list = await db.application.findMany({
        where: { pickupAt: { gte: start, lt: end }, status: { not: "canceled" } },
        orderBy: { pickupAt: "asc" },
        take: 30,
        include: { driver: { select: { name: true } } },
      });
      if (!list.length) return `<b>Today (${start.toISOString().slice(0, 10)})</b>\nNo orders.`;
      return `<b>Today (${start.toISOString().slice(0, 10)}): ${list.length} orders</b>\n${list
        .map((a) => `• ${fmtTime(a.pickupAt)} <b>${esc(a.number)}</b> ${esc(a.pickupAddress)} → ${esc(a.dropoffAddress)} — ${a.status.replace("_", " ")}${a.driver ? `, ${esc(a.driver.name)}` : ", no driver"}`)
        .join("\n")}`;
    },
  },
  {
    cmd: "drivers",
    roles: ["admin", "dispatcher"],
    help: "drivers and their status",
    async run() {
      const drivers = await db.driver.findMany({ orderBy: { name: "asc" }, take: 50, include: { vehicle: { select: { plateNumber: true } } } });
      if (!drivers.length) return "<b>Drivers</b>\nNone yet.";
      const busy = new Set(
        (await db.application.findMany({ where: { status: "in_progress", driverId: { not: null } }, select: { driverId: true } })).map((a) => a.driverId),
      );
      // live positions come with GPS tracking; until then the order state is what we know
      return `<b>Drivers: ${drivers.length}</b>\n${drivers
        .map((d) => `• ${esc(d.name)}${d.vehicle ? ` (${esc(d.vehicle.plateNumber)})` : ""} — ${busy.has(d.id) ? "on an order" : d.status.replace("_", " ")}`)
        .join("\n")}\n<i>GPS positions are not connected yet.</i>`;
    },
  },
  {
    cmd: "earnings",
    roles: ["admin"],
    help: "revenue",
    async run() {
      const since = new Date(Date.now() - 7 * 86_400_000);
      const done = await db.application.groupBy({
        by: ["currency"],
        where: { status: "completed", pickupAt: { gte: since }, priceMinor: { not: null } },
        _sum: { priceMinor: true },
        _count: { _all: true },
      });
      const lines = done.map((d) => `• ${d._count._all} completed orders: ${((d._sum.priceMinor ?? 0) / 100).toFixed(2)} ${d.currency}`);
      return `<b>Last 7 days</b>\n${lines.length ? lines.join("\n") : "No completed orders."}\n<i>From order prices; payment providers are not connected yet.</i>`;
    },
  },
  {
    cmd: "alerts",
    roles: ["admin", "dispatcher", "viewer"],
    help: "open alerts: what needs a person",
    async run() {
      // the alerts area answers through its port (lib/ports.ts): messaging never imports its service
      const { items, total } = await port("alerts").open(10);
      await getSettings().catch(() => undefined); // the public base URL an admin may have set
      const page = `${publicBaseUrl()}/alerts`;
      if (!total) return `<b>Alerts</b>\nNothing open: all clear.\n${esc(page)}`;
      const lines: string[] = [];
      let size = 0;
      for (const a of items) {
        const line = `${a.severity === "critical" ? "🔴" : "🟠"} <b>${esc(a.title.slice(0, 120))}</b>${a.occurrences > 1 ? ` (×${a.occurrences})` : ""}\n   ${esc(a.message.split("\n")[0].slice(0, 200))}\n   <i>since ${a.firstSeenAt.toISOString().slice(0, 16).replace("T", " ")} UTC</i>`;
        // a Telegram message holds 4096 characters
        if (size + line.length > 3400) break;
        lines.push(line);
        size += line.length + 1;
      }
      return [
        `<b>Open alerts: ${total}</b>`,
        ...lines,
        ...(total > lines.length ? [`… and ${total - lines.length} more`] : []),
        "",
        `Details on the Alerts page: ${esc(page)}`,
      ].join("\n");
    },
  },
];

function helpText(u: Linked) {
  return COMMANDS.filter((c) => c.roles.includes(u.role))
    .map((c) => `/${c.cmd} — ${c.help}`)
    .join("\n");
}

async function linkedUser(chatId: string): Promise<Linked | null> {
  const link = await db.telegramLink.findFirst({ where: { chatId }, orderBy: { linkedAt: "desc" } });
  if (!link) return null;
  const user = await db.user.findUnique({ where: { id: link.userId } });
  if (!user?.active) return null;
  return { userId: user.id, name: user.name, role: user.role as Role };
}

const NOT_LINKED = "This chat is not linked to a Switchboard account. In the dashboard open <b>Telegram</b>, press <b>Link</b> and send the command it shows (/start CODE).";

async function answer(ctx: ProviderContext, event: StoredWebhook, chatId: string, text: string) {
  await enqueue({
    channel: "telegram",
    to: chatId,
    text,
    options: { parseMode: "HTML" },
    integrationId: ctx.integration.id,
    related: { type: "webhook_event", id: event.id },
    idempotencyKey: `tg-reply:${event.id}`,
    createdBy: "telegram bot",
  });
}

/** Handles one update (commands and linking); runs in a worker through the webhook inbox. */
export async function handleTelegramUpdate(event: StoredWebhook, ctx: ProviderContext): Promise<WebhookHandleResult> {
  const u = update.safeParse(event.payload);
  const msg = u.success ? u.data.message : undefined;
  if (!msg?.text || msg.from?.is_bot) return { outcome: "ignored", note: "not a text message from a person" };
  if (msg.chat.type !== "private") return { outcome: "ignored", note: "commands are answered in private chats only" };
  const m = /^\/([A-Za-z_]+)(?:@\w+)?(?:\s+(.*))?$/s.exec(msg.text.trim());
  if (!m) return { outcome: "ignored", note: "not a command" };
  const cmd = m[1].toLowerCase();
  const arg = (m[2] ?? "").trim();
  const chatId = String(msg.chat.id);

  if (cmd === "start" && arg) {
    const link = await db.telegramLink.findUnique({ where: { codeHash: hash(arg) } });
    if (!link || !link.codeExpiresAt || link.codeExpiresAt < new Date()) {
      await answer(ctx, event, chatId, "This code is not valid or has expired. Get a new one in the dashboard (Telegram → Link).");
      return { outcome: "completed", note: "link code rejected" };
    }
    const user = await db.user.findUnique({ where: { id: link.userId } });
    if (!user?.active) {
      await answer(ctx, event, chatId, "This account is deactivated.");
      return { outcome: "completed", note: "link for an inactive user refused" };
    }
    // one chat belongs to one account: an older link of this chat is dropped
    await db.telegramLink.deleteMany({ where: { chatId, userId: { not: user.id } } });
    await db.telegramLink.update({
      where: { id: link.id },
      data: { chatId, username: msg.from?.username ?? null, linkedAt: new Date(), codeHash: null, codeExpiresAt: null, integrationId: ctx.integration.id },
    });
    await audit({ type: "system", label: "telegram bot" }, "telegram.linked", "user", user.id, { chat: chatId, username: msg.from?.username ?? null });
    const linked = { userId: user.id, name: user.name, role: user.role as Role };
    await answer(ctx, event, chatId, `Linked to <b>${esc(user.name)}</b> (${user.role}).\n\n${helpText(linked)}`);
    return { outcome: "completed", note: `linked user ${user.email}` };
  }

  const who = await linkedUser(chatId);
  if (!who) {
    await answer(ctx, event, chatId, NOT_LINKED);
    return { outcome: "completed", note: "unlinked chat: told how to link" };
  }
  if (cmd === "start" || cmd === "help") {
    await answer(ctx, event, chatId, `Hello, ${esc(who.name)}.\n\n${helpText(who)}`);
    return { outcome: "completed", note: `/${cmd}` };
  }
  const c = COMMANDS.find((x) => x.cmd === cmd);
  if (!c) {
    await answer(ctx, event, chatId, `Unknown command /${esc(cmd)}.\n\n${helpText(who)}`);
    return { outcome: "completed", note: `unknown command /${cmd}` };
  }
  if (!c.roles.includes(who.role)) {
    await answer(ctx, event, chatId, `/${c.cmd} is not available to your role (${who.role}).`);
    return { outcome: "completed", note: `/${cmd} refused for role ${who.role}` };
  }
  await answer(ctx, event, chatId, await c.run(who));
  return { outcome: "completed", note: `/${cmd} answered` };
}
