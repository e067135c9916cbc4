import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { PaymentsPage } from "@/components/payments/payments-page";
import { getSettings } from "@/lib/settings";

export const metadata = { title: "Payments" };

export default async function Page() {
  const user = await requirePermission("payments.read");
  return (
    <Suspense>
      <PaymentsPage canCreate={can(user.role, "payments.create")} defaultCurrency={(await getSettings()).organization.defaultCurrency} />
    </Suspense>
  );
}
