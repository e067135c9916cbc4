// Every registered provider's client, walked through its failure path: its connection test is
// run with a transport that never answers (lib/http's HttpError "timeout") and one that answers
// 503, and must come back as a failed test with a sentence for a person (or a ProviderError),
// never a raw error, a stack trace or a success. A new provider is walked without a line here.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HttpError, type HttpRequest, type HttpResponse } from "@/lib/http";
import { ProviderError } from "@/lib/providers/errors";
import { listProviders } from "@/lib/providers/registry";
import type { ProviderContext, ProviderDefinition } from "@/lib/providers/types";

function answer503(): HttpResponse {
  const text = "Service Unavailable";
  return { status: 503, ok: false, headers: new Headers({ "content-type": "text/plain" }), text, durationMs: 1, attempts: 1, json: () => JSON.parse(text) };
}

function contextOf(def: ProviderDefinition, fail: () => Promise<HttpResponse>): ProviderContext {
  const demo = def.demo?.()[0];
  const credentials = def.credentials.parse(demo?.credentials ?? {}) as Record<string, unknown>;
  const config = def.config.parse(demo?.config ?? {}) as Record<string, unknown>;
  const logged = async (): Promise<Response> => {
    const res = await fail();
    return new Response(res.text, { status: res.status, headers: res.headers });
  };
  return {
    integration: { id: randomUUID(), code: demo?.code ?? def.id, name: demo?.name ?? def.name, mode: demo?.mode ?? "live", apiEndpoint: "https://provider.invalid" },
    credentials,
    config,
    baseUrl: "https://provider.invalid",
    secrets: [],
    state: {},
    webhookUrl: `https://switchboard.invalid/api/webhooks/${def.id}/x`,
    call: (_action: string, _req: HttpRequest) => fail(),
    fetch: () => logged as unknown as typeof fetch,
    record: async () => {},
    accessToken: async () => "walk-token",
  };
}

const noAnswer = () => Promise.reject(new HttpError("timeout", "no answer within 10000 ms", 1));
const unavailable = () => Promise.resolve(answer503());

describe.each(listProviders().map((d) => [d.id, d] as const))("%s: the client's failure path", (_id, def) => {
  it.each([
    ["no answer", noAnswer, /did not answer|no answer/i],
    ["HTTP 503", unavailable, /503|server error/i],
  ] as const)("%s: a failed connection test with a sentence, or a ProviderError", async (_label, fail, says) => {
    const out = await def.testConnection(contextOf(def, fail)).then(
      (r) => r,
      (e: unknown) => e as Error,
    );
    if (out instanceof Error) {
      expect(out, `${def.id} threw ${out.name}: ${out.message}`).toBeInstanceOf(ProviderError);
      expect((out as ProviderError).retryable).toBe(true);
      expect(out.message).not.toMatch(/\n\s+at /);
      expect(out.message).toMatch(says);
      return;
    }
    expect(out.ok, `${def.id}: ${out.message}`).toBe(false);
    expect(out.message).toMatch(says);
    expect(out.message).not.toMatch(/\n\s+at |undefined|\[object Object\]/);
  });
});
