import { route, idParams } from "@/lib/api";
import { refundPayment } from "@/lib/payments/service";
import { refundAnswer, refundInput } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "payments.refund", scope: "payments:refund" },
    params: idParams,
    body: refundInput,
    docs: { summary: "Refund a payment, fully or in part", description: "200 with the first refund when the Idempotency-Key was used before.", status: 201, idempotent: true, response: refundAnswer },
    idempotency: true,
  },
  async ({ params, body, caller, req }) => {
    const r = await refundPayment(params.id, body, caller, req.headers.get("idempotency-key"));
    return Response.json(r, { status: "replayed" in r ? 200 : 201 });
  },
);
