// The seed's path: { payment_id, amount? (minor units), reason? }.
import { z } from "zod";
import { route } from "@/lib/api";
import { refundPayment } from "@/lib/payments/service";

export const dynamic = "force-dynamic";

const body = z.strictObject({ payment_id: z.uuid(), amount: z.number().int().positive().optional(), reason: z.string().max(300).optional() });

export const POST = route(
  {
    access: { permission: "payments.refund", scope: "payments:refund" },
    body,
    docs: { summary: "Refund a payment (payment_id, amount in minor units)", status: 201, idempotent: true },
  },
  async ({ body: b, caller, req }) =>
    Response.json(await refundPayment(b.payment_id, { amountMinor: b.amount, reason: b.reason }, caller, req.headers.get("idempotency-key")), { status: 201 }),
);
