import { route } from "@/lib/api";
import { openApiJson } from "@/app/api/v1/openapi.json/document";
import { openApiRoute } from "@/lib/openapi/self";
import { getSettings } from "@/lib/settings";
import { publicBaseUrl } from "@/lib/urls";

export const dynamic = "force-dynamic";

// The API's OpenAPI 3.1 document, public (see lib/openapi/self.ts). Built once per process;
// clients and proxies may keep it 5 minutes, and revalidate with the ETag.
export const GET = route(openApiRoute, async ({ req }) => {
  // the servers entry is the public base URL, which an admin may set in Settings: read them first
  await getSettings().catch(() => undefined);
  const { text, etag } = openApiJson(publicBaseUrl(req));
  const headers = {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "public, max-age=300",
    etag,
    // readable by API tools in other origins (editors, code generators): no cookie is involved
    "access-control-allow-origin": "*",
  };
  const seen = (req.headers.get("if-none-match") ?? "").split(",").map((t) => t.trim().replace(/^W\//, ""));
  if (seen.includes(etag)) return new Response(null, { status: 304, headers });
  return new Response(text, { headers });
});
