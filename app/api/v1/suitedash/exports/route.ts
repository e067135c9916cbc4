import { route } from "@/lib/api";
import { generateExport, listExports, listExportsQuery } from "@/lib/suitedash/import";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "suitedash.manage" }, query: listExportsQuery }, async ({ query }) => listExports(query));

export const POST = route({ access: { permission: "suitedash.manage" } }, async ({ caller }) => Response.json(await generateExport(caller), { status: 201 }));
