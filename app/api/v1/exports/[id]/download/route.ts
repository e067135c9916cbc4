import { route, idParams, requireAccess } from "@/lib/api";
import { downloadExport, exportNeeds, getExport } from "@/lib/exports/service";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "exports.read", scope: "exports:read" },
    params: idParams,
    docs: { summary: "Download an export's file", description: "409 while the export is still running or failed; 410 once it has expired." },
  },
  async ({ params, caller }) => {
    // the file is a copy of its data: reading that data is needed too
    const needs = exportNeeds((await getExport(params.id)).type);
    requireAccess(caller, needs.access, needs.neededFor);
    return downloadExport(params.id, caller);
  },
);
