import { route, idParams } from "@/lib/api";
import { downloadExport } from "@/lib/exports/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "exports.read", scope: "exports:read" }, params: idParams }, async ({ params }) => downloadExport(params.id));
