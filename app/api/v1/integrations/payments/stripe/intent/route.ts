// The seed's path (000-crm-proftransfer): { amount (minor units), currency, description?, customerEmail?, applicationId? }
// (the seed's customer_email and application_id are aliases: lib/compat.ts).
import { z } from "zod";
import { route } from "@/lib/api";
import { withAliases } from "@/lib/compat";
import { createPayment } from "@/lib/payments/service";
import { paymentCreated } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

const body = withAliases(
  "POST /api/v1/integrations/payments/stripe/intent",
  z.strictObject({
    amount: z.number().int().positive(),
    currency: z.string().length(3),
    description: z.string().max(500).optional(),
    customerEmail: z.email().optional(),
    applicationId: z.uuid().optional(),
  }),
);

export const POST = route(
  {
    access: { permission: "payments.create", scope: "payments:write" },
    idempotency: true,
    body,
    docs: { summary: "Create a Stripe payment (amount in minor units)", status: 201, idempotent: true, response: paymentCreated },
  },
  async ({ body: b, caller, req }) =>
    Response.json(
      await createPayment(
        { amountMinor: b.amount, currency: b.currency.toUpperCase(), provider: "stripe", description: b.description, customerEmail: b.customerEmail, applicationId: b.applicationId },
        caller,
        req.headers.get("idempotency-key"),
      ),
      { status: 201 },
    ),
);
