import { idParams, route } from "@/lib/api";
import { retrySubmission } from "@/lib/suitedash/service";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "contacts.manage" },
    params: idParams,
    docs: { summary: "Retry a submission's SuiteDash sync" },
  },
  async ({ params, caller }) => retrySubmission(params.id, caller),
);
