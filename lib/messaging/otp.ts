// One-time passwords by SMS. Only a salted hash of the code is kept; a code expires after
// OTP_TTL_SECONDS, allows OTP_MAX_ATTEMPTS guesses, works once; a number gets at most
// OTP_PER_HOUR codes an hour. Verification compares in constant time. The SMS itself is a
// secret message (lib/messaging/secret.ts): stored, shown and logged as "Your code: ••••••".
import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { errors } from "@/lib/errors";
import { consume } from "@/lib/rate-limit";
import { enqueue } from "@/lib/messaging/outbox";
import { normalizePhone } from "@/lib/phone";

export const otpSendInput = z.strictObject({
  phone: z.string().trim().min(1).max(40),
  purpose: z.string().trim().regex(/^[a-z0-9_.-]{1,40}$/, "Lower-case letters, digits, _ . -").default("login"),
  length: z.number().int().min(4).max(8).default(6),
  /** {{code}} and {{minutes}} are replaced */
  text: z.string().max(300).optional(),
});
export const otpVerifyInput = z.strictObject({
  phone: z.string().trim().min(1).max(40),
  purpose: z.string().trim().max(40).default("login"),
  code: z.string().trim().regex(/^\d{4,8}$/, "The code is 4–8 digits"),
});

function digest(id: string, code: string) {
  // keyed by the row id: equal codes never have equal hashes
  return createHmac("sha256", id).update(code).digest("hex");
}

function phoneOf(input: string) {
  const p = normalizePhone(input);
  if (!p.ok) throw errors.validation(p.reason, [{ path: "phone", message: p.reason }]);
  return p.value;
}

export async function sendOtp(input: z.output<typeof otpSendInput>, createdBy: string) {
  const e = env();
  const phone = phoneOf(input.phone);
  const limit = await consume("otp", `${phone}:${input.purpose}`, e.OTP_PER_HOUR, 3600);
  if (!limit.allowed) throw errors.rateLimited(limit.retryAfterSeconds);
  const code = String(randomInt(0, 10 ** input.length)).padStart(input.length, "0");
  const minutes = Math.round(e.OTP_TTL_SECONDS / 60);
  const text = (input.text ?? "Your code: {{code}}. It expires in {{minutes}} min.").replace(/\{\{\s*code\s*\}\}/g, code).replace(/\{\{\s*minutes\s*\}\}/g, String(minutes));
  if (!text.includes(code)) throw errors.validation("The text must contain {{code}}", [{ path: "text", message: "Missing {{code}}" }]);
  const row = await db.otpCode.create({
    data: { phone, purpose: input.purpose, codeHash: "pending", expiresAt: new Date(Date.now() + e.OTP_TTL_SECONDS * 1000), maxAttempts: e.OTP_MAX_ATTEMPTS },
  });
  // earlier unused codes for the same number and purpose stop working
  await db.otpCode.updateMany({ where: { phone, purpose: input.purpose, verifiedAt: null, id: { not: row.id }, expiresAt: { gt: new Date() } }, data: { expiresAt: new Date() } });
  // the code is a secret: the message is stored and shown masked, its real text sealed for the worker
  const { message } = await enqueue({ channel: "sms", to: phone, text, secretValues: [code], related: { type: "otp", id: row.id }, createdBy, options: {} });
  await db.otpCode.update({ where: { id: row.id }, data: { codeHash: digest(row.id, code), messageId: message.id } });
  return { id: row.id, phone, purpose: input.purpose, expiresAt: row.expiresAt, messageId: message.id };
}

export async function verifyOtp(input: z.output<typeof otpVerifyInput>) {
  const phone = phoneOf(input.phone);
  const row = await db.otpCode.findFirst({ where: { phone, purpose: input.purpose, verifiedAt: null }, orderBy: { createdAt: "desc" } });
  if (!row || row.expiresAt <= new Date()) return { valid: false, reason: "expired_or_missing", message: "No valid code for this number: ask for a new one" };
  // count the guess first (atomically), so parallel guesses cannot exceed the limit
  const counted = await db.otpCode.updateMany({ where: { id: row.id, attempts: { lt: row.maxAttempts }, verifiedAt: null }, data: { attempts: { increment: 1 } } });
  if (!counted.count) return { valid: false, reason: "too_many_attempts", message: "Too many wrong codes: ask for a new one" };
  const a = Buffer.from(digest(row.id, input.code), "hex");
  const b = Buffer.from(row.codeHash.length === 64 ? row.codeHash : "0".repeat(64), "hex");
  if (!timingSafeEqual(a, b)) {
    const left = row.maxAttempts - row.attempts - 1;
    return { valid: false, reason: "wrong_code", message: left > 0 ? `Wrong code: ${left} attempt(s) left` : "Wrong code: no attempts left", attemptsLeft: Math.max(0, left) };
  }
  const used = await db.otpCode.updateMany({ where: { id: row.id, verifiedAt: null }, data: { verifiedAt: new Date() } });
  if (!used.count) return { valid: false, reason: "already_used", message: "This code was already used" };
  return { valid: true, phone, purpose: row.purpose };
}
