// The 403 answer for a forbidden() outside the dashboard's pages (theirs is
// app/(dashboard)/forbidden.tsx, inside the normal shell).
import Link from "next/link";
import { ShieldX } from "lucide-react";
import { Button } from "@/components/ui/button";

export default function Forbidden() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-4 p-6 text-center">
      <ShieldX className="text-destructive size-10" aria-hidden />
      <h1 className="text-2xl font-semibold">You do not have access to this page</h1>
      <p className="text-muted-foreground max-w-md">Your role does not allow it. Ask an administrator if you need it.</p>
      <Button asChild>
        <Link href="/">Back to the overview</Link>
      </Button>
    </main>
  );
}
