// RingCentral test helpers: an integration connected through the sandbox's OAuth consent (and
// so subscribed to its webhooks when a webhook server is up), and the sandbox's control routes.
import { randomBytes } from "node:crypto";
import { buildContext, createIntegration, getIntegrationRow, type CreateIntegrationInput } from "@/lib/integrations/service";
import type { RingCentralContext } from "@/lib/providers/ringcentral/client";
import { RINGCENTRAL_SANDBOX_NUMBER } from "@/lib/providers/ringcentral/sandbox";
import { sandbox, system } from "./fixtures";
import { connectOAuth } from "./oauth";

let n = 0;

/** A RingCentral integration (sandbox mode), connected as `account` unless `connect: false`. */
export async function ringCentralIntegration(
  opts: { config?: Record<string, unknown>; connect?: boolean; account?: string; overrides?: Partial<CreateIntegrationInput> } = {},
) {
  const clientId = `rc${randomBytes(10).toString("hex")}`;
  const clientSecret = randomBytes(18).toString("base64url");
  const created = await createIntegration(
    {
      provider: "ringcentral",
      name: `RingCentral ${++n}`,
      mode: "sandbox",
      credentials: { clientId, clientSecret },
      config: { fromNumber: RINGCENTRAL_SANDBOX_NUMBER, ...(opts.config ?? {}) },
      ...(opts.overrides ?? {}),
    },
    system,
  );
  const connect = opts.connect === false ? null : await connectOAuth(created.id, { account: opts.account });
  if (connect && !connect.ok) throw new Error(`connect failed: ${connect.message}`);
  const row = await getIntegrationRow(created.id);
  return { row, clientId, clientSecret, connect, ctx: () => buildContextFresh(created.id) };
}

async function buildContextFresh(id: string): Promise<RingCentralContext> {
  return buildContext(await getIntegrationRow(id)) as RingCentralContext;
}

/** POST to a RingCentral sandbox control route (/ringcentral/__…) or the OAuth server's (/ringcentral/__oauth/…). */
export async function rcControl<T = any>(path: string, body: unknown = {}): Promise<{ status: number; json: T }> {
  const res = await fetch(`${sandbox().url}/ringcentral${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
}

export async function rcGet<T = any>(path: string): Promise<T> {
  return (await (await fetch(`${sandbox().url}/ringcentral${path}`)).json()) as T;
}

export type SeenRequest = { method: string; path: string; headers: Record<string, string>; body: string };

/** What the RingCentral sandbox received, newest first. */
export async function rcRequests(): Promise<SeenRequest[]> {
  return ((await (await fetch(`${sandbox().url}/__control/requests?provider=ringcentral`)).json()) as { items: SeenRequest[] }).items;
}

export async function oauthStats(clientId: string): Promise<{ authorizationCode: number; refresh: number; failed: number; tokenCalls: number }> {
  return rcGet(`/__oauth/stats?client_id=${encodeURIComponent(clientId)}`);
}
