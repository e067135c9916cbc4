import { route, json } from "@/lib/api";
import { can } from "@/lib/auth/roles";
import {
  createIntegration,
  createIntegrationInput,
  listIntegrations,
  listIntegrationsQuery,
  serialize,
} from "@/lib/integrations/service";
import { integration, integrationList } from "@/lib/integrations/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "integrations.read", scope: "integrations:read" },
    query: listIntegrationsQuery,
    docs: { summary: "List integrations", response: integrationList },
  },
  async ({ query }) => {
    const rows = await listIntegrations(query);
    return { items: rows.map((r) => serialize(r)) };
  },
);

export const POST = route(
  { access: { permission: "integrations.write", scope: "integrations:write" }, body: createIntegrationInput, docs: { summary: "Connect a new integration", status: 201, response: integration } },
  async ({ body, caller }) => {
    const row = await createIntegration(body, caller);
    const withCredentials = caller.kind === "api_key" || (caller.kind === "user" && can(caller.user.role, "integrations.credentials"));
    return json(serialize(row, { withCredentials }), 201);
  },
);
