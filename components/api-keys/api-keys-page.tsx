"use client";
import * as React from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Loader2, Plus } from "lucide-react";
import { toast } from "sonner";
import { api, ClientApiError } from "@/lib/client/api";
import { checkForm, focusFirstInvalid } from "@/lib/client/form";
import { createApiKeyInput, type ApiKeyItem, type ApiKeyList, type CreatedApiKey } from "@/lib/auth/api-key-contract";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Checkbox } from "@/components/ui/checkbox";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { FieldError } from "@/components/integrations/schema-fields";
import { CopyOnce } from "@/components/users/copy-once";
import { formatDateTime, timeAgo } from "@/lib/format";

export type DriverOption = { id: string; name: string };

const FIELDS = ["name", "scopes", "driverId", "rateLimitPerMinute", "expiresInDays"];

function CreateKeyDialog({ scopes, drivers }: { scopes: Record<string, string>; drivers: DriverOption[] }) {
  const qc = useQueryClient();
  const [open, setOpen] = React.useState(false);
  const [chosen, setChosen] = React.useState<string[]>([]);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [key, setKey] = React.useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: unknown) => api<CreatedApiKey>("/api/v1/api-keys", { method: "POST", json: body }),
    onSuccess: async (r) => {
      setKey(r.key);
      await qc.invalidateQueries({ queryKey: ["api-keys"] });
    },
    onError: (e) => {
      const fields = e instanceof ClientApiError ? e.fieldErrors() : {};
      const shown = FIELDS.filter((k) => fields[k]);
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
          setKey(null);
          setChosen([]);
          setErrors({});
        }
      }}
    >
      <DialogTrigger asChild>
        <Button>
          <Plus /> New API key
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{key ? "Copy the key now" : "New API key"}</DialogTitle>
          <DialogDescription>
            {key ? "This is the only time it is shown. Only a hash of it is stored." : "For a machine client: the CRM, a mobile app, the website."}
          </DialogDescription>
        </DialogHeader>
        {key ? (
          <>
            <CopyOnce value={key} label="API key" />
            <p className="text-muted-foreground text-sm">
              Send it as <code className="font-mono">Authorization: Bearer &lt;key&gt;</code>.
            </p>
            <DialogFooter>
              <Button onClick={() => setOpen(false)}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <form
            ref={formRef}
            className="grid gap-4"
            noValidate
            aria-label="New API key"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              const rate = String(f.get("rate") ?? "");
              const days = String(f.get("days") ?? "");
              const driverId = String(f.get("driverId") ?? "");
              const body = {
                name: String(f.get("name") ?? ""),
                scopes: chosen,
                ...(driverId ? { driverId } : {}),
                ...(rate ? { rateLimitPerMinute: Number(rate) } : {}),
                ...(days ? { expiresInDays: Number(days) } : {}),
              };
              // every field checked at once with the API's own schema; nothing sent while one is wrong
              const check = checkForm(createApiKeyInput, body, (p) => p.split(".")[0] || "_");
              if (!check.ok) {
                setErrors({ ...check.fields } as Record<string, string>);
                focusFirstInvalid(formRef.current);
                return;
              }
              setErrors({});
              create.mutate(body);
            }}
          >
            {errors._ && (
              <Alert variant="destructive">
                <AlertDescription>{errors._}</AlertDescription>
              </Alert>
            )}
            <div className="grid gap-2">
              <Label htmlFor="key-name">Name</Label>
              <Input id="key-name" name="name" placeholder="e.g. CRM backend" required aria-invalid={!!errors.name || undefined} aria-describedby={errors.name ? "key-name-error" : undefined} />
              <FieldError id="key-name-error" message={errors.name} />
            </div>
            <fieldset className="grid gap-2">
              <legend className="mb-1 text-sm font-medium">Scopes</legend>
              {Object.entries(scopes).map(([s, desc], i) => (
                <label key={s} className="flex items-start gap-2 text-sm">
                  <Checkbox
                    checked={chosen.includes(s)}
                    onCheckedChange={(c) => setChosen((x) => (c ? [...x, s] : x.filter((y) => y !== s)))}
                    aria-label={s}
                    aria-invalid={(!!errors.scopes && i === 0) || undefined}
                    aria-describedby={errors.scopes ? "key-scopes-error" : undefined}
                    className="mt-0.5"
                  />
                  <span>
                    <span className="font-mono">{s}</span>
                    <span className="text-muted-foreground block">{desc}</span>
                  </span>
                </label>
              ))}
              <FieldError id="key-scopes-error" message={errors.scopes} />
            </fieldset>
            {drivers.length > 0 && (
              <div className="grid gap-2">
                <Label htmlFor="key-driver">Driver&apos;s device</Label>
                <select
                  id="key-driver"
                  name="driverId"
                  aria-describedby="key-driver-hint"
                  className="border-input bg-background h-9 rounded-md border px-3 text-sm shadow-xs focus-visible:ring-ring/50 focus-visible:ring-[3px] focus-visible:outline-none"
                  defaultValue=""
                >
                  <option value="">None: not a driver&apos;s phone</option>
                  {drivers.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name}
                    </option>
                  ))}
                </select>
                <p id="key-driver-hint" className="text-muted-foreground text-xs">
                  A driver&apos;s key may post only that driver&apos;s GPS positions (with the tracking:write scope).
                </p>
                <FieldError id="key-driver-error" message={errors.driverId} />
              </div>
            )}
            <div className="grid grid-cols-2 gap-3">
              <div className="grid gap-2">
                <Label htmlFor="key-rate">Requests per minute</Label>
                <Input id="key-rate" name="rate" type="number" min={1} placeholder="120" aria-invalid={!!errors.rateLimitPerMinute || undefined} aria-describedby={errors.rateLimitPerMinute ? "key-rate-error" : undefined} />
                <FieldError id="key-rate-error" message={errors.rateLimitPerMinute} />
              </div>
              <div className="grid gap-2">
                <Label htmlFor="key-days">Expires in (days)</Label>
                <Input id="key-days" name="days" type="number" min={1} placeholder="never" aria-invalid={!!errors.expiresInDays || undefined} aria-describedby={errors.expiresInDays ? "key-days-error" : undefined} />
                <FieldError id="key-days-error" message={errors.expiresInDays} />
              </div>
            </div>
            <DialogFooter>
              <Button type="submit" disabled={create.isPending}>
                {create.isPending && <Loader2 className="animate-spin" />} Create key
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

