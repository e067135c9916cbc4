// Alerts tell the admins through an event (issue 17: alerts never import messaging): the claim
// of an alert's notification and its "alert.raised" event commit together, and messaging's
// subscriber queues the notices. A process killed after that commit and before messaging's
// reaction loses nothing: the workers' event loop delivers the event, and a second delivery
// (at least once) queues nothing twice.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { createIntegration } from "@/lib/integrations/service";
import { fireAlert, notifyPending } from "@/lib/alerts/service";
import { startWorkers, type Workers } from "@/lib/wiring/worker";
import { createUser, system, telegramIntegration } from "../helpers/fixtures";
import { FAST_OUTBOX_ENV, setEnv } from "../helpers/workers";
import { waitFor } from "../helpers/wait";
import { expectNothingMore } from "../helpers/quiet";

setEnv({ ...FAST_OUTBOX_ENV, EVENT_DELIVERY_MS: "50" });

const root = path.resolve(__dirname, "..", "..");
let workers: Workers | undefined;
afterAll(async () => {
  await workers?.stop();
});

/** Runs tests/helpers/die-notifying.ts for the alert; resolves with the signal that ended it. */
function dieNotifying(alertId: string): Promise<NodeJS.Signals | null> {
  // tsx as a loader (not its CLI, which would run the script in a child of its own): the signal is this process's
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "tests/helpers/die-notifying.ts"), alertId], {
    cwd: root,
    env: process.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => (signal ? resolve(signal) : reject(new Error(`the process exited with ${code} instead of dying: ${stderr.slice(-2000)}`))));
  });
}

const event = async (alertId: string) =>
  (
    await pgPool().query<{ id: string; status: string; done: string[]; attempts: number; locked: boolean }>(
      `select id, status, done, attempts, locked_until > now() as locked from domain_events where type = 'alert.raised' and payload->'data'->>'alertId' = $1`,
      [alertId],
    )
  ).rows;
const notices = (alertId: string) => db.message.findMany({ where: { idempotencyKey: { startsWith: `alert:${alertId}:` } }, orderBy: { idempotencyKey: "asc" } });

describe("an alert's notice survives a process that dies before messaging reacts", () => {
  it("the workers' event loop delivers alert.raised: each admin is told once per channel, and a redelivery queues nothing more", async () => {
    const { row: bot } = await telegramIntegration({ name: "Crash bot" });
    await createIntegration(
      { provider: "smtp", name: "Crash mail", mode: "sandbox", credentials: { username: "robot@crash.test", password: "sandbox-password" }, config: { fromEmail: "robot@crash.test" } },
      system,
    );
    const admin = await createUser("admin");
    await db.telegramLink.create({ data: { userId: admin.id, integrationId: bot.id, chatId: "7301", linkedAt: new Date() } });
    const other = await createUser("admin");
    const fired = await fireAlert({ rule: "export_failed", key: `export_failed:crash-${admin.id}`, severity: "warning", title: "Crash exports failing", message: "a test", at: new Date() });
    expect(fired?.opened).toBe(true);
    const alertId = fired!.id;

    // the process claims the alert, commits the event, and is killed while delivering it
    expect(await dieNotifying(alertId)).toBe("SIGKILL");
    expect((await db.alert.findUniqueOrThrow({ where: { id: alertId } })).notifiedAt).not.toBeNull();
    const [ev] = await event(alertId);
    expect(ev).toMatchObject({ status: "pending", done: [], attempts: 1, locked: true });
    expect(await notices(alertId)).toHaveLength(0);
    // the claim holds: the evaluation does not notify it again (the event is the only way)
    await notifyPending();
    expect(await event(alertId)).toHaveLength(1);
    expect(await notices(alertId)).toHaveLength(0);

    // the dead process's lease (120 s) runs out: moved, not waited for; the workers deliver it
    await pgPool().query(`update domain_events set locked_until = now() - interval '1 second' where id = $1`, [ev.id]);
    workers = await startWorkers({ pollingIntervalSeconds: 0.5, schedules: false });
    await waitFor(async () => (await event(alertId))[0].status === "done", 15_000, "alert.raised delivered by the workers");
    const told = async () => (await notices(alertId)).map((m) => `${m.channel}:${m.recipient}:${m.createdBy}`);
    const expected = [`email:${admin.email}:alerts`, `email:${other.email}:alerts`, "telegram:7301:alerts"].sort();
    expect((await told()).sort()).toEqual(expected);
    const delivered = (await event(alertId))[0];
    expect(delivered.done).toEqual(["messaging.notify-admins"]);

    // at least once: the same event delivered again queues nothing twice
    const before = (await notices(alertId)).map((m) => m.id);
    await pgPool().query(`update domain_events set status = 'pending', done = '{}', available_at = now() where id = $1`, [ev.id]);
    await waitFor(async () => {
      const [again] = await event(alertId);
      return again.attempts > delivered.attempts && again.status === "done";
    }, 15_000, "the second delivery");
    await expectNothingMore(async () => {
      expect((await notices(alertId)).map((m) => m.id)).toEqual(before);
      expect((await told()).sort()).toEqual(expected);
    }, { workers, loops: ["event delivery", "message dispatch"] });
  });
});
