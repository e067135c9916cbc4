"use client";
import * as React from "react";
import { signIn } from "next-auth/react";
import { Loader2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { signInErrors, type SignInField } from "@/lib/auth/contract";

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const [error, setError] = React.useState<string | null>(null);
  const [pending, setPending] = React.useState(false);
  const [fieldErrors, setFieldErrors] = React.useState<Partial<Record<SignInField, string>>>({});

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const value = { email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") };
    // every field checked at once, with the server's rules; nothing is sent until they pass
    const invalid = signInErrors(value);
    setFieldErrors(invalid ?? {});
    if (invalid) {
      const first = (["email", "password"] as const).find((f) => invalid[f]);
      if (first) e.currentTarget.querySelector<HTMLInputElement>(`[name="${first}"]`)?.focus();
      return;
    }
    setPending(true);
    setError(null);
    const res = await signIn("credentials", { redirect: false, ...value, callbackUrl });
    if (!res || res.error) {
      setPending(false);
      setError(res?.error && res.error !== "CredentialsSignin" ? res.error : "Invalid email or password");
      return;
    }
    window.location.assign(callbackUrl);
  }

  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <div className="mb-2 flex items-center gap-2 font-semibold">
          <img src="/favicon.svg" alt="" className="size-7" /> Switchboard
        </div>
        <CardTitle className="text-xl">Sign in</CardTitle>
        <CardDescription>Use the account an administrator gave you.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
          {error && (
            <Alert variant="destructive">
              <AlertDescription>{error}</AlertDescription>
            </Alert>
          )}
          <div className="grid gap-2">
            <Label htmlFor="email">Email</Label>
            <Input
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              aria-invalid={fieldErrors.email ? true : undefined}
              aria-describedby={fieldErrors.email ? "email-error" : undefined}
              onChange={() => fieldErrors.email && setFieldErrors((f) => ({ ...f, email: undefined }))}
            />
            {fieldErrors.email && (
              <p id="email-error" className="text-destructive text-sm">
                {fieldErrors.email}
              </p>
            )}
          </div>
          <div className="grid gap-2">
            <Label htmlFor="password">Password</Label>
            <Input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              aria-invalid={fieldErrors.password ? true : undefined}
              aria-describedby={fieldErrors.password ? "password-error" : undefined}
              onChange={() => fieldErrors.password && setFieldErrors((f) => ({ ...f, password: undefined }))}
            />
            {fieldErrors.password && (
              <p id="password-error" className="text-destructive text-sm">
                {fieldErrors.password}
              </p>
            )}
          </div>
          <Button type="submit" disabled={pending}>
            {pending && <Loader2 className="animate-spin" />} Sign in
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
