import { route, idParams } from "@/lib/api";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "jobs.read", scope: "jobs:read" }, params: idParams, docs: { summary: "Get a sync job" } }, async ({ params }) => {
  const job = await db.syncJob.findUnique({
    where: { id: params.id },
    include: { integration: { select: { name: true, code: true, provider: true } } },
  });
  if (!job) throw errors.notFound("Sync job");
  return job;
});
