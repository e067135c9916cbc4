// What a signed-in person meets on a page their role does not allow: answered 403 (a page's
// requirePermission calls forbidden()), inside the dashboard layout, so the sidebar with what
// they may open stays where it always is.
import Link from "next/link";
import { ShieldX } from "lucide-react";
import { Button } from "@/components/ui/button";
import { currentUser } from "@/lib/auth/page";
import { ROLE_LABELS } from "@/lib/auth/roles";

export default async function Forbidden() {
  const user = await currentUser();
  return (
    <section className="flex flex-col items-center justify-center gap-4 py-16 text-center" aria-labelledby="no-access">
      <title>No access · Switchboard</title>
      <ShieldX className="text-destructive size-10" aria-hidden />
      <h1 id="no-access" className="text-2xl font-semibold">
        You do not have access to this page
      </h1>
      <p className="text-muted-foreground max-w-md">
        {user ? `Your role (${ROLE_LABELS[user.role]}) does not allow it.` : "Your role does not allow it."} Ask an administrator if you need it; the pages you can open
        are in the menu.
      </p>
      <Button asChild>
        <Link href="/">Back to the overview</Link>
      </Button>
    </section>
  );
}
