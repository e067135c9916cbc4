// The API-key API's request shape, shared with the New API key dialog: zod only (no database),
// so the browser checks the form with the server's own rules.
import { z } from "zod";
import "@/lib/errors";
import { SCOPE_NAMES, type Scope } from "@/lib/auth/scopes";

export const createApiKeyInput = z.strictObject({
  name: z.string().trim().min(1, "A name that says who uses it").max(120),
  scopes: z.array(z.enum(SCOPE_NAMES as [Scope, ...Scope[]])).min(1, "At least one scope"),
  rateLimitPerMinute: z.number().int().min(1).max(100_000).optional(),
  expiresInDays: z.number().int().min(1).max(3650).nullish(),
  /** a driver's device key: it may post only this driver's positions */
  driverId: z.uuid().nullish(),
});

