import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { PaymentsPage } from "@/components/payments/payments-page";
import { getSettings } from "@/lib/settings";
import { listProviders } from "@/lib/providers/registry";

export const metadata = { title: "Payments" };

export default async function Page() {
  const user = await requirePermission("payments.read");
  const payment = listProviders().filter((p) => p.category === "payment");
  return (
    <Suspense>
      <PaymentsPage
        canCreate={can(user.role, "payments.create")}
        defaultCurrency={(await getSettings()).organization.defaultCurrency}
        // the payment providers from their definitions: a new one appears here by itself
        providers={payment.map((p) => ({ id: p.id, name: p.name }))}
        // those that declare recurring payments: the Subscriptions tab's filter and "New subscription"
        subscriptionProviders={payment.filter((p) => p.capabilities.includes("payments.subscriptions")).map((p) => ({ id: p.id, name: p.name }))}
      />
    </Suspense>
  );
}
