import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { SandboxInbox } from "@/components/messages/sandbox-inbox";

export const metadata = { title: "Sandbox inbox" };

export default async function Page() {
  await requirePermission("sandbox.read");
  return (
    <Suspense>
      <SandboxInbox />
    </Suspense>
  );
}
