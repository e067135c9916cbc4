import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/page";
import { safeCallbackPath } from "@/lib/safe-redirect";
import { LoginForm } from "./login-form";

export const metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const sp = await searchParams;
  // next-auth may hand back an absolute URL of this site; anything off-site falls back to "/"
  const callbackUrl = safeCallbackPath(sp.callbackUrl, "/", process.env.NEXTAUTH_URL);
  if (await currentUser()) redirect(callbackUrl);
  return (
    <main className="bg-muted/40 flex min-h-dvh items-center justify-center p-4">
      <LoginForm callbackUrl={callbackUrl} />
    </main>
  );
}
