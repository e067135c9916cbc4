import { route, idParams } from "@/lib/api";
import { can } from "@/lib/auth/roles";
import { deleteIntegration, getIntegrationRow, serialize, updateIntegration } from "@/lib/integrations/service";
import { integration, updateIntegrationInput } from "@/lib/integrations/contract";
import type { Caller } from "@/lib/api";

export const dynamic = "force-dynamic";

/** Masked credentials only for those who may manage them: admins, and API keys with integrations:write. */
function mayseeCredentials(caller: Caller) {
  if (caller.kind === "user") return can(caller.user.role, "integrations.credentials");
  return caller.kind === "api_key" && caller.key.scopes.includes("integrations:write");
}

export const GET = route(
  {
    access: { permission: "integrations.read", scope: "integrations:read" },
    params: idParams,
    docs: { summary: "Get an integration (credentials masked, and only for those who may manage them)", response: integration },
  },
  async ({ params, caller }) => {
    return serialize(await getIntegrationRow(params.id), { withCredentials: mayseeCredentials(caller) });
  },
);

const update = route(
  {
    access: { permission: "integrations.write", scope: "integrations:write" },
    params: idParams,
    body: updateIntegrationInput,
    docs: { summary: "Change an integration's settings or credentials", description: "PUT and PATCH behave the same: only the fields sent change.", response: integration },
  },
  async ({ params, body, caller }) => serialize(await updateIntegration(params.id, body, caller), { withCredentials: mayseeCredentials(caller) }),
);
export const PATCH = update;
export const PUT = update;

export const DELETE = route(
  {
    access: { permission: "integrations.write", scope: "integrations:write" },
    params: idParams,
    docs: { summary: "Delete an integration", status: 204 },
  },
  async ({ params, caller }) => {
    await deleteIntegration(params.id, caller);
    return new Response(null, { status: 204 });
  },
);
