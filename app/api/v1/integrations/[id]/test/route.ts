import { route, idParams } from "@/lib/api";
import { testIntegration } from "@/lib/integrations/service";
import { testRun } from "@/lib/integrations/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "integrations.test", scope: "integrations:write" },
    params: idParams,
    docs: { summary: "Test an integration's connection with a harmless call", response: testRun },
  },
  async ({ params, caller }) =>
    testIntegration(params.id, caller),
);
