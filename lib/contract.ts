// Answers every area shares (issue 17: one shape, written once). zod only, browser-safe: the
// areas' contract.ts files build on it, routes declare it as their docs.response.
import { z } from "zod";

/** The answer of a route that only confirms: what route() sends when a handler returns nothing. */
export const okAnswer = z.object({ ok: z.literal(true) });
export type OkAnswer = z.infer<typeof okAnswer>;

/** A moment as the API answers it: an ISO 8601 date-time (a Date serialised, or a provider's with its offset). */
export const timestamp = z.iso.datetime({ offset: true });

/**
 * The mark of a replayed answer (route() with idempotency): a retry with the same
 * Idempotency-Key gets the first answer again, status 200, with `replayed: true`
 * (lib/idempotency.ts). Spread it into an idempotent create's answer, or use replayable().
 */
export const replayed = { replayed: z.literal(true).optional().describe("Present on a replay: the first answer to this Idempotency-Key, sent again") };

/** An idempotent create's answer, also as its replay (see replayed). */
export function replayable<S extends z.ZodRawShape>(answer: z.ZodObject<S>) {
  return answer.extend(replayed);
}
