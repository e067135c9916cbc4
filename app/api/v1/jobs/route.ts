import { route } from "@/lib/api";
import { listJobs, listJobsQuery } from "@/lib/jobs/sync";
import { syncJobList } from "@/lib/jobs/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  { access: { permission: "jobs.read", scope: "jobs:read" }, query: listJobsQuery, docs: { summary: "List sync jobs", response: syncJobList } },
  async ({ query }) => ({ items: await listJobs(query) }),
);
