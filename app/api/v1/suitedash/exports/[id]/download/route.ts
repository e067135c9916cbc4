import { idParams, route } from "@/lib/api";
import { downloadExport } from "@/lib/suitedash/import";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "suitedash.manage" },
    params: idParams,
    docs: { summary: "Download a SuiteDash import CSV" },
  },
  async ({ params, caller }) => downloadExport(params.id, caller),
);
