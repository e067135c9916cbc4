// The payments API's request shapes, shared with the dashboard's payment-link and refund
// dialogs: zod and pure helpers only (no database), so the browser checks a form with the
// server's own rules. Messages come from the one error map in lib/errors.ts unless a rule
// below says it better.
import { z } from "zod";
import "@/lib/errors";
import { isCurrency } from "@/lib/money";

const currency = z
  .string()
  .trim()
  .transform((c) => c.toUpperCase())
  .refine(isCurrency, "An ISO 4217 currency code such as RUB, USD, JPY");

export const createPaymentInput = z.strictObject({
  amountMinor: z.number().int("Amounts are integers in minor units (kopecks, cents; yen for JPY)").positive().max(2_000_000_000),
  currency,
  provider: z.string().trim().max(40).optional(),
  integrationId: z.uuid().optional(),
  description: z.string().trim().max(500).optional(),
  customerEmail: z.email().optional(),
  applicationId: z.uuid().optional(),
  metadata: z.record(z.string().max(40), z.string().max(500)).optional(),
  returnUrl: z.url().optional(),
  cancelUrl: z.url().optional(),
  subscription: z.strictObject({ interval: z.enum(["day", "week", "month", "year"]) }).optional(),
});
export type CreatePaymentInput = z.output<typeof createPaymentInput>;

export const refundInput = z.strictObject({
  /** omitted: everything that is left */
  amountMinor: z
    .number()
    .int("Amounts are integers in minor units (kopecks, cents; yen for JPY)")
    .positive("The amount must be more than zero")
    .max(2_000_000_000, "That amount is too large")
    .optional(),
  reason: z.string().trim().max(300, "At most 300 characters").optional(),
});

