import { route, idParams } from "@/lib/api";
import { deleteExport, getExport } from "@/lib/exports/service";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "exports.read", scope: "exports:read" },
    params: idParams,
    docs: { summary: "Get an export job and its progress" },
  },
  async ({ params }) => getExport(params.id),
);

export const DELETE = route(
  {
    access: { permission: "exports.create", scope: "exports:write" },
    params: idParams,
    docs: { summary: "Delete an export and its file" },
  },
  async ({ params, caller }) => {
    await deleteExport(params.id, { actor: caller.actor, meta: caller.meta });
    return { ok: true };
  },
);
