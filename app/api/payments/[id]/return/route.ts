// GET /api/payments/<id>/return?token=<order id>&PayerID=… — where PayPal sends the payer back
// when the client gave no return URL (lib/payments/service.ts defaultReturnUrl). Public (the
// payer is not signed in): when the token names this payment's order, the order is checked and
// captured if approved (lib/payments/capture.ts returnFromCheckout: rate limited, never an
// error for the payer), then the payer goes on to the payment's page as before.
import { NextResponse, type NextRequest } from "next/server";
import { returnFromCheckout } from "@/lib/payments/capture";
import { publicBaseUrl } from "@/lib/urls";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest, ctx: { params: Promise<Record<string, string>> }) {
  const { id } = await ctx.params;
  const token = new URL(req.url).searchParams.get("token")?.slice(0, 64) ?? null;
  await returnFromCheckout(id, token);
  const base = publicBaseUrl(req);
  const to = /^[0-9a-f-]{36}$/i.test(id) ? `${base}/payments/${id}?returned=1` : `${base}/payments`;
  return NextResponse.redirect(to, 303);
}
