import { requirePermission } from "@/lib/auth/page";
import { ApiKeysPage } from "@/components/api-keys/api-keys-page";
import { SCOPES } from "@/lib/auth/scopes";
import { db } from "@/lib/db";

export const metadata = { title: "API keys" };

export default async function Page() {
  await requirePermission("apikeys.manage");
  const drivers = await db.driver.findMany({ where: { status: { not: "inactive" } }, orderBy: { name: "asc" }, select: { id: true, name: true } });
  return <ApiKeysPage scopes={SCOPES} drivers={drivers} />;
}
