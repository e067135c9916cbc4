"use client";
// The invitation page's password form: checked in the browser with the API's own schema
// (lib/users/contract.ts) and the repeat compared, every message next to its field, the first
// wrong field focused, nothing sent while one is wrong.
import * as React from "react";
import { Loader2 } from "lucide-react";
import { api, formErrors } from "@/lib/client/api";
import { checkForm } from "@/lib/client/form";
import { acceptInviteInput } from "@/lib/users/contract";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/contract";
import { useFormErrors } from "@/components/shared/form-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Alert, AlertDescription } from "@/components/ui/alert";

type Field = "password" | "confirm";
const fieldOf = (path: string): Field | null => (path.replace(/^body\./, "") === "password" ? "password" : null);

export function InviteForm({ token, email, name }: { token: string; email: string; name: string }) {
  const [password, setPassword] = React.useState("");
  const [confirm, setConfirm] = React.useState("");
  const [pending, setPending] = React.useState(false);
  const [done, setDone] = React.useState(false);
  const { errors, formError, formRef, clear, show, err, invalid } = useFormErrors<Field>("invite");

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (pending) return;
    clear();
    const body = { token, password };
    const check = checkForm(acceptInviteInput, body, fieldOf);
    const fields: Partial<Record<Field, string>> = check.ok ? {} : { ...check.fields };
    if (!confirm) fields.confirm = "Repeat the password";
    else if (confirm !== password) fields.confirm = "The two passwords differ";
    if (!check.ok || Object.keys(fields).length) return show(fields, check.ok ? null : check.form);
    setPending(true);
    try {
      await api("/api/v1/invites/accept", { method: "POST", json: body });
      setDone(true);
    } catch (error) {
      const { fields: next, form } = formErrors(error, fieldOf);
      show(next, form);
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
          <form ref={formRef} onSubmit={onSubmit} className="grid gap-4" noValidate aria-label="Set your password">
            {formError && (
              <Alert variant="destructive">
                <AlertDescription>{formError}</AlertDescription>
              </Alert>
            )}
            <div className="grid gap-2">
              <Label htmlFor="password">New password</Label>
              <Input
                id="password"
                name="password"
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                {...invalid("password", undefined, errors.password ? undefined : "pw-help")}
              />
              {/* the rule is the hint; when it is broken, the message says it instead of twice */}
              {err("password") ?? (
                <p id="pw-help" className="text-muted-foreground text-sm">
                  At least {PASSWORD_MIN_LENGTH} characters.
                </p>
              )}
            </div>
            <div className="grid gap-2">
              <Label htmlFor="confirm">Repeat it</Label>
              <Input id="confirm" name="confirm" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} {...invalid("confirm")} />
              {err("confirm")}
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
