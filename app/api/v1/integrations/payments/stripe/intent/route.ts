// The seed's path (000-crm-proftransfer): { amount (minor units), currency, description?, customer_email?, application_id? }.
import { z } from "zod";
import { route } from "@/lib/api";
import { createPayment } from "@/lib/payments/service";

export const dynamic = "force-dynamic";

const body = z.strictObject({
  amount: z.number().int().positive(),
  currency: z.string().length(3),
  description: z.string().max(500).optional(),
  customer_email: z.email().optional(),
  application_id: z.uuid().optional(),
});

export const POST = route(
  {
    access: { permission: "payments.create", scope: "payments:write" },
    body,
    docs: { summary: "Create a Stripe payment (amount in minor units)", status: 201, idempotent: true },
  },
  async ({ body: b, caller, req }) =>
    Response.json(
      await createPayment(
        { amountMinor: b.amount, currency: b.currency.toUpperCase(), provider: "stripe", description: b.description, customerEmail: b.customer_email, applicationId: b.application_id },
        caller,
        req.headers.get("idempotency-key"),
      ),
      { status: 201 },
    ),
);
