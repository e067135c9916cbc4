import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { ErpPage } from "@/components/erp/erp-page";

export const metadata = { title: "1C sync" };

export default async function Page() {
  const user = await requirePermission("erp.read");
  return (
    <Suspense>
      <ErpPage canSync={can(user.role, "erp.sync")} canConfigure={can(user.role, "integrations.write")} />
    </Suspense>
  );
}
