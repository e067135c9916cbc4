// Every registered provider's client, walked through its failure path on the real transport
// (lib/http) against a scripted server: no answer in time, a refused connection, 401, 429 with
// Retry-After and 503, each answered in the provider's own error format (its emulator's
// faultBody). The connection test must come back failed with the sentence every provider says
// for that failure (lib/providers/errors.ts classifyFailure), never a raw error, a stack trace
// or a success; a send (providers that send messages) must fail with a transient SendError that
// carries the same classification: kind of failure, HTTP status, Retry-After. A new provider is
// walked without a line here.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerFetch, request, type CallContext } from "@/lib/http";
import { ProviderError, SendError, type ProviderFailure } from "@/lib/providers/errors";
import { listProviders } from "@/lib/providers/registry";
import type { Channel, OutboundMessage, ProviderContext, ProviderDefinition } from "@/lib/providers/types";
import { freePort } from "@/lib/runtime/embedded-pg";
import { ANY_PATH, scriptedServer, type Step } from "@/tests/helpers/scripted-server";

/** our timeout for one attempt; the scripted server answers later than that */
const TIMEOUT_MS = 400;
/** longer than lib/http waits by itself (30 s): the 429 comes back to the provider's client */
const RETRY_AFTER = 120;

let server: Awaited<ReturnType<typeof scriptedServer>>;
let deadUrl: string;
beforeAll(async () => {
  server = await scriptedServer();
  deadUrl = `http://127.0.0.1:${await freePort()}`;
});
afterAll(() => server.close());

type Fault = {
  label: string;
  /** what the scripted server answers; null: nothing listens (connection refused) */
  step: ((def: ProviderDefinition) => Promise<Step>) | null;
  /** the classification a send failure carries */
  failure: ProviderFailure;
  status: number | null;
  retryAfterSeconds?: number;
  /** what the sentence for a person says, whatever the provider */
  says: RegExp;
};

/** The provider's own error body for `status`, as its emulator answers an injected fault. */
async function answer(def: ProviderDefinition, status: number, headers: Record<string, string> = {}): Promise<Step> {
  const mod = def.sandbox ? (await def.sandbox()).default : undefined;
  const body = mod?.faultBody?.(status, headers["retry-after"] ? Number(headers["retry-after"]) : undefined) ?? { error: `fault ${status}` };
  return { status, headers, body: JSON.stringify(body) };
}

const FAULTS: Fault[] = [
  { label: "no answer in time", step: async () => ({ delayMs: TIMEOUT_MS * 5 }), failure: "timeout", status: null, says: /did not answer (in time|within \d+ s)/ },
  { label: "connection refused", step: null, failure: "network", status: null, says: /Could not reach .*ECONNREFUSED/ },
  { label: "HTTP 401", step: (def) => answer(def, 401), failure: "auth", status: 401, says: /\b(rejected|refused)\b.*\b401\b/ },
  {
    label: `HTTP 429, Retry-After ${RETRY_AFTER}`,
    step: (def) => answer(def, 429, { "retry-after": String(RETRY_AFTER) }),
    failure: "rate_limited",
    status: 429,
    retryAfterSeconds: RETRY_AFTER,
    says: new RegExp(`rate limiting\\b.*\\b429\\b.*retry in ${RETRY_AFTER} s`),
  },
  { label: "HTTP 503", step: (def) => answer(def, 503), failure: "provider", status: 503, says: /server error\b.*\b503\b/ },
];

/** A context on lib/http whose every call, whatever its URL, lands on `origin`. */
function contextOf(def: ProviderDefinition, origin: string): ProviderContext {
  const demo = def.demo?.()[0];
  const credentials = def.credentials.parse(demo?.credentials ?? {}) as Record<string, unknown>;
  const config = def.config.parse(demo?.config ?? {}) as Record<string, unknown>;
  const base: CallContext = { provider: def.id, action: "", integrationId: null, secrets: [], timeoutMs: TIMEOUT_MS, network: "private-allowed" };
  const to = (url: string) => {
    const u = new URL(url, origin);
    return `${origin}${u.pathname}${u.search}`;
  };
  return {
    integration: { id: randomUUID(), code: demo?.code ?? def.id, name: demo?.name ?? def.name, mode: "live", apiEndpoint: origin },
    credentials,
    config,
    baseUrl: origin,
    secrets: [],
    network: "private-allowed",
    state: {},
    webhookUrl: `${origin}/api/webhooks/${def.id}/x`,
    // the walk's timeout, whatever the provider's own (1C's is configurable, 30 s by default)
    call: (action, req, extra) => request({ ...base, ...extra, timeoutMs: TIMEOUT_MS, action }, { ...req, url: to(req.url) }),
    fetch: (action, extra) => {
      const logged = providerFetch({ ...base, ...extra, timeoutMs: TIMEOUT_MS, action });
      return ((input: string | URL | Request, init?: RequestInit) => {
        if (input instanceof Request) return logged(new Request(to(input.url), input), init);
        return logged(to(String(input)), init);
      }) as typeof fetch;
    },
    record: async () => {},
    accessToken: async () => "walk-token",
  };
}

