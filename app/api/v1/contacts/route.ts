import type { NextRequest } from "next/server";
import { authenticate, route } from "@/lib/api";
import { createSubmission, listSubmissions, listSubmissionsQuery, submissionInput } from "@/lib/suitedash/service";
import { submission, submissionList } from "@/lib/suitedash/contract";

export const dynamic = "force-dynamic";

// The website posts here from visitors' browsers (public, CONTACT_SUBMISSIONS_PER_HOUR per IP,
// any origin: no cookie is used) or from its backend with an API key holding contacts:write
// (the key's own rate limit instead of the IP's).
const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type, Authorization",
  "Access-Control-Expose-Headers": "Retry-After, X-Request-Id",
  "Access-Control-Max-Age": "600",
};

export const OPTIONS = async () => new Response(null, { status: 204, headers: CORS });

const create = route(
  {
    access: { public: true },
    body: submissionInput,
    docs: { summary: "Submit a contact form (the website)", description: "Callable from visitors' browsers on any origin (CORS), rate limited per client address; a backend may send an API key with `contacts:write` instead.", status: 201, response: submission },
  },
  async ({ body, caller, req }) => {
    const withKey = req.headers.has("authorization") ? await authenticate(req, { permission: "contacts.manage", scope: "contacts:write" }) : null;
    return Response.json(await createSubmission(body, caller.meta, { limitByIp: !withKey }), { status: 201 });
  },
);

/** every answer, errors (400, 429) included, readable by the website's page; `route` keeps create's options for the API document */
export const POST = Object.assign(
  async (req: NextRequest, ctx: { params: Promise<Record<string, string | string[]>> }) => {
    const res = await create(req, ctx);
    res.headers.set("Access-Control-Allow-Origin", "*");
    res.headers.set("Access-Control-Expose-Headers", CORS["Access-Control-Expose-Headers"]);
    return res;
  },
  { route: create.route },
);

export const GET = route(
  {
    access: { permission: "contacts.read", scope: "contacts:read" },
    query: listSubmissionsQuery,
    docs: { summary: "List contact form submissions", response: submissionList },
  },
  async ({ query }) => listSubmissions(query),
);
