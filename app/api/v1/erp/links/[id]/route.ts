import { idParams, route } from "@/lib/api";
import { getLink } from "@/lib/erp/links";
import { erpLinkDetail } from "@/lib/erp/contract";

export const dynamic = "force-dynamic";

// one link with its sync log (request and response of every 1C call, redacted)
export const GET = route(
  {
    access: { permission: "erp.read", scope: "erp:read" },
    params: idParams,
    docs: { summary: "Get a 1C link with its sync log", response: erpLinkDetail },
  },
  async ({ params }) => getLink(params.id),
);
