import { idParams, route } from "@/lib/api";
import { retrySubmission } from "@/lib/suitedash/service";
import { submissionDetail } from "@/lib/suitedash/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "contacts.manage" },
    params: idParams,
    docs: { summary: "Retry a submission's SuiteDash sync", response: submissionDetail },
  },
  async ({ params, caller }) => retrySubmission(params.id, caller),
);
