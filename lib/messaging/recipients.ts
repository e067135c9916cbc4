// Recipients as the providers need them: phone numbers in E.164 (libphonenumber-js with full
// metadata, so "valid" means a number that can exist, not just the right length), e-mail
// addresses lower-cased, Telegram chat ids, push device tokens.
import { z } from "zod";
import type { Channel } from "@/lib/providers/types";
// phone numbers are core (telephony files calls by them too): the one rule in lib/phone-contract.ts
import { normalizePhone, type Normalized } from "@/lib/phone";

export type { Normalized };

const email = z.email();

export function normalizeEmail(input: string): Normalized {
  const v = input.trim().toLowerCase();
  return email.safeParse(v).success && v.length <= 254 ? { ok: true, value: v } : { ok: false, reason: `"${input.trim()}" is not a valid e-mail address` };
}

export function normalizeChatId(input: string): Normalized {
  const v = input.trim();
  return /^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/.test(v)
    ? { ok: true, value: v }
    : { ok: false, reason: `"${v}" is not a Telegram chat id (digits, negative for groups) or @channel` };
}

export function normalizeDeviceToken(input: string): Normalized {
  const v = input.trim();
  return v && v.length <= 4096 && !/\s/.test(v) ? { ok: true, value: v } : { ok: false, reason: "Not a device token" };
}

export function normalizeRecipient(channel: Channel, to: string): Normalized {
  switch (channel) {
    case "sms":
    case "whatsapp":
      return normalizePhone(to);
    case "email":
      return normalizeEmail(to);
    case "telegram":
      return normalizeChatId(to);
    case "push":
      return normalizeDeviceToken(to);
  }
}

/** "+7 999 ***-**-67", "a***@example.com": for lists and logs people glance at. */
export function maskRecipient(channel: Channel, to: string): string {
  if (channel === "email") {
    const [user, domain] = to.split("@");
    return `${user.slice(0, 1)}***@${domain ?? ""}`;
  }
  if (channel === "push") return `${to.slice(0, 8)}…`;
  return to.length > 6 ? `${to.slice(0, to.length - 4).replace(/\d(?=\d{2})/g, (d, i) => (i < 3 ? d : "*"))}${to.slice(-4)}` : to;
}
