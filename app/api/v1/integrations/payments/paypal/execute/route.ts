// The seed's path (004-external): captures the approved PayPal order of a payment, through the
// one capture every path shares (the webhook, the payer's return, status checks, the sweeper):
// lib/payments/capture.ts. payment_id and order_id are aliases: lib/compat.ts.
import { route } from "@/lib/api";
import { withAliases } from "@/lib/compat";
import { executePaymentInput, paymentState } from "@/lib/payments/contract";
import { executePayment } from "@/lib/payments/capture";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "payments.create", scope: "payments:write" },
    idempotency: true,
    body: withAliases("POST /api/v1/integrations/payments/paypal/execute", executePaymentInput),
    docs: {
      summary: "Capture (execute) an approved PayPal payment",
      description:
        "paymentId (ours) or orderId (PayPal's, the token its return URL carries). Captured once whichever path sees the approval first; a payment captured before answers as it is. 422 when the payer has not approved the order, PayPal declined it, or the payment is not PayPal's.",
      idempotent: true,
      response: paymentState,
    },
  },
  async ({ body }) => executePayment(body, "paypal"),
);
