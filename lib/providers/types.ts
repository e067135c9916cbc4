// The provider contract (../shared/DESIGN.md). A provider is one folder under
// lib/providers/<id>: index.ts (this definition), client code, webhook.ts, sandbox.ts and
// its tests. Domain services reach providers through the registry, never directly.
import type { z } from "zod";
import type { CallContext, HttpRequest, HttpResponse } from "@/lib/http";

export type ProviderCategory =
  | "payment"
  | "sms"
  | "email"
  | "push"
  | "chat"
  | "erp"
  | "crm"
  | "calendar"
  | "video"
  | "telephony"
  | "webhook";

export type IntegrationRef = {
  id: string;
  code: string;
  name: string;
  mode: "live" | "sandbox";
  apiEndpoint: string | null;
};

/** What a provider's code gets to work with: decrypted credentials, config, a logged HTTP client. */
export type ProviderContext<Cred = Record<string, unknown>, Conf = Record<string, unknown>> = {
  integration: IntegrationRef;
  credentials: Cred;
  config: Conf;
  /** the endpoint for this integration: its apiEndpoint, else the provider's default for the mode */
  baseUrl: string;
  /** every secret value of the integration, scrubbed from logs wherever it appears */
  secrets: string[];
  /** the integration's state as the last test or sync left it */
  state: Record<string, unknown>;
  /** a provider call through lib/http.ts: timeouts, retries, one log row per attempt */
  call(action: string, req: HttpRequest, opts?: Partial<CallContext>): Promise<HttpResponse>;
  /** a logged fetch for SDKs that accept one */
  fetch(action: string, opts?: Partial<CallContext>): typeof fetch;
  signal?: AbortSignal;
};

export type TestResult = {
  ok: boolean;
  /** one sentence for a person: "Connected as @acme_bot", "The bot token was rejected (401)" */
  message: string;
  details?: Record<string, unknown>;
  /** merged into the integration's state (e.g. the bot's name) */
  state?: Record<string, unknown>;
};

export type SyncCounts = { processed: number; created: number; updated: number; failed: number };

export type SyncRun = {
  jobId: string;
  type: string;
  /** adds to the job's counters (visible while it runs) */
  progress(delta: Partial<SyncCounts>): Promise<void>;
  /** true once someone asked to cancel: stop at the next safe point */
  canceled(): Promise<boolean>;
};

export type SyncResult = { details?: Record<string, unknown>; state?: Record<string, unknown> };

export type AuthSpec =
  | { type: "api_key" }
  | { type: "oauth2"; authorizeUrl: string; tokenUrl: string; scopes: string[] };

export type ProviderDefinition<C extends z.ZodObject = z.ZodObject, K extends z.ZodObject = z.ZodObject> = {
  id: string;
  name: string;
  category: ProviderCategory;
  description: string;
  docsUrl?: string;
  /** what domain services may ask of it, e.g. "chat.send", "payments.refund" */
  capabilities: readonly string[];
  /** zod object; fields marked `.meta({ secret: true })` are masked in the UI and never returned by the API */
  credentials: C;
  config: K;
  auth: AuthSpec;
  /** live: the provider's own URL; sandbox: a path on SANDBOX_URL. `{code}` is replaced by the integration code. */
  defaultEndpoints: { live?: string; sandbox?: string };
  /** a real, harmless call with a message for a person */
  testConnection(ctx: ProviderContext<z.output<C>, z.output<K>>): Promise<TestResult>;
  sync?: {
    types: readonly { id: string; label: string; description: string }[];
    run(ctx: ProviderContext<z.output<C>, z.output<K>>, run: SyncRun): Promise<SyncResult>;
  };
  /**
   * Sandbox mode only: configure the emulator the way an admin configures the real
   * provider's dashboard (register a receiving endpoint and its secret, a webhook URL …).
   */
  sandboxConnect?(ctx: ProviderContext<z.output<C>, z.output<K>>): Promise<void>;
};

/** Erases the schema types so definitions of different providers fit one registry. */
export function defineProvider<C extends z.ZodObject, K extends z.ZodObject>(
  def: ProviderDefinition<C, K>,
): ProviderDefinition {
  return def as unknown as ProviderDefinition;
}
