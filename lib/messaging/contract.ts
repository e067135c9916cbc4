// The shapes the messaging API accepts, shared with the dashboard's forms: zod and pure
// helpers only (no database, no environment), so the browser validates a form with the very
// schemas the server uses and shows every field's problem at once. Messages come from the one
// error map in lib/errors.ts unless a rule below says it better.
import { z } from "zod";
import { checkPhone, PHONE_HINT } from "@/lib/phone-contract";
import "@/lib/errors";
import { replayed, timestamp } from "@/lib/contract";
import { logListItem } from "@/lib/logs/contract";

/**
 * The part of the phone check a schema can make without knowing the server's default country:
 * a number written with its +code must be valid; one without it must at least look like a
 * number (the server reads it with its default country, or asks for the code).
 */
const phone = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .refine((v) => {
    const raw = v.replace(/^whatsapp:/i, "");
    if (!raw) return true; // min(1) says it
    if (raw.startsWith("+")) return checkPhone(raw).ok;
    return /^[\d\s().-]{5,}$/.test(raw);
  }, PHONE_HINT);

const data = z.record(z.string(), z.unknown());
const template = z.strictObject({ key: z.string().trim().min(1).max(64), data: data.default({}) });
const related = z.strictObject({ type: z.string().trim().min(1).max(40), id: z.string().trim().min(1).max(100) });
const common = {
  integrationId: z.uuid().optional(),
  related: related.optional(),
};
/** `template` may be a key (with `data` beside it) or { key, data } */
const templateFields = { template: z.union([z.string().trim().min(1).max(64), template]).optional(), data: data.optional() };
const withTemplate = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ ...shape, ...templateFields });

type Draftish = { template?: unknown; text?: unknown; html?: unknown };
const hasText = (v: unknown) => typeof v === "string" && v.trim().length > 0;
const hasTemplate = (v: Draftish) => v.template !== undefined && v.template !== "";
/** checked even when other fields failed, so a form learns every problem in one answer */
const always = { when: () => true };
const needsText = <S extends z.ZodType<Draftish>>(s: S, message = "Write the text or choose a template"): S =>
  s.refine((v) => hasTemplate(v) || hasText(v.text), { message, path: ["text"], ...always });

const emailAddress = z
  .string()
  .trim()
  .min(1)
  .max(254)
  .refine((v) => !v || z.email().safeParse(v.toLowerCase()).success, "Enter a valid e-mail address");

export const smsInput = needsText(withTemplate({ to: phone, text: z.string().max(1600).optional(), ...common }));

export const emailInput = withTemplate({
  to: emailAddress,
  toName: z.string().trim().max(200).optional(),
  subject: z.string().max(300).optional(),
  text: z.string().max(1_000_000).optional(),
  html: z.string().max(1_000_000).optional(),
  attachments: z
    .array(
      z.strictObject({
        filename: z.string().trim().min(1).max(200),
        contentType: z.string().trim().max(200).default("application/octet-stream"),
        content: z.base64("Attachment content must be base64"),
      }),
    )
    .max(10)
    .optional(),
  categories: z.array(z.string().trim().min(1).max(100)).max(10).optional(),
  customArgs: z.record(z.string(), z.string().max(200)).optional(),
  replyTo: z.email().optional(),
  ...common,
})
  .refine((v) => hasTemplate(v) || hasText(v.text) || hasText(v.html), { message: "Write the text or choose a template", path: ["text"], ...always })
  .refine((v) => hasTemplate(v) || hasText(v.subject), { message: "An e-mail needs a subject", path: ["subject"], ...always });

export const emailTemplateInput = z.strictObject({
  to: emailAddress,
  toName: z.string().trim().max(200).optional(),
  template: z.string().trim().min(1).max(64),
  data: data.default({}),
  ...common,
});

export const pushInput = z
  .strictObject({
    token: z.string().trim().min(1).max(4096).optional(),
    userId: z.uuid().optional(),
    driverId: z.uuid().optional(),
    title: z.string().max(200).optional(),
    body: z.string().min(1).max(4000),
    data: z.record(z.string(), z.string().max(1000)).optional(),
    ...common,
  })
  .refine((v) => [v.token, v.userId, v.driverId].filter(Boolean).length === 1, {
    message: "Give exactly one of token, userId or driverId",
    path: ["token"],
    ...always,
  });

export const telegramInput = needsText(
  withTemplate({
    chatId: z
      .union([z.string(), z.number()])
      .transform(String)
      .pipe(z.string().trim().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})?$/, "A chat id (digits, negative for groups) or @channel"))
      .optional(),
    userId: z.uuid().optional(),
    text: z.string().max(4096).optional(),
    parseMode: z.enum(["HTML", "MarkdownV2", "none"]).optional(),
    ...common,
  }),
).refine((v) => hasText(v.chatId) || typeof v.chatId === "number" || !!v.userId, { message: "Required", path: ["chatId"], ...always });

