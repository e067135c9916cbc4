import { route, idParams } from "@/lib/api";
import { getJob } from "@/lib/jobs/sync";
import { syncJobItem } from "@/lib/jobs/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  { access: { permission: "jobs.read", scope: "jobs:read" }, params: idParams, docs: { summary: "Get a sync job", response: syncJobItem } },
  async ({ params }) => getJob(params.id),
);
