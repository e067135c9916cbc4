import { route } from "@/lib/api";
import { generateExport, listExports, listExportsQuery } from "@/lib/suitedash/import";
import { suiteDashExport, suiteDashExportList } from "@/lib/suitedash/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "suitedash.manage" },
    query: listExportsQuery,
    docs: { summary: "List SuiteDash import CSVs", response: suiteDashExportList },
  },
  async ({ query }) => listExports(query),
);

export const POST = route(
  {
    access: { permission: "suitedash.manage" },
    docs: { summary: "Generate a SuiteDash import CSV of what is new", status: 201, response: suiteDashExport },
  },
  async ({ caller }) => Response.json(await generateExport(caller), { status: 201 }),
);