export const bulkInput = z
  .strictObject({
    name: z.string().trim().max(200).optional(),
    recipients: z
      .array(z.union([z.string().trim().min(1).max(254), z.strictObject({ to: z.string().trim().min(1).max(254), data: data.optional(), toName: z.string().max(200).optional() })]))
      .min(1, "At least one recipient")
      .max(50_000, "At most 50,000 recipients per bulk send"),
    text: z.string().max(1_000_000).optional(),
    subject: z.string().max(300).optional(),
    html: z.string().max(1_000_000).optional(),
    template: z.string().trim().min(1).max(64).optional(),
    data: data.optional(),
    integrationId: z.uuid().optional(),
  })
  .refine((v) => !!v.template || !!v.text, { message: "Give a text or a template", path: ["text"], ...always });

export type SmsInput = z.output<typeof smsInput>;
export type EmailInput = z.output<typeof emailInput>;
export type PushInput = z.output<typeof pushInput>;
export type TelegramInput = z.output<typeof telegramInput>;
export type BulkInput = z.output<typeof bulkInput>;

// ───────────── templates (the template editor, the API's templates routes) ─────────────

/** a template whose rendered message carries a one-time secret (a code, a reset link) */
const secretFields = {
  secret: z.boolean().optional(),
  /** the variables whose values are the secret; empty: every variable the template uses */
  secretVariables: z.array(z.string().regex(/^[A-Za-z_]\w*$/)).max(50).optional(),
};

const key = z.string().trim().regex(/^[a-z][a-z0-9_]{1,63}$/, "2–64 characters: lower-case letters, digits and _");
const channel = z.enum(["sms", "whatsapp", "email", "push", "telegram"]);

export const templateInput = z
  .strictObject({
    key,
    channel,
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().max(500).nullish(),
    subject: z.string().max(300).nullish(),
    body: z.string().min(1, "The text is required").max(20_000),
    html: z.string().max(200_000).nullish(),
    variables: z.array(z.string().regex(/^[A-Za-z_]\w*$/)).max(50).optional(),
    sampleData: z.record(z.string(), z.unknown()).optional(),
    ...secretFields,
  })
  .superRefine(
    (v, ctx) => {
      if (v?.channel === "email" && !(typeof v.subject === "string" && v.subject.trim())) ctx.addIssue({ code: "custom", path: ["subject"], message: "E-mail templates need a subject" });
    },
    { when: () => true },
  );
export const templatePatch = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  description: z.string().trim().max(500).nullish(),
  subject: z.string().max(300).nullish(),
  body: z.string().min(1).max(20_000).optional(),
  html: z.string().max(200_000).nullish(),
  variables: z.array(z.string().regex(/^[A-Za-z_]\w*$/)).max(50).optional(),
  sampleData: z.record(z.string(), z.unknown()).optional(),
  ...secretFields,
});

export const previewInput = z.strictObject({
  subject: z.string().max(300).nullish(),
  body: z.string().min(1).max(20_000),
  html: z.string().max(200_000).nullish(),
  channel: channel.default("email"),
  variables: z.array(z.string()).default([]),
  data: z.record(z.string(), z.unknown()).default({}),
});

// ───────────── answers (issue 17: one shape, written once) ─────────────
// What the messaging routes answer, as the client reads it (dates are ISO strings): the routes
// declare these as their responses (the OpenAPI document shows them, the tests check every
// answer against them) and the screens import their types (components/messages).

export const MESSAGE_CHANNELS = ["sms", "whatsapp", "email", "push", "telegram"] as const;
export const messageChannel = z.enum(MESSAGE_CHANNELS);
export type MessageChannel = z.infer<typeof messageChannel>;

export const MESSAGE_STATUSES = ["queued", "sent", "delivered", "failed", "undelivered"] as const;
export const messageStatus = z.enum(MESSAGE_STATUSES);
export type MessageStatus = z.infer<typeof messageStatus>;

const integrationMode = z.enum(["live", "sandbox"]);

/** A message just queued (sends, resend); a push token is shown shortened. */
export const queuedMessage = z.object({ id: z.string(), status: messageStatus, channel: messageChannel, to: z.string(), createdAt: timestamp, ...replayed });
export type QueuedMessage = z.infer<typeof queuedMessage>;

/** POST /push/send: one message per device of the recipient */
export const queuedPush = z.object({ messages: z.array(queuedMessage), ...replayed });
export type QueuedPush = z.infer<typeof queuedPush>;

