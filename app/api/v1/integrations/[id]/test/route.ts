import { route, idParams } from "@/lib/api";
import { testIntegration } from "@/lib/integrations/service";

export const dynamic = "force-dynamic";

export const POST = route({ access: { permission: "integrations.test", scope: "integrations:write" }, params: idParams }, async ({ params, caller }) =>
  testIntegration(params.id, caller),
);
