// GET /api/oauth/<provider>/callback?code=…&state=… — where the provider sends the admin back.
// The state must have been started by the same signed-in admin (lib/oauth/flow.ts).
import { NextResponse, type NextRequest } from "next/server";
import { authenticate, toApiError } from "@/lib/api";
import { finishConnect } from "@/lib/oauth/flow";
import { publicBaseUrl } from "@/lib/urls";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest, ctx: { params: Promise<Record<string, string>> }) {
  const { provider } = await ctx.params;
  const url = new URL(req.url);
  const base = publicBaseUrl(req);
  const q: Record<string, string | undefined> = {};
  for (const k of ["code", "state", "error", "error_description"]) q[k] = url.searchParams.get(k)?.slice(0, 4000) ?? undefined;
  try {
    const caller = await authenticate(req, { permission: "integrations.credentials" });
    if (caller.kind !== "user") throw new Error("unreachable");
    const out = await finishConnect(provider, q, caller.user.id, caller);
    const sep = out.returnTo.includes("?") ? "&" : "?";
    const to = `${base}${out.returnTo}${sep}${out.ok ? `oauth=connected&oauth_message=${encodeURIComponent(out.message)}` : `oauth_error=${encodeURIComponent(out.message)}`}`;
    return NextResponse.redirect(to, 303);
  } catch (e) {
    const err = toApiError(e, "oauth-callback");
    // signed out on the way (session expired at the provider's page): sign in, then finish here
    if (err.status === 401) return NextResponse.redirect(`${base}/login?callbackUrl=${encodeURIComponent(url.pathname + url.search)}`, 303);
    return NextResponse.redirect(`${base}/integrations?oauth_error=${encodeURIComponent(err.message)}`, 303);
  }
}