async function faulted(def: ProviderDefinition, fault: Fault): Promise<ProviderContext> {
  if (!fault.step) return contextOf(def, deadUrl);
  server.script(ANY_PATH, [await fault.step(def)]);
  return contextOf(def, server.url);
}

const RECIPIENT: Record<Channel, string> = {
  sms: "+79161234567",
  whatsapp: "+79161234567",
  email: "rider@example.com",
  push: `walk-device-${"x".repeat(140)}`,
  telegram: "123456789",
} as Record<Channel, string>;

function message(channel: Channel): OutboundMessage {
  return { id: randomUUID(), channel, to: RECIPIENT[channel], subject: "Your transfer", text: "Your driver arrives at 10:00.", options: {}, statusCallbackUrl: "http://127.0.0.1/x" };
}

/** Providers whose calls are not HTTP: the walk's faults are HTTP's; their own tests inject their transport's. */
const NOT_HTTP: Record<string, string> = {
  smtp: "SMTP through nodemailer: smtp.test.ts injects a refused connection, a server that never greets, 535, 550, 553 and 4xx",
};

const providers = listProviders()
  .filter((d) => !(d.id in NOT_HTTP))
  .map((d) => [d.id, d] as const);

it("leaves out only registered providers (a removed one's exclusion goes with it)", () => {
  expect(listProviders().map((d) => d.id)).toEqual(expect.arrayContaining(Object.keys(NOT_HTTP)));
});

describe.each(providers)("%s: the connection test's failure path", (_id, def) => {
  it.each(FAULTS.map((f) => [f.label, f] as const))("%s: a failed test with the shared sentence", async (_label, fault) => {
    const out = await def.testConnection(await faulted(def, fault)).then(
      (r) => r,
      (e: unknown) => e as Error,
    );
    if (out instanceof Error) {
      expect(out, `${def.id} threw ${out.name}: ${out.message}`).toBeInstanceOf(ProviderError);
      expect(out).toMatchObject({ failure: fault.failure });
      expect(out.message).not.toMatch(/\n\s+at /);
      expect(out.message).toMatch(fault.says);
      return;
    }
    expect(out.ok, `${def.id}: ${out.message}`).toBe(false);
    expect(out.message).toMatch(fault.says);
    expect(out.message).not.toMatch(/\n\s+at |undefined|\[object Object\]/);
  });
});

const senders = providers.filter(([, d]) => d.messaging);

describe.each(senders)("%s: a send's failure path", (_id, def) => {
  it.each(FAULTS.map((f) => [f.label, f] as const))("%s: a transient SendError classified like every provider's", async (_label, fault) => {
    const channel = def.messaging!.channels[0];
    const out = await def.messaging!.send(await faulted(def, fault), message(channel)).then(
      (r) => new Error(`sent: ${JSON.stringify(r)}`),
      (e: unknown) => e as Error,
    );
    expect(out, `${def.id}: ${out.message}`).toBeInstanceOf(SendError);
    const e = out as SendError;
    expect(e.message).toMatch(fault.says);
    expect(e.message).not.toMatch(/\n\s+at |undefined|\[object Object\]/);
    expect({ kind: e.kind, failure: e.failure, status: e.status, retryable: e.retryable }).toEqual({
      kind: "transient",
      failure: fault.failure,
      status: fault.status,
      retryable: true,
    });
    if (fault.retryAfterSeconds !== undefined) expect(e.retryAfterSeconds).toBe(fault.retryAfterSeconds);
  });
});
