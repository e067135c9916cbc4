import { Suspense } from "react";
import { notFound } from "next/navigation";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { PaymentDetail } from "@/components/payments/payment-detail";

export const metadata = { title: "Payment" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePermission("payments.read");
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  return (
    <Suspense>
      <PaymentDetail id={id} canRefund={can(user.role, "payments.refund")} />
    </Suspense>
  );
}
