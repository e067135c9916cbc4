// The seed's path (004-external): confirms a Stripe PaymentIntent with the payer's payment
// method; 3-D Secure answers requires_action with nextAction (where to send the payer).
// Stripe's own names (payment_method, return_url …) are aliases: lib/compat.ts.
import { route } from "@/lib/api";
import { withAliases } from "@/lib/compat";
import { confirmPaymentInput, paymentState } from "@/lib/payments/contract";
import { confirmPayment } from "@/lib/payments/actions";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "payments.create", scope: "payments:write" },
    idempotency: true,
    body: withAliases("POST /api/v1/integrations/payments/stripe/confirm", confirmPaymentInput),
    docs: {
      summary: "Confirm a Stripe PaymentIntent with the payer's payment method",
      description:
        "For payments made in the payment_intent flow. A decline is a 422 with Stripe's reason; 3-D Secure answers status requires_action with nextAction.redirectUrl, the page to send the payer to (they come back to returnUrl). A payment confirmed before answers as it is.",
      idempotent: true,
      response: paymentState,
    },
  },
  async ({ body, caller, req }) => confirmPayment(body, caller, req.headers.get("idempotency-key")),
);
