// The API-key API's request and answer shapes, shared with the API keys page and its New API key
// dialog: zod only (no database), so the browser checks the form with the server's own rules.
import { z } from "zod";
import "@/lib/errors";
import { SCOPE_NAMES, type Scope } from "@/lib/auth/scopes";
import { timestamp } from "@/lib/contract";

export const createApiKeyInput = z.strictObject({
  name: z.string().trim().min(1, "A name that says who uses it").max(120),
  scopes: z.array(z.enum(SCOPE_NAMES as [Scope, ...Scope[]])).min(1, "At least one scope"),
  rateLimitPerMinute: z.number().int().min(1).max(100_000).optional(),
  expiresInDays: z.number().int().min(1).max(3650).nullish(),
  /** a driver's device key: it may post only this driver's positions */
  driverId: z.uuid().nullish(),
});


// ───────────── the answers (lib/auth/api-keys.ts publicApiKey) ─────────────

/** A key as the API shows it: its prefix only, never the key or its hash. */
export const apiKeyItem = z.object({
  id: z.string(),
  name: z.string(),
  /** sb_<prefix>_…: enough to recognise it, not to use it */
  prefix: z.string(),
  scopes: z.array(z.string()),
  rateLimitPerMinute: z.number().int(),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
  lastUsedIp: z.string().nullable(),
  revokedAt: timestamp.nullable(),
  /** a driver's device key: it may post only this driver's positions */
  driverId: z.string().nullable(),
  status: z.enum(["active", "revoked", "expired"]),
});
export type ApiKeyItem = z.infer<typeof apiKeyItem>;

/** GET /api/v1/api-keys: the keys, and every scope a key can hold with what it allows */
export const apiKeyList = z.object({ items: z.array(apiKeyItem), scopes: z.record(z.enum(SCOPE_NAMES as [Scope, ...Scope[]]), z.string()) });
export type ApiKeyList = z.infer<typeof apiKeyList>;

/** POST /api/v1/api-keys: the key itself, shown in this answer only */
export const createdApiKey = z.object({ key: z.string(), apiKey: apiKeyItem });
export type CreatedApiKey = z.infer<typeof createdApiKey>;
