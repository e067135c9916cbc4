import { Suspense } from "react";
import { notFound } from "next/navigation";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { SubscriptionDetail } from "@/components/payments/subscriptions-detail";

export const metadata = { title: "Subscription" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePermission("payments.read");
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  return (
    <Suspense>
      {/* cancel and resume: the permission the API asks for them (payments.create) */}
      <SubscriptionDetail id={id} canAct={can(user.role, "payments.create")} />
    </Suspense>
  );
}
