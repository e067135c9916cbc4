import Link from "next/link";
import { inviteInfo } from "@/lib/users/service";
import { InviteForm } from "./invite-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

export const metadata = { title: "Set your password" };
export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const info = token.length <= 200 ? await inviteInfo(token) : null;
  return (
    <main className="bg-muted/40 flex min-h-dvh items-center justify-center p-4">
      {info ? (
        <InviteForm token={token} email={info.email} name={info.name} />
      ) : (
        <Card className="w-full max-w-sm">
          <CardHeader>
            <CardTitle>This link does not work</CardTitle>
            <CardDescription>It has expired or was already used. Ask an administrator for a new one.</CardDescription>
          </CardHeader>
          <CardContent>
            <Link href="/login" className="text-primary underline">
              Go to sign in
            </Link>
          </CardContent>
        </Card>
      )}
    </main>
  );
}
