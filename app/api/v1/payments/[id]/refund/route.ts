import { route, idParams } from "@/lib/api";
import { refundInput, refundPayment } from "@/lib/payments/service";

export const dynamic = "force-dynamic";

export const POST = route({ access: { permission: "payments.refund", scope: "payments:refund" }, params: idParams, body: refundInput }, async ({ params, body, caller, req }) => {
  const r = await refundPayment(params.id, body, caller, req.headers.get("idempotency-key"));
  return Response.json(r, { status: "replayed" in r ? 200 : 201 });
});
