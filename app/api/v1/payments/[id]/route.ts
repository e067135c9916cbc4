import { z } from "zod";
import { route, idParams } from "@/lib/api";
import { checkIfOverdue, getPayment, refreshPayment } from "@/lib/payments/service";
import { paymentDetail } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "payments.read", scope: "payments:read" },
    params: idParams,
    query: z.strictObject({ refresh: z.enum(["0", "1", "true", "false"]).optional() }),
    docs: {
      summary: "Get a payment (?refresh=1 asks the provider first; an open payment the provider has said nothing about for PAYMENT_STATUS_CHECK_SECONDS is checked with it)",
      response: paymentDetail,
    },
  },
  async ({ params, query }) => {
    if (query.refresh === "1" || query.refresh === "true") await refreshPayment(params.id);
    else await checkIfOverdue(params.id);
    return getPayment(params.id);
  },
);
