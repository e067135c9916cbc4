// GET /api/oauth/<provider>/start?integrationId=…&returnTo=/path — an admin's "Connect":
// off to the provider's consent page. Browser navigation, so failures are redirects with a
// message the integration page shows, not JSON. integration_id and return_to are aliases
// (lib/compat.ts): links made before issue 17 keep working.
import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { authenticate, toApiError, zodDetails } from "@/lib/api";
import { startConnect } from "@/lib/oauth/flow";
import { publicBaseUrl } from "@/lib/urls";
import { withAliases } from "@/lib/compat";

export const dynamic = "force-dynamic";

const query = withAliases("GET /api/oauth/{provider}/start", z.strictObject({ integrationId: z.uuid(), returnTo: z.string().max(500).optional() }));

export async function GET(req: NextRequest, ctx: { params: Promise<Record<string, string>> }) {
  const { provider } = await ctx.params;
  const url = new URL(req.url);
  const base = publicBaseUrl(req);
  const q = query.safeParse(Object.fromEntries(url.searchParams));
  if (!q.success) {
    // an unknown parameter (or one given under both its names) is named, like everywhere else input is strict
    const unknown = zodDetails(q.error).filter((d) => d.message.startsWith("Unknown field") || d.message.startsWith("Both ")).map((d) => d.message);
    const why = unknown.length ? `The connect link is invalid: ${unknown.join(", ")}` : "The connect link is incomplete";
    return NextResponse.redirect(`${base}/integrations?oauth_error=${encodeURIComponent(why)}`, 303);
  }
  const back = `${base}/integrations/${q.data.integrationId}`;
  try {
    const caller = await authenticate(req, { permission: "integrations.credentials" });
    if (caller.kind !== "user") throw new Error("unreachable");
    const to = await startConnect(provider, q.data.integrationId, caller.user.id, caller, q.data.returnTo);
    return NextResponse.redirect(to, 303);
  } catch (e) {
    const err = toApiError(e, "oauth-start");
    if (err.status === 401) return NextResponse.redirect(`${base}/login?callbackUrl=${encodeURIComponent(url.pathname + url.search)}`, 303);
    return NextResponse.redirect(`${back}?oauth_error=${encodeURIComponent(err.message)}`, 303);
  }
}
