// The shapes the messaging API accepts, shared with the dashboard's forms: zod and pure
// helpers only (no database, no environment), so the browser validates a form with the very
// schemas the server uses and shows every field's problem at once. Messages come from the one
// error map in lib/errors.ts unless a rule below says it better.
import { z } from "zod";
import { checkPhone, PHONE_HINT } from "@/lib/phone-contract";
import "@/lib/errors";

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

