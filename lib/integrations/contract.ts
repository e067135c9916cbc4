// The integration API's request shapes, shared with the dashboard's integration form: zod only
// (no database, no provider modules), so the browser checks a form with the server's rules.
// A provider's own credentials and config are checked by the server beside these
// (lib/integrations/service.ts createIntegrationInput), and by the form from the provider's
// published JSON Schema.
import { z } from "zod";
import "@/lib/errors";

export const INTEGRATION_STATUSES = ["active", "inactive", "error", "testing"] as const;
export type IntegrationStatus = (typeof INTEGRATION_STATUSES)[number];
/** live: the provider itself; sandbox: its built-in emulator (or the provider's own sandbox) */
export const INTEGRATION_MODES = ["live", "sandbox"] as const;
export type IntegrationMode = (typeof INTEGRATION_MODES)[number];

const code = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "2–63 characters: lower-case letters, digits and dashes");

const endpoint = z
  .string()
  .trim()
  .url("A full URL such as https://api.example.com")
  .refine((u) => /^https?:\/\//i.test(u), "Only http(s) URLs")
  .max(2000);

const syncInterval = z.number().int().min(5, "At least 5 minutes").max(7 * 24 * 60, "At most a week");

export const createIntegrationFields = z.strictObject({
  provider: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1, "Give it a name").max(120),
  code: code.optional(),
  description: z.string().trim().max(1000).optional(),
  mode: z.enum(["live", "sandbox"]).default("sandbox"),
  apiEndpoint: endpoint.nullish(),
  credentials: z.record(z.string(), z.unknown()).default({}),
  config: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  autoSync: z.boolean().default(false),
  syncIntervalMinutes: syncInterval.nullish(),
  /** messaging fallback order among the integrations of a channel: lower is tried first */
  priority: z.number().int().min(0).max(1000).default(100),
});

export const updateIntegrationInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    code,
    description: z.string().trim().max(1000).nullable(),
    mode: z.enum(["live", "sandbox"]),
    apiEndpoint: endpoint.nullable(),
    /** partial: secret fields left out or empty keep their stored value */
    credentials: z.record(z.string(), z.unknown()),
    config: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
    autoSync: z.boolean(),
    syncIntervalMinutes: syncInterval.nullable(),
    priority: z.number().int().min(0).max(1000),
  })
  .partial()
  .strict();


// ───────────── the shapes the integration API returns (lib/integrations/service.ts serialize()) ─────────────

export type CredentialField = { set: boolean; masked: string | null; secret: boolean; value?: unknown };

export type Integration = {
  id: string;
  code: string;
  name: string;
  provider: string;
  providerName: string;
  category: string;
  description: string | null;
  status: "active" | "inactive" | "error" | "testing";
  enabled: boolean;
  mode: "live" | "sandbox";
  apiEndpoint: string | null;
  endpoint: string | null;
  oauth: { grant: "authorization_code" | "client_credentials"; redirectUri: string } | null;
  config: Record<string, unknown>;
  state: Record<string, unknown>;
  autoSync: boolean;
  syncIntervalMinutes: number | null;
  /** messaging fallback order among the integrations of a channel: lower is tried first */
  priority: number;
  /** the channels the outbox may send through it (empty: not a messaging integration) */
  channels: string[];
  lastSyncAt: string | null;
  nextSyncAt: string | null;
  lastTest: { at: string; ok: boolean | null; message: string | null } | null;
  lastSuccessAt: string | null;
  lastError: { at: string | null; message: string } | null;
  hasCredentials: boolean;
  /** where the provider sends webhooks, when the provider has them */
  webhook: { url: string; scheme: string; rotating: { field: string; expiresAt: string }[] } | null;
  createdAt: string;
  updatedAt: string;
  credentials?: Record<string, CredentialField>;
};

export type JsonSchemaProp = {
  type?: string;
  title?: string;
  description?: string;
  enum?: string[];
  default?: unknown;
  secret?: boolean;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  widget?: string;
  /** the field's own wording when its pattern or format is not met (the server's, from its zod schema) */
  formatMessage?: string;
};

export type JsonSchema = { type: "object"; properties?: Record<string, JsonSchemaProp>; required?: string[] };

export type Provider = {
  id: string;
  name: string;
  category: string;
  description: string;
  docsUrl: string | null;
  capabilities: string[];
  channels: string[];
  auth: string;
  credentialsSchema: JsonSchema;
  configSchema: JsonSchema;
  secretFields: string[];
  /** apiEndpoint, mode, config.<name>: changing one needs every stored secret entered again */
  destinationFields: string[];
  endpoints: { live: string | null; sandbox: string | null };
  modes: ("sandbox" | "live")[];
  syncTypes: { id: string; label: string; description: string }[];
};

export type TestRun = { id: string; ok: boolean; message: string; details?: unknown; durationMs: number; mode: string; createdAt?: string; at?: string };
