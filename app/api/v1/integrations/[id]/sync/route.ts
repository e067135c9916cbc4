import { z } from "zod";
import { route, idParams, json } from "@/lib/api";
import { requestSync } from "@/lib/jobs/sync";
import { syncJob } from "@/lib/jobs/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "jobs.run", scope: "jobs:write" },
    params: idParams,
    body: z.object({ type: z.string().trim().min(1).max(64).optional() }).strict().default({}),
    docs: { summary: "Queue a sync job for an integration", status: 202, response: syncJob },
  },
  async ({ params, body, caller }) => {
    const job = await requestSync(params.id, { type: body.type, trigger: caller.kind === "api_key" ? "api" : "manual", actor: caller.actor, meta: caller.meta });
    return json(job, 202);
  },
);
