// What `npm start` loads on a fresh machine: demo data, one integration per provider against
// the sandboxes (each passing its connection test) and a few notifications that the workers
// really send, so the dashboard is alive on first open.
import { expect, it } from "vitest";
import { db } from "@/lib/db";
import { reconnectSandboxes, testIntegration } from "@/lib/integrations/service";
import { seedDemoData, seedDemoIntegrations, seedDemoMessages, seedDemoPayments } from "@/lib/runtime/seed";
import { sandbox } from "../helpers/fixtures";
import { runWorkers } from "../helpers/workers";
import { waitFor } from "../helpers/wait";

runWorkers({ webhooks: true, env: { MESSAGE_DISPATCH_MS: "50", WEBHOOK_DISPATCH_MS: "50", MESSAGE_STATUS_POLL_SECONDS: "0.5" } });

it("seeds integrations that pass their tests and notifications that get sent", async () => {
  expect(await seedDemoData()).toBe(true);
  const ids = await seedDemoIntegrations();
  expect(ids.length).toBeGreaterThanOrEqual(7);
  for (const id of ids) {
    const row = await db.integration.findUniqueOrThrow({ where: { id } });
    const r = await testIntegration(id, { actor: { type: "system", label: "test" } });
    // the OAuth ones a person connects on the provider's consent page first (the demo leaves that to the admin)
    if (["google-calendar", "ringcentral"].includes(row.provider)) expect({ provider: row.provider, ok: r.ok, message: r.message }).toMatchObject({ ok: false, message: expect.stringMatching(/not connected/i) });
    else expect({ provider: row.provider, ok: r.ok, message: r.message }).toMatchObject({ ok: true });
  }
  expect(await reconnectSandboxes()).toBeGreaterThanOrEqual(2);
  const n = await seedDemoMessages();
  expect(n).toBeGreaterThanOrEqual(6);
  expect(await seedDemoMessages()).toBe(0); // only once
  const done = await waitFor(async () => {
    const rows = await db.message.findMany();
    return rows.every((m) => m.status !== "queued") ? rows : null;
  }, 30_000, "demo messages to leave the queue");
  expect(done.filter((m) => !["sent", "delivered"].includes(m.status)).map((m) => `${m.channel} ${m.status}: ${m.error}`)).toEqual([]);
  expect(done.some((m) => m.channel === "sms" && m.provider === "twilio")).toBe(true);
  expect(done.some((m) => m.channel === "email" && m.provider === "sendgrid")).toBe(true);
  expect(done.some((m) => m.channel === "push" && m.provider === "fcm")).toBe(true);

  expect(await seedDemoPayments(sandbox().url)).toBe(3);
  const payments = await db.payment.findMany({ orderBy: { amountMinor: "asc" } });
  expect(payments.map((p) => p.status).sort()).toEqual(["pending", "succeeded", "succeeded"]);
  expect(payments.every((p) => p.paymentUrl?.includes("/stripe/checkout/"))).toBe(true);
});

it("seeds today's tracks for the map: moving drivers, one gone quiet, a few on an order; once", async () => {
  const { seedDemoTracks } = await import("@/lib/runtime/seed");
  const { driversSnapshot } = await import("@/lib/tracking/service");
  const { driverHistory } = await import("@/lib/tracking/history");
  const { simulatorAt } = await import("@/lib/tracking/simulator");
  const { distance } = await import("@/lib/tracking/history");
  const seeded = await seedDemoTracks();
  expect(seeded.live.length).toBeGreaterThanOrEqual(5);
  expect(seeded.positions).toBeGreaterThan(100);
  expect((await seedDemoTracks()).positions).toBe(0); // a restart adds nothing

  const snap = await driversSnapshot();
  const states = snap.drivers.map((d) => d.state);
  expect(states).toContain("offline");
  expect(states.filter((s) => s === "moving" || s === "stopped").length).toBeGreaterThanOrEqual(seeded.live.length);
  expect(snap.drivers.filter((d) => d.order?.status === "in_progress").length).toBeGreaterThanOrEqual(1);
  // every position is somewhere around Moscow
  for (const d of snap.drivers.filter((x) => x.location)) {
    expect(distance(d.location!, { latitude: 55.75, longitude: 37.62 })).toBeLessThan(60_000);
  }

  // the live simulator continues where the seeded history ends: no jump across the city
  const first = seeded.live[0];
  const last = snap.drivers.find((d) => d.id === first)!.location!;
  const next = simulatorAt(0, Date.now()).step(3);
  expect(distance(last, next)).toBeLessThan(500);

  const h = await driverHistory({ driverId: first, from: new Date(Date.now() - 3 * 3600_000).toISOString(), to: new Date().toISOString(), tz: "UTC", raw: false, maxPoints: 1000 });
  expect(h.stats.rawPoints).toBeGreaterThan(10);
  expect(h.stats.distanceMeters).toBeGreaterThan(1000);
});
