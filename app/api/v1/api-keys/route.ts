import { route, json } from "@/lib/api";
import { createApiKey, createApiKeyInput, listApiKeys } from "@/lib/auth/api-keys";
import { SCOPES } from "@/lib/auth/scopes";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "apikeys.manage" } }, async () => ({ items: await listApiKeys(), scopes: SCOPES }));

export const POST = route({ access: { permission: "apikeys.manage" }, body: createApiKeyInput }, async ({ body, caller }) =>
  json(await createApiKey(body, caller), 201),
);
