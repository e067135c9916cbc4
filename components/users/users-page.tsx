"use client";
import * as React from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Loader2, MailPlus, UserPlus, Users } from "lucide-react";
import { toast } from "sonner";
import { api, ClientApiError } from "@/lib/client/api";
import { checkForm, focusFirstInvalid } from "@/lib/client/form";
import { inviteInput, type InvitedUser, type ReissuedInvite, type UserItem as User, type UserList } from "@/lib/users/contract";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { FieldError } from "@/components/integrations/schema-fields";
import { CopyOnce } from "@/components/users/copy-once";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES, type Role } from "@/lib/auth/roles";
import { timeAgo } from "@/lib/format";

const STATUS_VARIANT: Record<string, "success" | "info" | "muted" | "warning"> = { active: "success", invited: "info", deactivated: "muted", invite_expired: "warning" };

function InviteDialog() {
  const qc = useQueryClient();
  const [open, setOpen] = React.useState(false);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [link, setLink] = React.useState<string | null>(null);
  const invite = useMutation({
    mutationFn: (body: { email: string; name: string; role: string }) => api<InvitedUser>("/api/v1/users", { method: "POST", json: body }),
    onSuccess: async (r) => {
      setLink(r.inviteUrl);
      setErrors({});
      await qc.invalidateQueries({ queryKey: ["users"] });
    },
    onError: (e) => {
      const fields = e instanceof ClientApiError ? e.fieldErrors() : {};
      const shown = ["name", "email", "role"].filter((k) => fields[k]);
      setErrors({ ...fields, ...(shown.length ? {} : { _: (e as Error).message }) });
      focusFirstInvalid(formRef.current);
    },
  });
  const formRef = React.useRef<HTMLFormElement>(null);
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) {
          setLink(null);
          setErrors({});
        }
      }}
    >
      <DialogTrigger asChild>
        <Button>
          <UserPlus /> Invite user
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{link ? "Invitation created" : "Invite a user"}</DialogTitle>
          <DialogDescription>
            {link ? "Send this link to the person. It is shown once and works for 72 hours." : "They get a one-time link to set their own password."}
          </DialogDescription>
        </DialogHeader>
        {link ? (
          <>
            <CopyOnce value={link} label="Invitation link" />
            <DialogFooter>
              <Button onClick={() => setOpen(false)}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <form
            ref={formRef}
            className="grid gap-4"
            noValidate
            aria-label="Invite a user"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              const body = { email: String(f.get("email")), name: String(f.get("name")), role: String(f.get("role")) };
              // every field checked at once with the API's own schema; nothing sent while one is wrong
              const check = checkForm(inviteInput, body, (p) => p || "_");
              if (!check.ok) {
                setErrors({ ...check.fields } as Record<string, string>);
                focusFirstInvalid(formRef.current);
                return;
              }
              setErrors({});
              invite.mutate(body);
            }}
          >
            {errors._ && (
              <Alert variant="destructive">
                <AlertDescription>{errors._}</AlertDescription>
              </Alert>
            )}
            <div className="grid gap-2">
              <Label htmlFor="invite-name">Name</Label>
              <Input id="invite-name" name="name" required aria-invalid={!!errors.name || undefined} aria-describedby={errors.name ? "invite-name-error" : undefined} />
              <FieldError id="invite-name-error" message={errors.name} />
            </div>
            <div className="grid gap-2">
              <Label htmlFor="invite-email">Email</Label>
              <Input id="invite-email" name="email" type="email" required aria-invalid={!!errors.email || undefined} aria-describedby={errors.email ? "invite-email-error" : undefined} />
              <FieldError id="invite-email-error" message={errors.email} />
            </div>
            <div className="grid gap-2">
              <Label htmlFor="invite-role">Role</Label>
              <NativeSelect id="invite-role" name="role" defaultValue="viewer">
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {ROLE_LABELS[r]} — {ROLE_DESCRIPTIONS[r]}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <DialogFooter>
              <Button type="submit" disabled={invite.isPending}>
                {invite.isPending && <Loader2 className="animate-spin" />} Create invitation
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

function article(word: string) {
  return `${/^[AEIOU]/.test(word) ? "an" : "a"} ${word}`;
}

