import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { AuditPage } from "@/components/audit/audit-page";

export const metadata = { title: "Audit trail" };

export default async function Page() {
  await requirePermission("audit.read");
  return (
    <Suspense>
      <AuditPage />
    </Suspense>
  );
}
