import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { TemplatesPage } from "@/components/messages/templates-page";

export const metadata = { title: "Templates" };

export default async function Page() {
  const user = await requirePermission("messages.read");
  return (
    <Suspense>
      <TemplatesPage canManage={can(user.role, "templates.manage")} canSend={can(user.role, "messages.send")} />
    </Suspense>
  );
}
