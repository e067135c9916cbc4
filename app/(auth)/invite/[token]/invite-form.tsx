"use client";
import * as React from "react";
import { Loader2 } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Alert, AlertDescription } from "@/components/ui/alert";

export function InviteForm({ token, email, name }: { token: string; email: string; name: string }) {
  const [error, setError] = React.useState<string | null>(null);
  const [pending, setPending] = React.useState(false);
  const [done, setDone] = React.useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const password = String(f.get("password") ?? "");
    if (password !== String(f.get("confirm") ?? "")) return setError("The two passwords differ");
    setPending(true);
    setError(null);
    try {
      await api("/api/v1/invites/accept", { method: "POST", json: { token, password } });
      setDone(true);
    } catch (err) {
      setError(err instanceof ClientApiError ? (err.fieldErrors().password ?? err.message) : (err as Error).message);
    } finally {
      setPending(false);
    }
  }

  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <CardTitle className="text-xl">Welcome, {name}</CardTitle>
        <CardDescription>Set a password for {email}.</CardDescription>
      </CardHeader>
      <CardContent>
        {done ? (
          <div className="grid gap-4">
            <Alert variant="success">
              <AlertDescription>Your password is set.</AlertDescription>
            </Alert>
            <Button asChild>
              <a href="/login">Sign in</a>
            </Button>
          </div>
        ) : (
          <form onSubmit={onSubmit} className="grid gap-4" noValidate>
            {error && (
              <Alert variant="destructive">
                <AlertDescription>{error}</AlertDescription>
              </Alert>
            )}
            <div className="grid gap-2">
              <Label htmlFor="password">New password</Label>
              <Input id="password" name="password" type="password" autoComplete="new-password" minLength={10} required aria-describedby="pw-help" />
              <p id="pw-help" className="text-muted-foreground text-sm">
                At least 10 characters.
              </p>
            </div>
            <div className="grid gap-2">
              <Label htmlFor="confirm">Repeat it</Label>
              <Input id="confirm" name="confirm" type="password" autoComplete="new-password" required />
            </div>
            <Button type="submit" disabled={pending}>
              {pending && <Loader2 className="animate-spin" />} Set password
            </Button>
          </form>
        )}
      </CardContent>
    </Card>
  );
}
