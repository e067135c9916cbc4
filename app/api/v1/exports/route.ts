import { callerHas, requireAccess, route } from "@/lib/api";
import { ApiError } from "@/lib/errors";
import { createExport, downloadExport, exportNeeds, listExports, listExportsQuery } from "@/lib/exports/service";
import { createExportInput, exportJob, exportList } from "@/lib/exports/contract";
import { EXPORT_TYPES } from "@/lib/exports/sources";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "exports.read", scope: "exports:read" },
    query: listExportsQuery,
    docs: { summary: "List export jobs", description: "Only exports of data the caller may read (see POST).", response: exportList },
  },
  // only the exports whose data the caller may read (each type's read scope / permission)
  async ({ query, caller }) => listExports(query, EXPORT_TYPES.filter((t) => callerHas(caller, exportNeeds(t).access))),
);

// small exports answer with the file itself (and are kept in the history); large ones 202 with the job
export const POST = route(
  {
    access: { permission: "exports.create", scope: "exports:write" },
    body: createExportInput,
    docs: {
      summary: "Start a data export",
      description:
        "Small exports answer 200 with the file itself; larger ones answer 202 with the job (Location names it) and run in the background. " +
        "Each type also needs the read scope of its data (applications, drivers, vehicles: tracking:read; payments: payments:read; contacts: contacts:read; messages: messages:read; logs: logs:read), to create, list, read and download it.",
      status: 202,
      // the 202's job; a small export's 200 is the file itself (lib/openapi/manual.ts)
      response: exportJob,
    },
  },
  async ({ body, caller }) => {
    const needs = exportNeeds(body.type);
    requireAccess(caller, needs.access, needs.neededFor);
    const r = await createExport(body, { actor: caller.actor, meta: caller.meta });
    if (!r.inline) return Response.json(r.job, { status: 202, headers: { location: `/api/v1/exports/${r.job.id}` } });
    if (r.job.status !== "completed") throw new ApiError(500, "internal_error", r.job.error ?? "The export failed", { exportId: r.job.id });
    const file = await downloadExport(r.job.id);
    file.headers.set("x-export-id", r.job.id);
    return file;
  },
);
