// Message templates: stored in the database, rendered with Handlebars. Variables are
// HTML-escaped wherever the result is HTML (e-mail bodies, Telegram in HTML mode); plain
// texts (SMS, e-mail text part, subjects) are not escaped. A template declares the variables
// it needs; sending without one of them is a validation error, not a message with a hole.
import Handlebars from "handlebars";
import { z } from "zod";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { audit, diff, type Who } from "@/lib/audit";
import { parseWith } from "@/lib/api";
import { previewInput, templateInput, templatePatch } from "@/lib/messaging/contract";
import type { Channel } from "@/lib/providers/types";
import type { MessageTemplate } from "@/generated/prisma/client";

const hb = Handlebars.create();
hb.registerHelper("money", (minor: unknown, currency: unknown) => {
  const n = Number(minor);
  if (!Number.isFinite(n)) return "";
  const cur = typeof currency === "string" && /^[A-Z]{3}$/.test(currency) ? currency : "RUB";
  const digits = new Intl.NumberFormat("en", { style: "currency", currency: cur }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat("ru-RU", { style: "currency", currency: cur }).format(n / 10 ** digits);
});
hb.registerHelper("date", (v: unknown) => {
  const d = new Date(String(v));
  return Number.isNaN(d.getTime()) ? String(v ?? "") : d.toLocaleString("ru-RU", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";
});

type Compiled = (data: unknown) => string;
const cache = new Map<string, Compiled>();

function compile(source: string, escape: boolean): Compiled {
  const key = `${escape ? "h" : "t"}:${source}`;
  let fn = cache.get(key);
  if (!fn) {
    try {
      fn = hb.compile(source, { noEscape: !escape, strict: false, knownHelpersOnly: false });
      fn({}); // surface syntax errors now
    } catch (e) {
      throw errors.validation(`The template does not compile: ${(e as Error).message.split("\n")[0]}`);
    }
    cache.set(key, fn);
    if (cache.size > 500) cache.delete(cache.keys().next().value!);
  }
  return fn;
}

/** Variables a template source uses ({{name}}, {{order.number}} → "order"). */
export function usedVariables(...sources: (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const s of sources) {
    if (!s) continue;
    for (const m of s.matchAll(/\{\{\{?\s*(?:#\w+\s+|money\s+|date\s+)?([A-Za-z_][\w]*)/g)) {
      if (!["else", "this", "money", "date", "if", "each", "unless", "with"].includes(m[1])) out.add(m[1]);
    }
  }
  return [...out];
}

export type Rendered = { subject: string | null; text: string; html: string | null };

export type TemplateLike = Pick<MessageTemplate, "channel" | "subject" | "body" | "html" | "variables" | "key">;

/**
 * The variables whose values are a one-time secret in what a template renders: none for an
 * ordinary template; the declared ones, or every variable it uses, for a secret one.
 */
export function secretVariablesOf(t: Pick<MessageTemplate, "secret" | "secretVariables" | "subject" | "body" | "html" | "variables">): string[] {
  if (!t.secret) return [];
  if (t.secretVariables.length) return t.secretVariables;
  return [...new Set([...t.variables, ...usedVariables(t.subject, t.body, t.html)])];
}

export function render(t: TemplateLike, data: Record<string, unknown>, opts: { htmlText?: boolean } = {}): Rendered {
  const missing = t.variables.filter((v) => data[v] === undefined || data[v] === null || data[v] === "");
  if (missing.length) {
    throw errors.validation(`The template "${t.key}" needs ${missing.map((m) => `"${m}"`).join(", ")}`, missing.map((m) => ({ path: `data.${m}`, message: "Required by the template" })));
  }
  return {
    subject: t.subject ? compile(t.subject, false)(data).trim() : null,
    // Telegram in HTML mode needs escaped text; SMS and plain e-mail text must not be escaped
    text: compile(t.body, !!opts.htmlText)(data),
    html: t.html ? compile(t.html, true)(data) : null,
  };
}

// ───────────── the seed's set ─────────────

type Seed = {
  key: string;
  name: string;
  description: string;
  variables: string[];
  /** the variables that carry a one-time secret (the template is secret when there are any) */
  secretVariables?: string[];
  sample: Record<string, unknown>;
  email: { subject: string; body: string; html: string };
  sms: string;
};

const layout = (title: string, inner: string) =>
  `<div style="font-family:Arial,sans-serif;max-width:560px;margin:auto;color:#111">\n<h2 style="color:#1d4ed8">${title}</h2>\n${inner}\n<p style="color:#666;font-size:12px">{{company}}</p>\n</div>`;

export const BUILTIN_TEMPLATES: Seed[] = [
  {
    key: "user_registration",
    name: "Welcome",
    description: "Sent when an account is created",
    variables: ["name"],
    sample: { name: "Anna Petrova", company: "Demo Transfers", login_url: "https://crm.example.com/login" },
    email: {
      subject: "Welcome to {{company}}, {{name}}",
      body: "Hello {{name}},\n\nyour account is ready.{{#if login_url}} Sign in: {{login_url}}{{/if}}\n\n{{company}}",
      html: layout("Welcome, {{name}}", "<p>Your account is ready.</p>{{#if login_url}}<p><a href=\"{{login_url}}\">Sign in</a></p>{{/if}}"),
    },
    sms: "{{name}}, welcome to {{company}}! Your account is ready.",
  },
  {
    key: "password_reset",
    name: "Password reset",
    description: "A link or code to set a new password",
    variables: ["name", "reset_url"],
    secretVariables: ["reset_url", "code"],
    sample: { name: "Anna Petrova", reset_url: "https://crm.example.com/reset/abc", code: "482913", expires_minutes: 30, company: "Demo Transfers" },
    email: {
      subject: "Reset your password",
      body: "Hello {{name}},\n\nset a new password here: {{reset_url}}\nThe link expires in {{expires_minutes}} minutes. If you did not ask for it, ignore this message.",
      html: layout("Reset your password", "<p>Hello {{name}},</p><p><a href=\"{{reset_url}}\">Set a new password</a> (valid {{expires_minutes}} minutes).</p><p>If you did not ask for it, ignore this message.</p>"),
    },
    sms: "{{#if code}}Password reset code: {{code}}{{else}}Reset your password: {{reset_url}}{{/if}}",
  },
  {
    key: "application_assigned",
    name: "Order assigned to a driver",
    description: "Tells a driver about a new order",
    variables: ["driver_name", "number", "pickup_at", "pickup_address", "dropoff_address"],
    sample: { driver_name: "Ivan", number: "A-1042", pickup_at: "2026-12-01T09:30:00Z", pickup_address: "Sheremetyevo, Terminal B", dropoff_address: "Tverskaya 7", passengers: 2, client_name: "Anna Petrova", client_phone: "+79991234567", company: "Demo Transfers" },
    email: {
      subject: "New order {{number}}: {{date pickup_at}}",
      body: "{{driver_name}}, you have order {{number}}.\nPickup {{date pickup_at}} at {{pickup_address}}\nTo {{dropoff_address}}\nPassengers: {{passengers}}\nClient: {{client_name}} {{client_phone}}",
      html: layout("Order {{number}}", "<p>{{driver_name}}, you have a new order.</p><table><tr><td>Pickup</td><td>{{date pickup_at}}, {{pickup_address}}</td></tr><tr><td>To</td><td>{{dropoff_address}}</td></tr><tr><td>Passengers</td><td>{{passengers}}</td></tr><tr><td>Client</td><td>{{client_name}} {{client_phone}}</td></tr></table>"),
    },
    sms: "Order {{number}}: {{date pickup_at}}, {{pickup_address}} → {{dropoff_address}}. {{client_name}} {{client_phone}}",
  },
  {
    key: "application_status_changed",
    name: "Order status changed",
    description: "Tells the client what happened to their order",
    variables: ["name", "number", "status"],
    sample: { name: "Anna Petrova", number: "A-1042", status: "driver on the way", driver_name: "Ivan", vehicle: "Skoda Octavia A123BC", company: "Demo Transfers" },
    email: {
      subject: "Order {{number}}: {{status}}",
      body: "Hello {{name}},\n\nyour order {{number}} is now: {{status}}.{{#if driver_name}}\nDriver: {{driver_name}} {{vehicle}}{{/if}}",
      html: layout("Order {{number}}", "<p>Hello {{name}},</p><p>Your order is now: <b>{{status}}</b>.</p>{{#if driver_name}}<p>Driver: {{driver_name}} {{vehicle}}</p>{{/if}}"),
    },
    sms: "Order {{number}}: {{status}}.{{#if driver_name}} Driver {{driver_name}}, {{vehicle}}.{{/if}}",
  },
  {
    key: "payment_notification",
    name: "Payment received",
    description: "Confirms a payment",
    variables: ["name", "amount_minor", "currency", "number"],
    sample: { name: "Anna Petrova", amount_minor: 450000, currency: "RUB", number: "A-1042", receipt_url: "https://pay.example.com/r/1", company: "Demo Transfers" },
    email: {
      subject: "Payment received for order {{number}}",
      body: "Hello {{name}},\n\nwe received {{money amount_minor currency}} for order {{number}}.{{#if receipt_url}}\nReceipt: {{receipt_url}}{{/if}}",
      html: layout("Payment received", "<p>Hello {{name}},</p><p>We received <b>{{money amount_minor currency}}</b> for order {{number}}.</p>{{#if receipt_url}}<p><a href=\"{{receipt_url}}\">Receipt</a></p>{{/if}}"),
    },
    sms: "Payment {{money amount_minor currency}} for order {{number}} received. Thank you!",
  },
  {
    key: "weekly_report",
    name: "Weekly report",
    description: "The week's numbers for managers",
    variables: ["week", "orders", "completed"],
    sample: { week: "2026-W48", orders: 142, completed: 131, revenue_minor: 61250000, currency: "RUB", company: "Demo Transfers" },
    email: {
      subject: "Weekly report {{week}}",
      body: "Week {{week}}\nOrders: {{orders}}\nCompleted: {{completed}}{{#if revenue_minor}}\nRevenue: {{money revenue_minor currency}}{{/if}}",
      html: layout("Week {{week}}", "<table><tr><td>Orders</td><td>{{orders}}</td></tr><tr><td>Completed</td><td>{{completed}}</td></tr>{{#if revenue_minor}}<tr><td>Revenue</td><td>{{money revenue_minor currency}}</td></tr>{{/if}}</table>"),
    },
    sms: "Week {{week}}: {{orders}} orders, {{completed}} completed.",
  },
];

/** Creates the built-in templates that are missing (never overwrites an admin's edits). */
export async function ensureBuiltinTemplates() {
  const rows = BUILTIN_TEMPLATES.flatMap((t) => {
    const common = { key: t.key, name: t.name, description: t.description, variables: t.variables, sampleData: t.sample as object, builtin: true, secret: !!t.secretVariables?.length, secretVariables: t.secretVariables ?? [] };
    return [
      { ...common, channel: "email" as const, subject: t.email.subject, body: t.email.body, html: t.email.html },
      { ...common, channel: "sms" as const, subject: null, body: t.sms, html: null },
      { ...common, channel: "telegram" as const, subject: null, body: t.sms, html: null },
    ];
  });
  const r = await db.messageTemplate.createMany({ data: rows, skipDuplicates: true });
  return r.count;
}

// ───────────── CRUD (admins) ─────────────

// the request shapes: lib/messaging/contract.ts (shared with the template editor)
export { templateInput, templatePatch, previewInput };


function check(t: { subject?: string | null; body: string; html?: string | null; variables?: string[]; secretVariables?: string[] }) {
  compile(t.body, false);
  if (t.subject) compile(t.subject, false);
  if (t.html) compile(t.html, true);
  // a secret variable the template never uses would leave its secret in clear
  const known = new Set([...(t.variables ?? []), ...usedVariables(t.subject, t.body, t.html)]);
  const unknown = (t.secretVariables ?? []).map((v, i) => ({ v, i })).filter(({ v }) => !known.has(v));
  if (unknown.length) {
    throw errors.validation(
      `The template does not use ${unknown.map((u) => `"${u.v}"`).join(", ")}: list only its own variables as secret`,
      unknown.map((u) => ({ path: `secretVariables.${u.i}`, message: "Not a variable of the template" })),
    );
  }
}

export async function listTemplates(filter: { channel?: Channel } = {}) {
  await ensureBuiltinTemplates();
  return db.messageTemplate.findMany({ where: filter.channel ? { channel: filter.channel } : {}, orderBy: [{ key: "asc" }, { channel: "asc" }] });
}

export async function getTemplate(id: string) {
  const t = await db.messageTemplate.findUnique({ where: { id } });
  if (!t) throw errors.notFound("Template");
  return t;
}

export async function findTemplate(key: string, ch: Channel) {
  let t = await db.messageTemplate.findUnique({ where: { key_channel: { key, channel: ch } } });
  if (!t && BUILTIN_TEMPLATES.some((b) => b.key === key)) {
    await ensureBuiltinTemplates();
    t = await db.messageTemplate.findUnique({ where: { key_channel: { key, channel: ch } } });
  }
  if (!t) throw errors.validation(`There is no ${ch} template "${key}"`, [{ path: "template", message: "Unknown template" }]);
  return t;
}

export async function createTemplate(input: unknown, who: Who) {
  const data = parseWith(templateInput, input, "body");
  check(data);
  const exists = await db.messageTemplate.findUnique({ where: { key_channel: { key: data.key, channel: data.channel } } });
  if (exists) throw errors.conflict(`A ${data.channel} template "${data.key}" already exists`);
  const t = await db.messageTemplate.create({
    data: { ...data, variables: data.variables ?? [], sampleData: (data.sampleData ?? {}) as object, secret: data.secret ?? !!data.secretVariables?.length, secretVariables: data.secretVariables ?? [] },
  });
  await audit(who.actor, "template.create", "message_template", t.id, { key: t.key, channel: t.channel }, who.meta);
  return t;
}

export async function updateTemplate(id: string, input: unknown, who: Who) {
  const data = parseWith(templatePatch, input, "body"); // the input first, as route() checks bodies: a bad one is a 400 whatever the id
  const before = await getTemplate(id);
  const next = {
    subject: data.subject !== undefined ? data.subject : before.subject,
    body: data.body ?? before.body,
    html: data.html !== undefined ? data.html : before.html,
    variables: data.variables ?? before.variables,
    secretVariables: data.secretVariables ?? before.secretVariables,
  };
  check(next);
  if (before.channel === "email" && !next.subject?.trim()) throw errors.validation("E-mail templates need a subject", [{ path: "subject", message: "Required" }]);
  const secret = data.secret ?? (data.secretVariables?.length ? true : undefined);
  const t = await db.messageTemplate.update({ where: { id }, data: { ...data, secret, sampleData: data.sampleData as object | undefined } });
  await audit(who.actor, "template.update", "message_template", id, diff(before as never, { name: t.name, subject: t.subject, body: t.body, html: t.html, variables: t.variables, secret: t.secret, secretVariables: t.secretVariables }), who.meta);
  return t;
}

export async function deleteTemplate(id: string, who: Who) {
  const t = await getTemplate(id);
  if (t.builtin) throw errors.conflict("Built-in templates can be edited, not deleted (the messages that use them would break)");
  await db.messageTemplate.delete({ where: { id } });
  await audit(who.actor, "template.delete", "message_template", id, { key: t.key, channel: t.channel }, who.meta);
  return { deleted: true };
}

/** Renders unsaved text with sample data (the editor's live preview). */
export function preview(input: z.output<typeof previewInput>) {
  const t = { key: "preview", channel: input.channel, subject: input.subject ?? null, body: input.body, html: input.html ?? null, variables: input.variables };
  check(t);
  const missing = input.variables.filter((v) => input.data[v] === undefined || input.data[v] === "");
  return { ...render({ ...t, variables: [] }, input.data), missing, used: usedVariables(t.subject, t.body, t.html) };
}
