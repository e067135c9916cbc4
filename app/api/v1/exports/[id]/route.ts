import { route, idParams, requireAccess, type Caller } from "@/lib/api";
import { deleteExport, exportNeeds, getExport } from "@/lib/exports/service";
import { exportJob } from "@/lib/exports/contract";
import { okAnswer } from "@/lib/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "exports.read", scope: "exports:read" },
    params: idParams,
    docs: { summary: "Get an export job and its progress", response: exportJob },
  },
  async ({ params, caller }) => readableExport(params.id, caller),
);

/** The export, if the caller may read its data (403 naming the missing scope otherwise). */
async function readableExport(id: string, caller: Caller) {
  const job = await getExport(id);
  const needs = exportNeeds(job.type);
  requireAccess(caller, needs.access, needs.neededFor);
  return job;
}

export const DELETE = route(
  {
    access: { permission: "exports.create", scope: "exports:write" },
    params: idParams,
    docs: { summary: "Delete an export and its file", response: okAnswer },
  },
  async ({ params, caller }) => {
    await readableExport(params.id, caller);
    await deleteExport(params.id, { actor: caller.actor, meta: caller.meta });
    return { ok: true };
  },
);