export function ApiKeysPage({ scopes, drivers = [] }: { scopes: Record<string, string>; drivers?: DriverOption[] }) {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => api<ApiKeyList>("/api/v1/api-keys") });
  const revoke = useMutation({
    mutationFn: (id: string) => api<ApiKeyItem>(`/api/v1/api-keys/${id}`, { method: "DELETE" }),
    onSuccess: async (k) => {
      toast.success(`${k.name} revoked`);
      await qc.invalidateQueries({ queryKey: ["api-keys"] });
    },
    onError: (e) => toast.error((e as Error).message),
  });
  return (
    <>
      <PageHeader title="API keys" description="Keys for systems that call Switchboard's API. Scoped, rate limited, revocable." actions={<CreateKeyDialog scopes={scopes} drivers={drivers} />} />
      {keys.isError ? (
        <Alert variant="destructive">
          <AlertDescription>Could not load API keys: {(keys.error as Error).message}</AlertDescription>
        </Alert>
      ) : keys.isPending ? (
        <Skeleton className="h-40" />
      ) : keys.data.items.length === 0 ? (
        <EmptyState icon={<KeyRound />} title="No API keys yet">
          Create one for each system that calls the API, with only the scopes it needs.
        </EmptyState>
      ) : (
        <div className="rounded-lg border">
          <Table aria-label="API keys">
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Scopes</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="hidden md:table-cell">Last used</TableHead>
                <TableHead className="hidden lg:table-cell">Limit</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {keys.data.items.map((k) => (
                <TableRow key={k.id}>
                  <TableCell>
                    <div className="font-medium">{k.name}</div>
                    <div className="text-muted-foreground font-mono text-xs">{k.prefix}</div>
                    {k.driverId && (
                      <div className="text-muted-foreground text-xs">Device of {drivers.find((d) => d.id === k.driverId)?.name ?? "a driver"}</div>
                    )}
                  </TableCell>
                  <TableCell>
                    <div className="flex flex-wrap gap-1">
                      {k.scopes.map((s) => (
                        <Badge key={s} variant="secondary" className="font-mono">
                          {s}
                        </Badge>
                      ))}
                    </div>
                  </TableCell>
                  <TableCell>
                    <Badge variant={k.status === "active" ? "success" : "muted"}>{k.status}</Badge>
                    {k.expiresAt && k.status === "active" && <div className="text-muted-foreground text-xs">until {formatDateTime(k.expiresAt)}</div>}
                  </TableCell>
                  <TableCell className="hidden md:table-cell">
                    {k.lastUsedAt ? timeAgo(k.lastUsedAt) : "never"}
                    {k.lastUsedIp && <div className="text-muted-foreground text-xs">{k.lastUsedIp}</div>}
                  </TableCell>
                  <TableCell className="hidden lg:table-cell">{k.rateLimitPerMinute}/min</TableCell>
                  <TableCell className="text-right">
                    {k.status === "active" && (
                      <AlertDialog>
                        <AlertDialogTrigger asChild>
                          <Button size="sm" variant="outline">
                            Revoke
                          </Button>
                        </AlertDialogTrigger>
                        <AlertDialogContent>
                          <AlertDialogHeader>
                            <AlertDialogTitle>Revoke {k.name}?</AlertDialogTitle>
                            <AlertDialogDescription>Requests with this key fail from now on. This cannot be undone.</AlertDialogDescription>
                          </AlertDialogHeader>
                          <AlertDialogFooter>
                            <AlertDialogCancel>Keep it</AlertDialogCancel>
                            <AlertDialogAction variant="destructive" onClick={() => revoke.mutate(k.id)}>
                              Revoke
                            </AlertDialogAction>
                          </AlertDialogFooter>
                        </AlertDialogContent>
                      </AlertDialog>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </>
  );
}
