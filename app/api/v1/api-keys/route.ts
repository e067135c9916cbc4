import { route, json } from "@/lib/api";
import { createApiKey, listApiKeys } from "@/lib/auth/api-keys";
import { apiKeyList, createApiKeyInput, createdApiKey } from "@/lib/auth/api-key-contract";
import { SCOPES } from "@/lib/auth/scopes";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "apikeys.manage" },
    docs: { summary: "List API keys and the scopes a key can hold", response: apiKeyList },
  },
  async () => ({ items: await listApiKeys(), scopes: SCOPES }),
);

export const POST = route(
  {
    access: { permission: "apikeys.manage" },
    body: createApiKeyInput,
    docs: { summary: "Create an API key (the key itself is shown only in this answer)", status: 201, response: createdApiKey },
  },
  async ({ body, caller }) =>
    json(await createApiKey(body, caller), 201),
);
