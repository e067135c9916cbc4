import { route, idParams } from "@/lib/api";
import { revokeApiKey } from "@/lib/auth/api-keys";
import { apiKeyItem } from "@/lib/auth/api-key-contract";

export const dynamic = "force-dynamic";

/** Revokes the key (kept for the record, never usable again). */
export const DELETE = route(
  {
    access: { permission: "apikeys.manage" },
    params: idParams,
    docs: { summary: "Revoke an API key", description: "The key is kept for the record and never works again.", response: apiKeyItem },
  },
  async ({ params, caller }) =>
    revokeApiKey(params.id, caller),
);
