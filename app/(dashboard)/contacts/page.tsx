import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { ContactsPage } from "@/components/contacts/contacts-page";

export const metadata = { title: "Contacts" };

export default async function Page() {
  const user = await requirePermission("contacts.read");
  return (
    <Suspense>
      <ContactsPage canRetry={can(user.role, "contacts.manage")} canManageSuiteDash={can(user.role, "suitedash.manage")} />
    </Suspense>
  );
}
