// A test file's running product: the env it runs with, real workers and (for sandboxes that
// call back: Twilio status callbacks, SendGrid events, Telegram updates) the webhook front,
// started before the file's tests and stopped after them. Call at the top level of the file.
import { afterAll, beforeAll } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { startWorkers, type Workers } from "@/lib/wiring/worker";
import { startWebhookServer } from "./webhook-server";

/**
 * The outbox and the webhook inbox turned fast for tests: dispatched every 50 ms, short
 * backoffs. A status callback can arrive before its send's result is recorded (a loaded
 * machine): the report is retried until the message is known; with 1 s retries, 5 were not
 * always enough, hence 20.
 */
export const FAST_OUTBOX_ENV = {
  MESSAGE_RETRY_MAX_SECONDS: "2",
  MESSAGE_DISPATCH_MS: "50",
  WEBHOOK_RETRY_BASE_SECONDS: "0.2",
  WEBHOOK_RETRY_MAX_SECONDS: "1",
  WEBHOOK_MAX_RETRIES: "20",
  WEBHOOK_DISPATCH_MS: "50",
};

/** Sets env variables for this test file and drops the cached env (lib/env.ts) so they apply. */
export function setEnv(vars: Record<string, string>) {
  Object.assign(process.env, vars);
  resetEnvCache();
}

/**
 * Runs `fn` with these env variables (undefined: unset) and puts back exactly what was there
 * before, also when it throws; the cached env (lib/env.ts) follows both ways. For a setting
 * that one test needs (a lower limit, a feature switched off).
 */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvCache();
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(before);
  }
}

export type Running = { workers: Workers; hooks?: Awaited<ReturnType<typeof startWebhookServer>> };

/** The env is set now (the file's top level, before anything reads it); workers and the webhook front start in beforeAll. */
export function runWorkers(opts: { env?: Record<string, string>; webhooks?: boolean } = {}): Running {
  if (opts.env) setEnv(opts.env);
  const running = {} as Running;
  beforeAll(async () => {
    if (opts.webhooks) running.hooks = await startWebhookServer();
    running.workers = await startWorkers({ pollingIntervalSeconds: 0.5, schedules: false });
  });
  afterAll(async () => {
    await running.workers?.stop();
    await running.hooks?.close();
  });
  return running;
}
