import { route } from "@/lib/api";
import { listJobs, listJobsQuery } from "@/lib/jobs/sync";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "jobs.read", scope: "jobs:read" }, query: listJobsQuery, docs: { summary: "List sync jobs" } }, async ({ query }) => ({
  items: await listJobs(query),
}));
