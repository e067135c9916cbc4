import { route, idParams } from "@/lib/api";
import { testIntegration } from "@/lib/integrations/service";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "integrations.test", scope: "integrations:write" },
    params: idParams,
    docs: { summary: "Test an integration's connection with a harmless call" },
  },
  async ({ params, caller }) =>
    testIntegration(params.id, caller),
);
