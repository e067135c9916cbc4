import { route, idParams } from "@/lib/api";
import { downloadExport } from "@/lib/exports/service";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "exports.read", scope: "exports:read" },
    params: idParams,
    docs: { summary: "Download an export's file", description: "409 while the export is still running or failed; 410 once it has expired." },
  },
  async ({ params, caller }) => downloadExport(params.id, caller),
);
