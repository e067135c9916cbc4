// What the provider tests (lib/providers/<id>/<id>.test.ts) share: the requests a sandbox
// received, a failure of the expected class, an integration's stored webhook events and
// processing one of them, JSON of log rows, an outbound e-mail.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import { subscribe, subscribersOf, unsubscribe } from "@/lib/events";
import { db } from "@/lib/db";
import type { OutboundMessage } from "@/lib/providers/types";
import { processWebhookEvent } from "@/lib/webhooks/process";
import { sandbox } from "./fixtures";
import { waitFor } from "./wait";

export type SeenRequest = { method: string; path: string; headers: Record<string, string>; body: string };

/** The requests the provider's sandbox received (the newest 500), oldest first. */
export async function sandboxRequests(provider: string, filter: (s: SeenRequest) => boolean = () => true): Promise<SeenRequest[]> {
  const seen = await (await fetch(`${sandbox().url}/__control/requests?provider=${provider}`)).json();
  return (seen.items as SeenRequest[]).filter(filter).reverse();
}

/** The error `p` rejects with, which must be a `Class`; a success fails the test. */
export function failure<E>(p: Promise<unknown>, Class: abstract new (...args: never[]) => E): Promise<E> {
  return p.then(
    () => {
      throw new Error(`expected a ${Class.name}`);
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(Class);
      return e as E;
    },
  );
}

/** An integration's stored webhook events once there are at least `count`, oldest first. */
export const storedEvents = (integrationId: string, count: number, what: string, where: Record<string, unknown> = {}) =>
  waitFor(async () => {
    const rows = await db.webhookEvent.findMany({ where: { integrationId, ...where }, orderBy: { receivedAt: "asc" } });
    return rows.length >= count && rows;
  }, 15_000, `${count} ${what}`);

/** Processes a stored event (it must complete); its result: the handler's note and normalized events. */
export async function processedEvent<D = unknown>(id: string) {
  expect(await processWebhookEvent(id)).toBe("completed");
  const row = await db.webhookEvent.findUniqueOrThrow({ where: { id } });
  return row.result as { note?: string; events: { type: string; data: D }[] };
}

/** JSON of database rows (log ids are bigints): to check that no secret is in them anywhere. */
export const jsonOf = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

/** An e-mail as the outbox hands it to an e-mail provider. */
export function outboundEmail(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: randomUUID(),
    channel: "email",
    to: `rider-${randomBytes(3).toString("hex")}@example.com`,
    toName: "Rider One",
    subject: "Your transfer APP-1001",
    text: "Your driver arrives at 10:00.",
    html: null,
    options: {},
    statusCallbackUrl: "http://unused.test",
    ...over,
  };
}

/**
 * For a test file of one provider's adapter: the areas' subscribers of the normalized events its
 * webhooks produce (`payment.updated`, `message.status` …) are taken away while the file runs, so
 * a handled event ends as the provider's handler says, not as the product's tables (which these
 * tests do not fill) make it. What the areas do with the events is tested in
 * tests/integration (payments, messaging).
 */
export function adapterOnly(types: readonly string[] = ["payment.updated", "refund.updated", "message.status"]) {
  const removed: { type: string; name: string; handler: Parameters<typeof subscribe>[2] }[] = [];
  beforeAll(() => {
    for (const type of types) {
      for (const s of [...subscribersOf(type)]) {
        if (unsubscribe(type, s.name)) removed.push({ type, name: s.name, handler: s.handler });
      }
    }
  });
  afterAll(() => {
    for (const r of removed.splice(0)) subscribe(r.type, r.name, r.handler);
  });
}
