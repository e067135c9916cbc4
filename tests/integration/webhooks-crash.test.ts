// Crash safety: a worker process is killed (SIGKILL) while it processes an event; a new
// worker process takes the event over once the dead one's lease runs out, and completes it.
import { afterAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import path from "node:path";
import { db } from "@/lib/db";
import * as receiveRoute from "@/app/api/webhooks/receive/[code]/route";
import { call } from "../helpers/http";
import { webhookIntegration } from "../helpers/fixtures";
import { scriptedServer } from "../helpers/scripted-server";
import { waitFor } from "../helpers/wait";

const root = path.resolve(__dirname, "..", "..");
const children: ChildProcess[] = [];

function worker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/worker.ts")], {
    cwd: root,
    env: {
      ...process.env,
      WORKER_POLL_SECONDS: "0.5",
      WEBHOOK_LEASE_SECONDS: "3",
      // longer than the lease only so that the first worker is surely still inside the handler when killed
      WEBHOOK_HANDLER_TIMEOUT_SECONDS: "30",
      WEBHOOK_SWEEP_SECONDS: "0.5",
      HTTP_TIMEOUT_MS: "60000",
    },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

describe("crash safety", () => {
  it("an event whose worker is killed mid-processing is completed by another worker", async () => {
    const crm = await scriptedServer();
    try {
      // the CRM hangs on the first delivery: the worker is stuck inside the handler
      crm.script("/crm", [{ delayMs: 60_000 }, { status: 200 }]);
      const secret = randomBytes(32).toString("base64url");
      const fwd = "whsec_" + randomBytes(32).toString("base64");
      const { row } = await webhookIntegration({
        mode: "live",
        apiEndpoint: `${crm.url}/out`,
        credentials: { signingSecret: secret, forwardSecret: fwd },
        config: { scheme: "hmac-sha256", forwardUrl: `${crm.url}/crm` },
      });
      const body = JSON.stringify({ id: "crash-1", type: "order.created" });
      const first = await worker();
      const res = await call(receiveRoute.POST as never, {
        rawBody: body,
        params: { code: row.code },
        headers: { "content-type": "application/json", "x-signature": createHmac("sha256", secret).update(body).digest("hex") },
      });
      expect(res.status).toBe(200);
      const id = res.json.id as string;

      await waitFor(async () => crm.hits.length === 1, 30_000, "the first worker to reach the CRM");
      expect((await db.webhookEvent.findUniqueOrThrow({ where: { id } })).status).toBe("processing");
      first.kill("SIGKILL");
      await new Promise((r) => first.once("exit", r));

      await worker();
      const done = await waitFor(async () => {
        const e = await db.webhookEvent.findUniqueOrThrow({ where: { id } });
        return e.status === "completed" && e;
      }, 30_000, "the second worker to complete the event");
      expect(done.attempts).toBe(2);
      // the dead worker wrote nothing; the survivor's attempt is the one on record
      expect(done.history).toEqual([expect.objectContaining({ attempt: 2, outcome: "completed" })]);
      expect(crm.hits).toHaveLength(2);
      expect(crm.hits[0].headers["webhook-id"]).toBe(crm.hits[1].headers["webhook-id"]);
    } finally {
      await crm.close();
    }
  }, 90_000);
});
