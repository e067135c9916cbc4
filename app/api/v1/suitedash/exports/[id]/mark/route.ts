import { idParams, route } from "@/lib/api";
import { markExported } from "@/lib/suitedash/import";
import { markedSuiteDashExport } from "@/lib/suitedash/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "suitedash.manage" },
    params: idParams,
    docs: { summary: "Mark a SuiteDash CSV as imported", response: markedSuiteDashExport },
  },
  async ({ params, caller }) => markExported(params.id, caller),
);