/** A message as GET /messages lists it (the body cut at 160 characters). */
export const messageItem = z.object({
  id: z.string(),
  channel: messageChannel,
  status: messageStatus,
  recipient: z.string(),
  recipientName: z.string().nullable(),
  subject: z.string().nullable(),
  /** masked ("Your code: ••••••") when the message carries a one-time secret */
  body: z.string(),
  secret: z.boolean(),
  templateKey: z.string().nullable(),
  provider: z.string().nullable(),
  integrationId: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  error: z.string().nullable(),
  errorCode: z.string().nullable(),
  attempts: z.number().int(),
  /** what the provider says it cost, in millionths of costCurrency */
  costMicros: z.number().int().nullable(),
  costCurrency: z.string().nullable(),
  batchId: z.string().nullable(),
  relatedType: z.string().nullable(),
  relatedId: z.string().nullable(),
  createdAt: timestamp,
  sentAt: timestamp.nullable(),
  deliveredAt: timestamp.nullable(),
  nextAttemptAt: timestamp.nullable(),
  integration: z.object({ name: z.string(), code: z.string(), mode: integrationMode }).nullable(),
});
export type MessageItem = z.infer<typeof messageItem>;

export const messageList = z.object({ items: z.array(messageItem), nextCursor: z.string().nullable() });

