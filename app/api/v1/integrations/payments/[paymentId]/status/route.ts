// The seed's path (004-external): a payment's status, refreshed from its provider first (an
// approved PayPal order is captured on the way).
import { z } from "zod";
import { route } from "@/lib/api";
import { paymentStatusAnswer } from "@/lib/payments/contract";
import { paymentStatus } from "@/lib/payments/actions";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "payments.read", scope: "payments:read" },
    params: z.strictObject({ paymentId: z.uuid("Not a valid payment id") }),
    docs: {
      summary: "A payment's status, asked of its provider first",
      description: "checkedWithProvider is false when the provider cannot be asked (Payme and Click report every transaction themselves; a payment that never reached its provider).",
      response: paymentStatusAnswer,
    },
  },
  async ({ params }) => paymentStatus(params.paymentId),
);