export function UsersPage({ selfId }: { selfId: string }) {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ["users"], queryFn: () => api<UserList>("/api/v1/users") });
  const [reissued, setReissued] = React.useState<{ user: User; link: string } | null>(null);
  // deactivating and changing a role sign the person out at once: asked first, changed on yes
  const [asking, setAsking] = React.useState<{ user: User; role?: Role; active?: false } | null>(null);
  const update = useMutation({
    mutationFn: ({ id, ...patch }: { id: string; role?: string; active?: boolean }) => api<User>(`/api/v1/users/${id}`, { method: "PATCH", json: patch }),
    onSuccess: async (u) => {
      toast.success(`${u.name} updated`);
      await qc.invalidateQueries({ queryKey: ["users"] });
    },
    onError: (e) => toast.error((e as Error).message),
  });
  const reissue = useMutation({
    mutationFn: (u: User) => api<ReissuedInvite>(`/api/v1/users/${u.id}/invite`, { method: "POST" }).then((r) => ({ user: u, link: r.inviteUrl })),
    onSuccess: async (r) => {
      setReissued(r);
      await qc.invalidateQueries({ queryKey: ["users"] });
    },
    onError: (e) => toast.error((e as Error).message),
  });

  return (
    <>
      <PageHeader title="Users" description="Who can sign in, and with which role. Changes take effect on their next request." actions={<InviteDialog />} />
      {users.isError ? (
        <Alert variant="destructive">
          <AlertDescription>Could not load users: {(users.error as Error).message}</AlertDescription>
        </Alert>
      ) : users.isPending ? (
        <Skeleton className="h-40" />
      ) : users.data.items.length === 0 ? (
        <EmptyState icon={<Users />} title="No users" />
      ) : (
        <div className="rounded-lg border">
          <Table aria-label="Users">
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Role</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="hidden md:table-cell">Last sign-in</TableHead>
                <TableHead>Active</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.data.items.map((u) => (
                <TableRow key={u.id}>
                  <TableCell>
                    <div className="font-medium">
                      {u.name} {u.id === selfId && <Badge variant="muted">you</Badge>}
                    </div>
                    <div className="text-muted-foreground text-xs">{u.email}</div>
                  </TableCell>
                  <TableCell>
                    <NativeSelect
                      aria-label={`Role of ${u.name}`}
                      value={u.role}
                      disabled={u.id === selfId || update.isPending}
                      onChange={(e) => setAsking({ user: u, role: e.target.value as Role })}
                      className="w-36"
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {ROLE_LABELS[r]}
                        </option>
                      ))}
                    </NativeSelect>
                  </TableCell>
                  <TableCell>
                    <Badge variant={STATUS_VARIANT[u.status] ?? "muted"}>{u.status.replace("_", " ")}</Badge>
                  </TableCell>
                  <TableCell className="hidden md:table-cell">{u.lastLoginAt ? timeAgo(u.lastLoginAt) : "never"}</TableCell>
                  <TableCell>
                    <Switch
                      aria-label={`${u.active ? "Deactivate" : "Activate"} ${u.name}`}
                      checked={u.active}
                      disabled={u.id === selfId || update.isPending}
                      onCheckedChange={(c) => (c ? update.mutate({ id: u.id, active: true }) : setAsking({ user: u, active: false }))}
                    />
                  </TableCell>
                  <TableCell className="text-right">
                    {u.active && (
                      <Button size="sm" variant="ghost" onClick={() => reissue.mutate(u)} disabled={reissue.isPending}>
                        <MailPlus /> {u.status === "active" ? "Reset link" : "New invite link"}
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      <ConfirmDialog
        open={!!asking}
        onOpenChange={(o) => !o && setAsking(null)}
        title={asking?.role ? `Make ${asking.user.name} ${article(ROLE_LABELS[asking.role])}?` : `Deactivate ${asking?.user.name}?`}
        description={
          asking?.role
            ? `${ROLE_LABELS[asking.role]} — ${ROLE_DESCRIPTIONS[asking.role]}. They are signed out at once and sign in again with the new role.`
            : "They are signed out at once and cannot sign in until reactivated."
        }
        confirmLabel={asking?.role ? "Change role" : "Deactivate"}
        destructive={!asking?.role}
        onConfirm={() => {
          if (!asking) return;
          update.mutate(asking.role ? { id: asking.user.id, role: asking.role } : { id: asking.user.id, active: false });
          setAsking(null);
        }}
      />
      <Dialog open={!!reissued} onOpenChange={(o) => !o && setReissued(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Link for {reissued?.user.name}</DialogTitle>
            <DialogDescription>Shown once, valid 72 hours. Opening it lets them set a new password.</DialogDescription>
          </DialogHeader>
          {reissued && <CopyOnce value={reissued.link} label="Invitation link" />}
        </DialogContent>
      </Dialog>
    </>
  );
}
