// GET: the integration's OAuth connection (account, scope, expiry; never the tokens).
// DELETE: disconnect — revoke the grant at the provider, delete the tokens.
import { route, idParams } from "@/lib/api";
import { getIntegrationRow } from "@/lib/integrations/service";
import { tokenStatus } from "@/lib/oauth/tokens";
import { disconnect } from "@/lib/oauth/flow";
import { oauthConnection, oauthDisconnected } from "@/lib/integrations/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "integrations.read", scope: "integrations:read" },
    params: idParams,
    docs: { summary: "Get an integration's OAuth connection (account, scope, expiry; never the tokens)", response: oauthConnection },
  },
  async ({ params }) => {
    await getIntegrationRow(params.id);
    return tokenStatus(params.id);
  },
);

export const DELETE = route(
  {
    access: { permission: "integrations.credentials", scope: "integrations:write" },
    params: idParams,
    docs: { summary: "Disconnect OAuth: revoke the grant at the provider and delete the tokens", response: oauthDisconnected },
  },
  async ({ params, caller }) =>
    disconnect(params.id, caller),
);
