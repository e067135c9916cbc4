// The SMS.ru provider against its sandbox: sends in SMS.ru's wire format (HTTP 200 with a
// status_code even for errors), per-number and request-level errors classified, polling of
// delivery status with cost, test connection by balance, and the api_id never in the logs.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, createIntegration, testIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { SendError, type OutboundMessage, type ProviderDefinition } from "@/lib/providers/types";
import { SMSRU_COST_PER_SMS, SMSRU_MAGIC } from "@/lib/providers/smsru/sandbox";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";
import { waitFor } from "@/tests/helpers/wait";
import { failure } from "@/tests/helpers/providers";

const def = getProvider("smsru") as ProviderDefinition;
const jsonOf = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

let n = 0;
async function smsruIntegration(config: Record<string, unknown> = { from: "ProfTrans" }, apiId = randomUUID().toUpperCase()) {
  const row = await createIntegration({ provider: "smsru", name: `SMS.ru ${++n}`, mode: "sandbox", credentials: { apiId }, config }, system);
  return { row, apiId, ctx: buildContext(row) };
}

function message(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return { id: randomUUID(), channel: "sms", to: "+79161234567", text: "Водитель прибудет в 14:05", options: {}, statusCallbackUrl: "", ...over };
}

const sendError = (p: Promise<unknown>) => failure(p, SendError);

type Seen = { method: string; path: string; headers: Record<string, string>; body: string };
const seen = async (): Promise<Seen[]> => (await (await fetch(`${sandbox().url}/__control/requests?provider=smsru`)).json()).items;
const balance = async (apiId: string) =>
  (await (await fetch(`${sandbox().url}/smsru/my/balance?api_id=${apiId}&json=1`)).json()).balance as number;

