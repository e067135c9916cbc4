// The "nothing more happens" helper (tests/helpers/quiet.ts) waits for real work to end, fails
// when the system never settles, and does not wait for work scheduled for later.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { expectNothingMore, untilIdle, sandboxProbe, messagesProbe, webhooksProbe, WORKER_PROBES, type IdleProbe } from "../helpers/quiet";
import { webhookIntegration } from "../helpers/fixtures";
import { waitFor } from "../helpers/wait";

const sandbox = () => process.env.SANDBOX_URL!;

describe("expectNothingMore", () => {
  it("waits while the sandbox is still answering a request, then runs the check", async () => {
    await fetch(`${sandbox()}/__control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "smsru", path: "/my/balance", delayMs: 700 }),
    });
    let answered = false;
    const slow = fetch(`${sandbox()}/smsru/my/balance?api_id=x&json=1`).then(async (r) => {
      await r.text();
      answered = true;
    });
    // the request has reached the sandbox (it answers only after its delay)
    const started = Date.now();
    await waitFor(async () => (await (await fetch(`${sandbox()}/__control/in-flight`)).json()).count > 0, 5000, "the request to reach the sandbox");
    expect(await expectNothingMore(() => answered, { probes: [sandboxProbe] })).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await slow;
  });

  it("fails the test, naming what is still busy, when the system never settles", async () => {
    const { row } = await webhookIntegration();
    // a due message and a due webhook event, and no worker running to take them
    await db.message.create({
      data: { channel: "sms", recipient: "+15550001111", body: "never sent", idempotencyKey: randomUUID() },
    });
    await pgPool().query(
      `insert into webhook_events (id, integration_id, provider, event_type, status, idempotency_key, payload, headers, path, signature_verified, verification)
       values ($1, $2, 'generic-webhook', 'x', 'pending', $3, '{}', '{}', '/api/webhooks/receive/x', true, 'hmac-sha256')`,
      [randomUUID(), row.id, `id:${randomUUID()}`],
    );
    const err = await untilIdle({ probes: WORKER_PROBES, timeoutMs: 500 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/did not settle within 500 ms/);
    expect((err as Error).message).toMatch(/1 queued messages/);
    expect((err as Error).message).toMatch(/webhook events pending/);
    let checked = false;
    await expect(expectNothingMore(() => (checked = true), { probes: [messagesProbe], timeoutMs: 300 })).rejects.toThrow(/queued messages/);
    expect(checked).toBe(false);

    // work scheduled for later is not waited for: the same rows, due in an hour
    await pgPool().query("update messages set next_attempt_at = now() + interval '1 hour' where status = 'queued'");
    await pgPool().query("update webhook_events set next_attempt_at = now() + interval '1 hour' where status = 'pending'");
    await untilIdle({ probes: [messagesProbe, webhooksProbe], timeoutMs: 2000 });
  });

  it("given the workers, waits for their dispatchers to tick on the idle state, and fails if they never do", async () => {
    // a dispatcher that, on its tick, makes work which then takes a few polls to finish
    let pending = 0;
    const work: IdleProbe = { name: "work", busy: async () => (pending > 0 ? `${pending--} left` : null) };
    let ticks = 0;
    const workers = { ticked: async () => void (ticks++, (pending = 3)) };
    let seen = -1;
    await expectNothingMore(() => (seen = pending), { probes: [work], workers });
    expect(ticks).toBe(1);
    expect(seen).toBe(0);
    const stuck = { ticked: () => new Promise<void>(() => {}) };
    await expect(untilIdle({ probes: [work], workers: stuck, loops: ["suitedash dispatch"], timeoutMs: 300 })).rejects.toThrow(
      /suitedash dispatch loops did not tick/,
    );
  });

  it("takes extra probes (e.g. a new outbox table)", async () => {
    let n = 3;
    const countdown: IdleProbe = { name: "countdown", busy: async () => (n-- > 0 ? `${n + 1} left` : null) };
    await untilIdle({ probes: [countdown] });
    expect(n).toBeLessThan(0);
    const never: IdleProbe = { name: "never", busy: async () => "always busy" };
    await expect(untilIdle({ probes: [never], timeoutMs: 200 })).rejects.toThrow(/never: always busy/);
  });
});
