// Shapes the integration API returns (lib/integrations/service.ts serialize()).
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
