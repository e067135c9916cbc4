// The integration API's request and answer shapes, shared with the dashboard's integration
// screens: zod only (no database, no provider modules), so the browser checks a form with the
// server's rules and reads the answers' types.
// A provider's own credentials and config are checked by the server beside these
// (lib/integrations/service.ts createIntegrationInput), and by the form from the provider's
// published JSON Schema.
import { z } from "zod";
import "@/lib/errors";
import { timestamp } from "@/lib/contract";

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


// ───────────── the answers (lib/integrations/service.ts serialize(), describeProvider() …) ─────────────

/** A credential as the API shows it (admins only): a secret only masked, never its value. */
export const credentialField = z.object({ set: z.boolean(), masked: z.string().nullable(), secret: z.boolean(), value: z.unknown().optional() });
export type CredentialField = z.infer<typeof credentialField>;

const lastTest = z.object({ at: timestamp, ok: z.boolean().nullable(), message: z.string().nullable() });
const lastError = z.object({ at: timestamp.nullable(), message: z.string() });

/** An integration as the API shows it. */
export const integration = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  provider: z.string(),
  providerName: z.string(),
  category: z.string(),
  description: z.string().nullable(),
  status: z.enum(INTEGRATION_STATUSES),
  enabled: z.boolean(),
  mode: z.enum(INTEGRATION_MODES),
  apiEndpoint: z.string().nullable(),
  /** where its calls go: apiEndpoint, or the provider's default for the mode */
  endpoint: z.string().nullable(),
  /** OAuth providers: the grant and the redirect URI to register in the provider's console */
  oauth: z.object({ grant: z.enum(["authorization_code", "client_credentials"]), redirectUri: z.string() }).nullable(),
  config: z.record(z.string(), z.unknown()),
  /** what the provider keeps about the connection (an account, a webhook's state …) */
  state: z.record(z.string(), z.unknown()),
  autoSync: z.boolean(),
  syncIntervalMinutes: z.number().int().nullable(),
  /** messaging fallback order among the integrations of a channel: lower is tried first */
  priority: z.number().int(),
  /** the channels the outbox may send through it (empty: not a messaging integration) */
  channels: z.array(z.string()),
  lastSyncAt: timestamp.nullable(),
  nextSyncAt: timestamp.nullable(),
  lastTest: lastTest.nullable(),
  lastSuccessAt: timestamp.nullable(),
  lastError: lastError.nullable(),
  hasCredentials: z.boolean(),
  /** where the provider sends webhooks, when the provider has them; rotating: previous secrets still accepted (admins only; values never leave the server) */
  webhook: z.object({ url: z.string(), scheme: z.string(), rotating: z.array(z.object({ field: z.string(), expiresAt: timestamp })) }).nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  /** admins (and keys with integrations:write) only, masked */
  credentials: z.record(z.string(), credentialField).optional(),
});
export type Integration = z.infer<typeof integration>;

/** GET /api/v1/integrations */
export const integrationList = z.object({ items: z.array(integration) });
export type IntegrationList = z.infer<typeof integrationList>;

/** One field of a provider's form: JSON Schema (other JSON Schema keywords pass through) plus the server's wording. */
export const jsonSchemaProp = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  enum: z.array(z.string()).optional(),
  default: z.unknown().optional(),
  secret: z.boolean().optional(),
  format: z.string().optional(),
  pattern: z.string().optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  widget: z.string().optional(),
  /** the field's own wording when its pattern or format is not met (the server's, from its zod schema) */
  formatMessage: z.string().optional(),
});
export type JsonSchemaProp = z.infer<typeof jsonSchemaProp>;

/** A provider's credentials or config as JSON Schema (drives the admin form). */
export const jsonSchema = z.looseObject({ type: z.literal("object"), properties: z.record(z.string(), jsonSchemaProp).optional(), required: z.array(z.string()).optional() });
export type JsonSchema = z.infer<typeof jsonSchema>;

/** A provider that can be connected, and its fields. */
export const provider = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string(),
  description: z.string(),
  docsUrl: z.string().nullable(),
  capabilities: z.array(z.string()),
  /** messaging channels it can send on (the outbox's routes) */
  channels: z.array(z.string()),
  auth: z.enum(["api_key", "oauth2"]),
  credentialsSchema: jsonSchema,
  configSchema: jsonSchema,
  secretFields: z.array(z.string()),
  /** apiEndpoint, mode, config.<name>: changing one needs every stored secret entered again */
  destinationFields: z.array(z.string()),
  endpoints: z.object({ live: z.string().nullable(), sandbox: z.string().nullable() }),
  modes: z.array(z.enum(INTEGRATION_MODES)),
  syncTypes: z.array(z.object({ id: z.string(), label: z.string(), description: z.string() })),
});
export type Provider = z.infer<typeof provider>;

/** GET /api/v1/integrations/providers */
export const providerList = z.object({ items: z.array(provider) });

/** A connection test as it is kept (GET /api/v1/integrations/{id}/tests). */
export const integrationTest = z.object({
  id: z.string(),
  integrationId: z.string(),
  ok: z.boolean(),
  message: z.string(),
  /** what the provider's test found (an account, a balance …) */
  details: z.unknown(),
  durationMs: z.number().int(),
  mode: z.enum(INTEGRATION_MODES),
  triggeredById: z.string().nullable(),
  createdAt: timestamp,
});
export type IntegrationTest = z.infer<typeof integrationTest>;
export const integrationTestList = z.object({ items: z.array(integrationTest) });
export type IntegrationTestList = z.infer<typeof integrationTestList>;

/** POST /api/v1/integrations/{id}/test: the test just run */
export const testRun = integrationTest.pick({ id: true, ok: true, message: true, details: true, durationMs: true, mode: true }).extend({ at: timestamp });
export type TestRun = z.infer<typeof testRun>;

/** GET /api/v1/integrations/health: every integration's state, with its calls and errors of the last 24 hours */
export const integrationHealthList = z.object({
  items: z.array(
    integration.pick({ id: true, code: true, name: true, provider: true, category: true, status: true, mode: true, lastTest: true, lastSuccessAt: true, lastError: true, lastSyncAt: true }).extend({
      calls24h: z.number().int(),
      errors24h: z.number().int(),
    }),
  ),
});
export type IntegrationHealthList = z.infer<typeof integrationHealthList>;

/** GET /api/v1/integrations/{id}/oauth: the OAuth connection (account, scope, expiry; never the tokens) */
export const oauthConnection = z.union([
  z.object({ connected: z.literal(false), status: z.literal("disconnected") }),
  z.object({
    connected: z.boolean(),
    status: z.enum(["connected", "needs_reconnect"]),
    accountId: z.string().nullable(),
    accountName: z.string().nullable(),
    scope: z.string().nullable(),
    expiresAt: timestamp.nullable(),
    refreshTokenExpiresAt: timestamp.nullable(),
    hasRefreshToken: z.boolean(),
    refreshedAt: timestamp.nullable(),
    connectedAt: timestamp,
    lastError: z.string().nullable(),
  }),
]);
export type OAuthConnection = z.infer<typeof oauthConnection>;

/** DELETE /api/v1/integrations/{id}/oauth: disconnected; revoked: whether the provider confirmed the revocation (null: it has no revocation endpoint) */
export const oauthDisconnected = z.object({ connected: z.literal(false), status: z.literal("disconnected"), revoked: z.boolean().nullable(), message: z.string() });
export type OAuthDisconnected = z.infer<typeof oauthDisconnected>;
