// Credentials and config are strict as input (an unknown field is a 400 naming it), but what is
// already stored is read as it was saved: a key that a later version no longer knows is ignored
// when the integration is used or edited, rather than breaking a working integration.
import type { z } from "zod";

const tolerant = new WeakMap<z.ZodObject, z.ZodObject>();

/** The schema for reading a stored value: the same fields, unknown keys dropped. */
export function storedSchema<T extends z.ZodObject>(schema: T): T {
  let t = tolerant.get(schema);
  if (!t) tolerant.set(schema, (t = schema.strip() as z.ZodObject));
  return t as T;
}

/** The stored value's keys that the schema knows (the base a partial update is merged onto). */
export function knownKeys(schema: z.ZodObject, value: unknown): Record<string, unknown> {
  if (!value || typeof value !== "object") return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => k in schema.shape));
}
