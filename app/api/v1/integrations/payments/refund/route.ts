// The seed's path: { paymentId, amount? (minor units), reason? } (payment_id is an alias: lib/compat.ts).
import { z } from "zod";
import { route } from "@/lib/api";
import { withAliases } from "@/lib/compat";
import { refundPayment } from "@/lib/payments/service";
import { refundAnswer } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

const body = withAliases(
  "POST /api/v1/integrations/payments/refund",
  z.strictObject({ paymentId: z.uuid(), amount: z.number().int().positive().optional(), reason: z.string().max(300).optional() }),
);

export const POST = route(
  {
    access: { permission: "payments.refund", scope: "payments:refund" },
    body,
    docs: { summary: "Refund a payment (paymentId, amount in minor units)", status: 201, idempotent: true, response: refundAnswer },
    idempotency: true,
  },
  async ({ body: b, caller, req }) =>
    Response.json(await refundPayment(b.paymentId, { amountMinor: b.amount, reason: b.reason }, caller, req.headers.get("idempotency-key")), { status: 201 }),
);
