import { requirePermission } from "@/lib/auth/page";
import { ApiKeysPage } from "@/components/api-keys/api-keys-page";
import { SCOPES } from "@/lib/auth/scopes";

export const metadata = { title: "API keys" };

export default async function Page() {
  await requirePermission("apikeys.manage");
  return <ApiKeysPage scopes={SCOPES} />;
}
