import { idParams, route } from "@/lib/api";
import { markExported } from "@/lib/suitedash/import";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "suitedash.manage" },
    params: idParams,
    docs: { summary: "Mark a SuiteDash CSV as imported" },
  },
  async ({ params, caller }) => markExported(params.id, caller),
);
