import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { WebhooksPage } from "@/components/webhooks/webhooks-page";

export const metadata = { title: "Webhooks" };

export default async function Page() {
  const user = await requirePermission("webhooks.read");
  return (
    <Suspense>
      <WebhooksPage canManage={can(user.role, "webhooks.manage")} />
    </Suspense>
  );
}
