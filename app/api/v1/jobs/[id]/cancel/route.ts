import { route, idParams } from "@/lib/api";
import { cancelSync } from "@/lib/jobs/sync";
import { syncJob } from "@/lib/jobs/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  { access: { permission: "jobs.run", scope: "jobs:write" }, params: idParams, docs: { summary: "Cancel a sync job", response: syncJob } },
  async ({ params, caller }) => cancelSync(params.id, caller),
);
