import { idParams, route } from "@/lib/api";
import { downloadExport } from "@/lib/suitedash/import";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "suitedash.manage" }, params: idParams }, async ({ params }) => downloadExport(params.id));
