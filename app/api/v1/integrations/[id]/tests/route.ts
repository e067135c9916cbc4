import { z } from "zod";
import { route, idParams } from "@/lib/api";
import { getIntegrationRow, listTests } from "@/lib/integrations/service";
import { integrationTestList } from "@/lib/integrations/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "integrations.read", scope: "integrations:read" },
    params: idParams,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
    docs: { summary: "List an integration's recent connection tests", response: integrationTestList },
  },
  async ({ params, query }) => {
    await getIntegrationRow(params.id);
    return { items: await listTests(params.id, query.limit) };
  },
);
