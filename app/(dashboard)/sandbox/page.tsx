import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { SandboxInbox } from "@/components/messages/sandbox-inbox";

export const metadata = { title: "Sandbox inbox" };

export default async function Page() {
  const user = await requirePermission("sandbox.read");
  return (
    <Suspense>
      <SandboxInbox canSend={can(user.role, "messages.send")} />
    </Suspense>
  );
}