describe("smsru provider", () => {
  it("sends an SMS in SMS.ru's wire format and polls it to delivered, with its cost", async () => {
    const { row, apiId, ctx } = await smsruIntegration();
    const before = await balance(apiId);
    const r = await def.messaging!.send(ctx, message());
    expect(r).toMatchObject({ status: "sent", providerStatus: "100" });
    expect(r.providerMessageId).toMatch(/^\d{6}-\d+$/);

    const req = (await seen()).find((s) => s.method === "POST" && s.path === "/smsru/sms/send")!;
    expect(req.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      api_id: apiId,
      to: "79161234567",
      msg: "Водитель прибудет в 14:05",
      from: "ProfTrans",
      json: "1",
    });
    const inbox = await (await fetch(`${sandbox().url}/__control/inbox?provider=smsru`)).json();
    expect(inbox.items[0]).toMatchObject({ kind: "sms", to: "+79161234567", summary: "Водитель прибудет в 14:05" });
    expect(await balance(apiId)).toBeCloseTo(before - SMSRU_COST_PER_SMS, 2);

    // in transit for ~300 ms, then delivered
    const done = await waitFor(async () => {
      const [u] = await def.messaging!.fetchStatus!(ctx, [r.providerMessageId!]);
      return u?.status === "delivered" ? u : null;
    }, 5_000, "delivered");
    expect(done).toMatchObject({ event: "103", errorCode: null, costMicros: 1_500_000, costCurrency: "RUB" });

    // the api_id is in the form body and the status query string: never in the logs
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.action)).toEqual(expect.arrayContaining(["smsru.send", "smsru.status"]));
    expect(jsonOf(logs)).not.toContain(apiId);
    const send = logs.find((l) => l.action === "smsru.send")!;
    expect((send.request as { body: Record<string, string> }).body).toMatchObject({ api_id: "[REDACTED]", to: "79161234567" });
    const status = logs.find((l) => l.action === "smsru.status")!;
    expect(status.url).toContain("api_id=[REDACTED]");
  });

  it("maps a message still in transit (102) to sent", async () => {
    const { ctx } = await smsruIntegration();
    const r = await def.messaging!.send(ctx, message({ to: `+${SMSRU_MAGIC.inTransit}` }));
    // an ordinary message sent after it is delivered once the sandbox's transit time is over:
    // by then any other message would be delivered too
    const other = await def.messaging!.send(ctx, message());
    await waitFor(async () => (await def.messaging!.fetchStatus!(ctx, [other.providerMessageId!]))[0]?.status === "delivered", 5_000, "the ordinary message delivered");
    expect(await def.messaging!.fetchStatus!(ctx, [r.providerMessageId!])).toEqual([
      expect.objectContaining({ providerMessageId: r.providerMessageId, status: "sent", event: "102", errorCode: null, costMicros: 1_500_000 }),
    ]);
  });

  it("adds test=1 in test mode (SMS.ru checks but neither delivers nor charges)", async () => {
    const { apiId, ctx } = await smsruIntegration({ testMode: true });
    const before = await balance(apiId);
    await def.messaging!.send(ctx, message());
    const req = (await seen()).find((s) => s.method === "POST" && s.path === "/smsru/sms/send" && s.body.includes(apiId))!;
    const form = Object.fromEntries(new URLSearchParams(req.body));
    expect(form.test).toBe("1");
    expect(form).not.toHaveProperty("from");
    expect(await balance(apiId)).toBe(before);
  });

  it("reports a number SMS.ru refuses as permanent (202) and one it cannot deliver as undelivered (104)", async () => {
    const { ctx } = await smsruIntegration();
    const bad = await sendError(def.messaging!.send(ctx, message({ to: `+${SMSRU_MAGIC.invalid}` })));
    expect(bad).toMatchObject({ kind: "permanent", opts: { code: "smsru_202" } });
    expect(bad.message).toMatch(/number is invalid/);

    const r = await def.messaging!.send(ctx, message({ to: `+${SMSRU_MAGIC.undelivered}` }));
    const u = await waitFor(async () => {
      const [x] = await def.messaging!.fetchStatus!(ctx, [r.providerMessageId!, "000000-1"]);
      return x?.status !== "sent" ? x : null;
    }, 5_000, "a final status");
    expect(u).toMatchObject({ providerMessageId: r.providerMessageId, status: "undelivered", event: "104", errorCode: "104", error: "Not delivered: lifetime expired" });
  });

  it("treats a rejected api_id (200) and an empty balance (201) as transient, so another provider takes over", async () => {
    const wrong = await smsruIntegration({}, "not-a-real-api-id");
    const e = await sendError(def.messaging!.send(wrong.ctx, message()));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "smsru_200" } });
    expect(e.message).not.toContain("not-a-real-api-id");

    const { apiId, ctx } = await smsruIntegration();
    await fetch(`${sandbox().url}/smsru/__balance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ api_id: apiId, balance: 0 }) });
    const broke = await sendError(def.messaging!.send(ctx, message()));
    expect(broke).toMatchObject({ kind: "transient", opts: { code: "smsru_201" }, message: expect.stringMatching(/not enough money/) });
  });

  it("treats 429 (with Retry-After), 5xx and timeouts as transient", async () => {
    const { row, ctx } = await smsruIntegration();
    await fault({ provider: "smsru", path: "/sms/send", status: 429, retryAfter: 9 });
    expect(await sendError(def.messaging!.send(ctx, message()))).toMatchObject({ kind: "transient", opts: { code: "http_429", retryAfterSeconds: 9 } });

    await fault({ provider: "smsru", path: "/sms/send", status: 502 });
    const down = await sendError(def.messaging!.send(ctx, message()));
    expect(down).toMatchObject({ kind: "transient", opts: { code: "http_502" }, message: "SMS.ru had a server error (HTTP 502)" });

    // HTTP_TIMEOUT_MS is 3000 in tests; a send is not retried
    await fault({ provider: "smsru", path: "/sms/send", delayMs: 4000 });
    const slow = await sendError(def.messaging!.send(ctx, message()));
    expect(slow).toMatchObject({ kind: "transient", opts: { code: "timeout" }, message: "SMS.ru did not answer in time" });

    const attempts = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "smsru.send" }, orderBy: { id: "asc" } });
    expect(attempts.map((a) => a.statusCode)).toEqual([429, 502, null]);
  }, 20_000);

  it("test connection reads the balance, and explains a rejected api_id", async () => {
    const { row, apiId } = await smsruIntegration();
    await fetch(`${sandbox().url}/smsru/__balance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ api_id: apiId, balance: 123.45 }) });
    expect(await testIntegration(row.id, system)).toMatchObject({ ok: true, message: "Connected: balance 123.45 RUB" });
    const after = await db.integration.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.state).toMatchObject({ balance: 123.45, currency: "RUB" });
    const log = await db.integrationLog.findFirstOrThrow({ where: { integrationId: row.id, action: "smsru.balance" } });
    expect(log.url).toMatch(/\/smsru\/my\/balance\?api_id=\[REDACTED\]&json=1$/);

    const wrong = await smsruIntegration({}, "not-a-real-api-id");
    const t = await testIntegration(wrong.row.id, system);
    expect(t).toMatchObject({ ok: false, message: "SMS.ru rejected the api_id (error 200): copy it again from sms.ru → API" });

    await fault({ provider: "smsru", path: "/my/balance", status: 503, times: 10 });
    expect(await testIntegration(row.id, system)).toMatchObject({ ok: false, message: "SMS.ru had a server error (HTTP 503)" });
  });

  it("polls in batches of 100 ids", async () => {
    const { row, ctx } = await smsruIntegration();
    const ids = Array.from({ length: 150 }, (_, i) => `000000-${i}`);
    expect(await def.messaging!.fetchStatus!(ctx, ids)).toEqual([]); // unknown ids (-1) say nothing
    const calls = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "smsru.status" } });
    expect(calls.length).toBe(2);
    const counts = calls.map((c) => new URL(c.url!).searchParams.get("sms_id")!.split(",").length).sort((a, b) => b - a);
    expect(counts).toEqual([100, 50]);
  });
});
