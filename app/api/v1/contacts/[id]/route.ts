import { idParams, route } from "@/lib/api";
import { getSubmission } from "@/lib/suitedash/service";
import { submissionDetail } from "@/lib/suitedash/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "contacts.read", scope: "contacts:read" },
    params: idParams,
    docs: { summary: "Get a contact form submission", response: submissionDetail },
  },
  async ({ params }) => getSubmission(params.id),
);
