import { idParams, route } from "@/lib/api";
import { getSubmission } from "@/lib/suitedash/service";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "contacts.read", scope: "contacts:read" },
    params: idParams,
    docs: { summary: "Get a contact form submission" },
  },
  async ({ params }) => getSubmission(params.id),
);
