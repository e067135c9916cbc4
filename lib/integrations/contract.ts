// The integration API's request shapes, shared with the dashboard's integration form: zod only
// (no database, no provider modules), so the browser checks a form with the server's rules.
// A provider's own credentials and config are checked by the server beside these
// (lib/integrations/service.ts createIntegrationInput), and by the form from the provider's
// published JSON Schema.
import { z } from "zod";
import "@/lib/errors";

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

