// The seed's path (004-external): { amount (minor units), currency, description? }.
import { z } from "zod";
import { route } from "@/lib/api";
import { createPayment } from "@/lib/payments/service";
import { paymentCreated } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

const body = z.strictObject({ amount: z.number().int().positive(), currency: z.string().length(3), description: z.string().max(500).optional() });

export const POST = route(
  {
    access: { permission: "payments.create", scope: "payments:write" },
    idempotency: true,
    body,
    docs: { summary: "Create a PayPal payment (amount in minor units)", status: 201, idempotent: true, response: paymentCreated },
  },
  async ({ body: b, caller, req }) =>
    Response.json(
      await createPayment({ amountMinor: b.amount, currency: b.currency.toUpperCase(), provider: "paypal", description: b.description }, caller, req.headers.get("idempotency-key")),
      { status: 201 },
    ),
);
