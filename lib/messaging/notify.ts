// The CRM's everyday notifications, built on the outbox and the seed's templates: an order
// assigned to a driver, an order's status changed, a payment confirmed, an urgent message.
// Each returns the queued messages (or says why a recipient could not be reached).
import { z } from "zod";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { enqueue, type Draft } from "@/lib/messaging/outbox";
import { maskRecipient } from "@/lib/messaging/recipients";
import type { Channel } from "@/lib/providers/types";

const channelList = z.array(z.enum(["sms", "whatsapp", "email", "push", "telegram"])).min(1).max(5);

export const orderAssignedInput = z.strictObject({ applicationId: z.uuid(), channels: channelList.default(["sms", "push"]) });
export const orderStatusInput = z.strictObject({ applicationId: z.uuid(), status: z.string().trim().max(100).optional(), channels: channelList.default(["email", "sms"]) });
export const paymentConfirmationInput = z.strictObject({
  applicationId: z.uuid(),
  amountMinor: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  receiptUrl: z.url().optional(),
  channels: channelList.default(["email", "sms"]),
});
export const urgentInput = z
  .strictObject({
    text: z.string().trim().min(1).max(1000),
    driverIds: z.array(z.uuid()).max(500).default([]),
    userIds: z.array(z.uuid()).max(500).default([]),
    phones: z.array(z.string().max(40)).max(500).default([]),
  })
  .refine((v) => v.driverIds.length + v.userIds.length + v.phones.length > 0, { message: "Name at least one recipient", path: ["driverIds"] });

type Outcome = { channel: Channel; to?: string; messageId?: string; skipped?: string };

async function load(id: string) {
  const a = await db.application.findUnique({ where: { id }, include: { driver: true, contact: true, vehicle: true } });
  if (!a) throw errors.notFound("Order");
  return a;
}

async function queue(d: Draft, out: Outcome[]) {
  const { message } = await enqueue(d);
  // a device token is a credential for the device's pushes: never answered whole (as POST push/send)
  out.push({ channel: d.channel, to: d.channel === "push" ? maskRecipient("push", message.recipient) : message.recipient, messageId: message.id });
}

const STATUS_WORDS: Record<string, string> = { new: "received", assigned: "driver assigned", in_progress: "driver on the way", completed: "completed", canceled: "canceled" };

export async function notifyOrderAssigned(input: z.output<typeof orderAssignedInput>, createdBy: string) {
  const a = await load(input.applicationId);
  if (!a.driver) throw errors.unprocessable(`Order ${a.number} has no driver`);
  const data = {
    driver_name: a.driver.name,
    number: a.number,
    pickup_at: a.pickupAt.toISOString(),
    pickup_address: a.pickupAddress,
    dropoff_address: a.dropoffAddress,
    passengers: a.passengers,
    client_name: a.contact ? `${a.contact.firstName} ${a.contact.lastName ?? ""}`.trim() : "",
    client_phone: a.contact?.phone ?? "",
  };
  const related = { type: "application", id: a.id };
  const out: Outcome[] = [];
  for (const ch of input.channels) {
    if (ch === "push") {
      const tokens = await db.deviceToken.findMany({ where: { driverId: a.driver.id } });
      if (!tokens.length) out.push({ channel: ch, skipped: "the driver has no registered device" });
      for (const t of tokens) await queue({ channel: "push", to: t.token, subject: `Order ${a.number}`, text: `${data.pickup_address} → ${data.dropoff_address}, ${data.pickup_at.slice(0, 16).replace("T", " ")} UTC`, options: { data: { application_id: a.id, type: "order_assigned" } }, related, createdBy }, out);
    } else if (ch === "email") {
      if (!a.driver.email) out.push({ channel: ch, skipped: "the driver has no e-mail" });
      else await queue({ channel: ch, to: a.driver.email, template: { key: "application_assigned", data }, related, createdBy }, out);
    } else if (ch === "telegram") {
      out.push({ channel: ch, skipped: "drivers are reached by SMS and push; Telegram links are for dashboard users" });
    } else {
      await queue({ channel: ch, to: a.driver.phone, template: { key: "application_assigned", data }, related, createdBy }, out);
    }
  }
  return { applicationId: a.id, messages: out };
}

async function toClient(a: Awaited<ReturnType<typeof load>>, channels: Channel[], key: string, data: Record<string, unknown>, createdBy: string) {
  const related = { type: "application", id: a.id };
  const out: Outcome[] = [];
  if (!a.contact) throw errors.unprocessable(`Order ${a.number} has no client contact`);
  for (const ch of channels) {
    const to = ch === "email" ? a.contact.email : ch === "sms" || ch === "whatsapp" ? a.contact.phone : null;
    if (!to) out.push({ channel: ch, skipped: ch === "email" || ch === "sms" || ch === "whatsapp" ? `the client has no ${ch === "email" ? "e-mail" : "phone"}` : `clients are not reached by ${ch}` });
    else await queue({ channel: ch, to, toName: `${a.contact.firstName} ${a.contact.lastName ?? ""}`.trim(), template: { key, data }, related, createdBy }, out);
  }
  return { applicationId: a.id, messages: out };
}

export async function notifyOrderStatus(input: z.output<typeof orderStatusInput>, createdBy: string) {
  const a = await load(input.applicationId);
  const data = {
    name: a.contact?.firstName ?? "",
    number: a.number,
    status: input.status ?? STATUS_WORDS[a.status] ?? a.status,
    driver_name: a.driver?.name,
    vehicle: a.vehicle ? `${a.vehicle.make} ${a.vehicle.model} ${a.vehicle.plateNumber}` : undefined,
  };
  return toClient(a, input.channels, "application_status_changed", data, createdBy);
}

export async function notifyPaymentConfirmation(input: z.output<typeof paymentConfirmationInput>, createdBy: string) {
  const a = await load(input.applicationId);
  const data = { name: a.contact?.firstName ?? "", number: a.number, amount_minor: input.amountMinor, currency: input.currency, receipt_url: input.receiptUrl };
  return toClient(a, input.channels, "payment_notification", data, createdBy);
}

/** Every way we have: SMS and push to drivers, Telegram (else SMS) to linked users, SMS to numbers. */
export async function notifyUrgent(input: z.output<typeof urgentInput>, createdBy: string) {
  const out: Outcome[] = [];
  const text = `URGENT: ${input.text}`;
  const related = { type: "urgent", id: new Date().toISOString() };
  for (const id of input.driverIds) {
    const d = await db.driver.findUnique({ where: { id } });
    if (!d) {
      out.push({ channel: "sms", skipped: `driver ${id} not found` });
      continue;
    }
    await queue({ channel: "sms", to: d.phone, text, related, createdBy }, out);
    for (const t of await db.deviceToken.findMany({ where: { driverId: id } })) await queue({ channel: "push", to: t.token, subject: "Urgent", text: input.text, options: { data: { type: "urgent" } }, related, createdBy }, out);
  }
  for (const id of input.userIds) {
    const link = await db.telegramLink.findUnique({ where: { userId: id } });
    if (link?.chatId) await queue({ channel: "telegram", to: link.chatId, text, options: { parseMode: "none" }, integrationId: link.integrationId, related, createdBy }, out);
    else out.push({ channel: "telegram", skipped: `user ${id} has not linked Telegram` });
  }
  for (const p of input.phones) await queue({ channel: "sms", to: p, text, related, createdBy }, out);
  return { messages: out };
}