/** One step of a message's delivery timeline. */
export const historyEntry = z.object({
  at: z.string(),
  event: z.string(),
  status: z.string().optional(),
  provider: z.string().optional(),
  /** the integration's name (its id for a skipped one) */
  integration: z.string().optional(),
  detail: z.string().optional(),
  error: z.string().optional(),
  code: z.string().optional(),
  durationMs: z.number().optional(),
  attempt: z.number().int().optional(),
  source: z.string().optional(),
  providerMessageId: z.string().optional(),
  /** how a failed attempt was classified (retry, permanent …) */
  kind: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

/** A provider call made for the message (its IntegrationLog rows, redacted). */
export const providerCall = logListItem
  .pick({ id: true, createdAt: true, action: true, method: true, url: true, statusCode: true, durationMs: true, status: true, error: true })
  .extend({ response: z.unknown() });
export type ProviderCall = z.infer<typeof providerCall>;

/** GET /messages/:id: the whole message with its route, timeline and provider calls. */
export const messageDetail = messageItem.extend({
  html: z.string().nullable(),
  templateData: z.record(z.string(), z.unknown()).nullable(),
  /** attachments, categories, custom args, push data, Telegram parse mode … */
  options: z.record(z.string(), z.unknown()),
  /** only this integration, no fallback */
  pinned: z.boolean(),
  /** integration ids in the order they are tried */
  route: z.array(z.string()),
  routeIndex: z.number().int(),
  createdBy: z.string().nullable(),
  updatedAt: timestamp,
  history: z.array(historyEntry),
  integration: z.object({ name: z.string(), code: z.string(), provider: z.string(), mode: integrationMode }).nullable(),
  routeIntegrations: z.array(z.object({ id: z.string(), name: z.string(), provider: z.string().nullable() })),
  logs: z.array(providerCall),
});
export type MessageDetail = z.infer<typeof messageDetail>;

/** GET /sms/:id/status (`refresh` when ?refresh=1 asked the provider) */
export const messageStatusAnswer = messageDetail
  .pick({ id: true, status: true, channel: true, provider: true, providerMessageId: true, error: true, errorCode: true, attempts: true, sentAt: true, deliveredAt: true, costMicros: true, costCurrency: true })
  .extend({ refresh: z.object({ refreshed: z.boolean(), reason: z.string().optional() }).optional() });

const statusCounts = z.record(messageStatus, z.number().int());

/** GET /messages/stats */
export const messageStatsAnswer = z.object({
  from: timestamp,
  until: timestamp,
  byStatus: statusCounts,
  byChannel: z.partialRecord(messageChannel, z.partialRecord(messageStatus, z.number().int())),
  total: z.number().int(),
});
export type MessageStats = z.infer<typeof messageStatsAnswer>;

/** A bulk send with its progress (POST /sms/bulk, /email/bulk; GET /messages/batches[/:id]). */
export const batch = z.object({
  id: z.string(),
  name: z.string().nullable(),
  channel: messageChannel,
  total: z.number().int(),
  byStatus: statusCounts,
  processed: z.number().int(),
  percent: z.number(),
  createdAt: timestamp,
  completedAt: timestamp.nullable(),
});
export type Batch = z.infer<typeof batch>;
export const batchList = z.object({ items: z.array(batch) });

/** POST /sms/otp: the code is never answered, only where it went */
export const otpSent = z.object({ id: z.string(), phone: z.string(), purpose: z.string(), expiresAt: timestamp, messageId: z.string() });

/** POST /sms/otp/verify: 200 either way */
export const otpVerdict = z.discriminatedUnion("valid", [
  z.object({ valid: z.literal(true), phone: z.string(), purpose: z.string() }),
  z.object({
    valid: z.literal(false),
    reason: z.enum(["expired_or_missing", "too_many_attempts", "wrong_code", "already_used"]),
    message: z.string(),
    attemptsLeft: z.number().int().optional(),
  }),
]);

/** The CRM notifications (POST /notify/*): each recipient's message, or why it was skipped. */
export const notifyOutcome = z.object({
  channel: messageChannel,
  /** the recipient (a push token shortened) */
  to: z.string().optional(),
  messageId: z.string().optional(),
  skipped: z.string().optional(),
});
export const notifyAnswer = z.object({ applicationId: z.string().optional(), messages: z.array(notifyOutcome) });

export const DEVICE_TYPES = ["ios", "android", "web"] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** POST /push/register-token: the device, its token never whole */
export const deviceTokenView = z.object({
  id: z.string(),
  tokenPreview: z.string(),
  platform: z.enum(DEVICE_TYPES),
  deviceName: z.string().nullable(),
  userId: z.string().nullable(),
  driverId: z.string().nullable(),
  lastSeenAt: timestamp,
  createdAt: timestamp,
});
export type DeviceTokenView = z.infer<typeof deviceTokenView>;

/** DELETE answers that forget something */
export const deletedAnswer = z.object({ deleted: z.literal(true) });

/** GET /telegram/link */
export const telegramLinkStatus = z.object({ linked: z.boolean(), username: z.string().nullable(), linkedAt: timestamp.nullable(), pendingUntil: timestamp.nullable() });
export type TelegramLinkStatus = z.infer<typeof telegramLinkStatus>;
/** POST /telegram/link: the one-time code to send to the bot */
export const telegramLinkCode = z.object({
  code: z.string(),
  command: z.string(),
  expiresAt: timestamp,
  bot: z.object({ name: z.string(), username: z.string().nullable(), sandbox: z.boolean() }),
  deepLink: z.string().nullable(),
});
export type TelegramLinkCode = z.infer<typeof telegramLinkCode>;
/** DELETE /telegram/link */
export const telegramUnlinked = z.object({ linked: z.literal(false) });
export type TelegramUnlinked = z.infer<typeof telegramUnlinked>;

/** A message template (GET/POST/PATCH /templates). */
export const messageTemplate = z.object({
  id: z.string(),
  key: z.string(),
  channel: messageChannel,
  name: z.string(),
  description: z.string().nullable(),
  subject: z.string().nullable(),
  body: z.string(),
  html: z.string().nullable(),
  variables: z.array(z.string()),
  sampleData: z.record(z.string(), z.unknown()),
  builtin: z.boolean(),
  /** messages from it carry a one-time secret: stored encrypted until sent, shown masked, never resent */
  secret: z.boolean(),
  /** the variables whose values are the secret (empty: all of them) */
  secretVariables: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Template = z.infer<typeof messageTemplate>;
export const templateList = z.object({ items: z.array(messageTemplate) });

/** POST /templates/preview */
export const templatePreview = z.object({ subject: z.string().nullable(), text: z.string(), html: z.string().nullable(), missing: z.array(z.string()), used: z.array(z.string()) });
export type TemplatePreview = z.infer<typeof templatePreview>;

// ───────────── the sandboxes (GET /sandbox/inbox, /sandbox/telegram) ─────────────

/** What an emulator "delivered" (lib/sandbox/kit.ts): an SMS, an e-mail, a push, a chat message … */
export const sandboxInboxItem = z.object({
  id: z.string(),
  provider: z.string(),
  /** sms | email | push | chat | webhook | … */
  kind: z.string(),
  to: z.string(),
  summary: z.string(),
  /** the provider's own request, as the emulator received it */
  payload: z.unknown(),
  at: z.string(),
});
export type SandboxInboxItem = z.infer<typeof sandboxInboxItem>;
export const sandboxInboxAnswer = z.object({ sandboxUrl: z.string(), items: z.array(sandboxInboxItem) });
export type SandboxInbox = z.infer<typeof sandboxInboxAnswer>;

const sandboxBot = z.object({ id: z.string(), name: z.string(), mode: integrationMode, username: z.string().nullable() });
/** GET /sandbox/telegram: the chat the signed-in person writes from, and the bot */
export const sandboxChatAnswer = z.object({ chatId: z.number().int(), integration: sandboxBot.nullable() });
export type SandboxChat = z.infer<typeof sandboxChatAnswer>;
/** POST /sandbox/telegram: the update handed to the bot's webhook (`note` says why it was not) */
export const sandboxTelegramSent = z.object({
  chatId: z.number().int(),
  integration: sandboxBot,
  updateId: z.number().int(),
  delivered: z.boolean(),
  /** the bot had no webhook: it was set, as setWebhook would */
  webhookSet: z.boolean(),
  note: z.string().optional(),
});
export type SandboxTelegramSent = z.infer<typeof sandboxTelegramSent>;
