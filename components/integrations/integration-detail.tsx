"use client";
import * as React from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, FlaskConical, Loader2, PlugZap, RefreshCw, Settings, Trash2, XCircle } from "lucide-react";
import { toast } from "sonner";
import { api, ClientApiError } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { CopyOnce } from "@/components/users/copy-once";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Switch } from "@/components/ui/switch";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
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
import { ModeBadge, StatusBadge } from "@/components/integrations/status";
import { OAuthCard } from "@/components/integrations/oauth-card";
import { JobsTable } from "@/components/jobs/jobs-table";
import type { SyncJob, SyncJobList } from "@/lib/jobs/contract";
import { LogsTable, type LogItem } from "@/components/logs/logs-table";
import type { Integration, IntegrationTestList, TestRun } from "@/lib/integrations/contract";
import { formatDuration } from "@/lib/format";
import { DateTime, NextRun, TimeAgo } from "@/components/shared/time";
import { StateView } from "@/components/integrations/state-view";

type Caps = { write: boolean; credentials: boolean; test: boolean; runJobs: boolean };

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-2 py-1.5 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="col-span-2 min-w-0 break-words">{children}</dd>
    </div>
  );
}

export function IntegrationDetail({ initial, can, syncTypes }: { initial: Integration; can: Caps; syncTypes: { id: string; label: string }[] }) {
  const qc = useQueryClient();
  const router = useRouter();
  const id = initial.id;
  const integration = useQuery({
    queryKey: ["integration", id],
    queryFn: () => api<Integration>(`/api/v1/integrations/${id}`),
    initialData: initial,
    refetchInterval: 10_000,
  });
  const tests = useQuery({ queryKey: ["integration", id, "tests"], queryFn: () => api<IntegrationTestList>(`/api/v1/integrations/${id}/tests?limit=10`) });
  const logs = useQuery({
    queryKey: ["logs", { integrationId: id, limit: 10 }],
    queryFn: () => api<{ items: LogItem[] }>(`/api/v1/logs?integrationId=${id}&limit=10`),
    refetchInterval: 10_000,
  });
  const jobs = useQuery({
    queryKey: ["jobs", { integrationId: id }],
    queryFn: () => api<SyncJobList>(`/api/v1/jobs?integrationId=${id}&limit=10`),
    enabled: syncTypes.length > 0,
    refetchInterval: (q) => (q.state.data?.items.some((j) => j.status === "queued" || j.status === "running") ? 1500 : 10_000),
  });

  const refreshAll = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: ["integration", id] }),
      qc.invalidateQueries({ queryKey: ["logs"] }),
      qc.invalidateQueries({ queryKey: ["jobs"] }),
      qc.invalidateQueries({ queryKey: ["integrations"] }),
    ]);

  const test = useMutation({
    mutationFn: () => api<TestRun>(`/api/v1/integrations/${id}/test`, { method: "POST" }),
    onSuccess: async (r) => {
      // the page shows the integration's stored last test: this one, until the connection changes
      qc.setQueryData<Integration>(["integration", id], (old) => (old ? { ...old, lastTest: { at: r.at, ok: r.ok, message: r.message } } : old));
      if (r.ok) toast.success("Connection works", { description: r.message });
      else toast.error("Connection test failed", { description: r.message });
      await refreshAll();
    },
    onError: (e) => toast.error("Could not run the test", { description: (e as Error).message }),
  });
  const sync = useMutation({
    mutationFn: () => api<SyncJob>(`/api/v1/integrations/${id}/sync`, { method: "POST", json: {} }),
    onSuccess: async () => {
      toast.success("Sync queued");
      await refreshAll();
    },
    onError: (e) => toast.error("Could not start a sync", { description: (e as Error).message }),
  });
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => api<Integration>(`/api/v1/integrations/${id}`, { method: "PATCH", json: { enabled } }),
    onSuccess: async (r) => {
      qc.setQueryData(["integration", id], r);
      toast.success(r.enabled ? "Enabled" : "Disabled");
      await refreshAll();
    },
    onError: (e) => toast.error((e as ClientApiError).message),
  });
  // switching off stops what runs through it: asked first; switching on is not
  const [askDisable, setAskDisable] = React.useState(false);
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/integrations/${id}`, { method: "DELETE" }),
    onSuccess: async () => {
      toast.success("Integration deleted");
      await qc.invalidateQueries({ queryKey: ["integrations"] });
      router.push("/integrations");
    },
    onError: (e) => toast.error((e as Error).message),
  });

  const i = integration.data;
  const shown = i.lastTest ? { ok: !!i.lastTest.ok, message: i.lastTest.message ?? "", at: i.lastTest.at } : null;

  return (
    <>
      <PageHeader
        title={i.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span>{i.providerName}</span>
            <span className="font-mono text-xs">{i.code}</span>
            <StatusBadge status={i.status} />
            <ModeBadge mode={i.mode} />
          </span>
        }
        actions={
          <>
            {can.write && (
              <div className="flex items-center gap-2 rounded-md border px-3 py-1.5">
                <Switch id="enabled" checked={i.enabled} disabled={toggle.isPending} onCheckedChange={(c) => (c ? toggle.mutate(true) : setAskDisable(true))} />
                <Label htmlFor="enabled">{i.enabled ? "Enabled" : "Disabled"}</Label>
              </div>
            )}
            {can.write && (
              <ConfirmDialog
                open={askDisable}
                onOpenChange={setAskDisable}
                title={`Disable ${i.name}?`}
                description="Switchboard stops using it at once: nothing is sent through it and its syncs stop until it is enabled again. Its settings and history stay."
                confirmLabel="Disable"
                destructive
                onConfirm={() => toggle.mutate(false)}
              />
            )}
            {can.test && (
              <Button onClick={() => test.mutate()} disabled={test.isPending}>
                {test.isPending ? <Loader2 className="animate-spin" /> : <PlugZap />} Test connection
              </Button>
            )}
            {can.runJobs && syncTypes.length > 0 && (
              <Button variant="outline" onClick={() => sync.mutate()} disabled={sync.isPending || !i.enabled}>
                <RefreshCw className={sync.isPending ? "animate-spin" : undefined} /> Sync now
              </Button>
            )}
            {can.credentials && (
              <Button variant="outline" asChild>
                <Link href={`/integrations/${id}/settings`}>
                  <Settings /> Settings
                </Link>
              </Button>
            )}
            {can.write && (
              <AlertDialog>
                <AlertDialogTrigger asChild>
                  <Button variant="ghost" size="icon" aria-label="Delete integration">
                    <Trash2 />
                  </Button>
                </AlertDialogTrigger>
                <AlertDialogContent>
                  <AlertDialogHeader>
                    <AlertDialogTitle>Delete {i.name}?</AlertDialogTitle>
                    <AlertDialogDescription>
                      Its credentials, test history and sync jobs are removed. Logs stay until the retention period ends.
                    </AlertDialogDescription>
                  </AlertDialogHeader>
                  <AlertDialogFooter>
                    <AlertDialogCancel>Keep it</AlertDialogCancel>
                    <AlertDialogAction variant="destructive" onClick={() => remove.mutate()}>
                      Delete
                    </AlertDialogAction>
                  </AlertDialogFooter>
                </AlertDialogContent>
              </AlertDialog>
            )}
          </>
        }
      />

      <div className="grid gap-4">
        {i.mode === "sandbox" && (
          <Alert>
            <FlaskConical />
            <AlertTitle>Sandbox mode</AlertTitle>
            <AlertDescription>Calls go to the built-in {i.providerName} emulator at {i.endpoint}: nothing reaches the real provider.</AlertDescription>
          </Alert>
        )}
        {i.oauth && <OAuthCard integration={i} canConnect={can.credentials} onChanged={refreshAll} />}
        {shown && (
          <Alert variant={shown.ok ? "success" : "destructive"} data-testid="test-result">
            {shown.ok ? <CheckCircle2 /> : <XCircle />}
            <AlertTitle>{shown.ok ? "Connection test passed" : "Connection test failed"}</AlertTitle>
            <AlertDescription>
              <p>{shown.message}</p>
              <p className="text-xs">
                <DateTime value={shown.at} />
              </p>
            </AlertDescription>
          </Alert>
        )}
        {!shown && (
          <Alert variant="warning">
            <AlertTitle>Not tested yet</AlertTitle>
            <AlertDescription>{can.test ? "Run “Test connection” to check the credentials." : "An operator has not tested it yet."}</AlertDescription>
          </Alert>
        )}

        <div className="grid gap-4 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle>Connection</CardTitle>
            </CardHeader>
            <CardContent>
              <dl>
                <Row label="Endpoint">
                  <span className="font-mono text-xs">{i.endpoint ?? "—"}</span>
                </Row>
                <Row label="Last success">
                  {i.lastSuccessAt ? (
                    <>
                      <TimeAgo value={i.lastSuccessAt} /> (<DateTime value={i.lastSuccessAt} />)
                    </>
                  ) : (
                    "never"
                  )}
                </Row>
                <Row label="Last error">{i.lastError ? <span className="text-destructive">{i.lastError.message}</span> : "none"}</Row>
                {syncTypes.length > 0 && (
                  <>
                    <Row label="Auto-sync">{i.autoSync ? `every ${i.syncIntervalMinutes} min` : "off"}</Row>
                    <Row label="Last sync">
                      <TimeAgo value={i.lastSyncAt} />
                    </Row>
                    {i.autoSync && i.enabled && (
                      <Row label="Next sync">
                        <NextRun value={i.nextSyncAt} fallback="not scheduled" />
                      </Row>
                    )}
                  </>
                )}
                {i.description && <Row label="Description">{i.description}</Row>}
              </dl>
              {i.webhook && (
                <div className="mt-3 grid gap-1.5 border-t pt-3">
                  <p className="text-sm font-medium">Webhook URL</p>
                  <CopyOnce value={i.webhook.url} label="Webhook URL" />
                  <p className="text-muted-foreground text-xs">Verified by {i.webhook.scheme}.</p>
                  {i.webhook.rotating.map((r) => (
                    <p key={r.field} className="text-muted-foreground text-xs">
                      The previous {r.field} is still accepted until <DateTime value={r.expiresAt} />.
                    </p>
                  ))}
                  <Link className="text-sm underline underline-offset-4" href={`/webhooks?integrationId=${i.id}`}>
                    Received events
                  </Link>
                </div>
              )}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>What {i.providerName} reported</CardTitle>
              <CardDescription>From the last test or sync</CardDescription>
            </CardHeader>
            <CardContent>
              <StateView state={i.state} />
            </CardContent>
          </Card>
        </div>

        <Card>
          <CardHeader>
            <CardTitle>Connection tests</CardTitle>
          </CardHeader>
          <CardContent>
            {tests.isPending ? (
              <Skeleton className="h-24" />
            ) : tests.isError ? (
              <p className="text-destructive text-sm">Could not load the test history.</p>
            ) : tests.data.items.length === 0 ? (
              <p className="text-muted-foreground text-sm">No tests yet.</p>
            ) : (
              <Table aria-label="Connection test history">
                <TableHeader>
                  <TableRow>
                    <TableHead>When</TableHead>
                    <TableHead>Result</TableHead>
                    <TableHead>Message</TableHead>
                    <TableHead className="hidden sm:table-cell">Mode</TableHead>
                    <TableHead className="hidden sm:table-cell">Took</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {tests.data.items.map((t) => (
                    <TableRow key={t.id}>
                      <TableCell className="whitespace-nowrap">
                        <DateTime value={t.createdAt} />
                      </TableCell>
                      <TableCell>{t.ok ? <span className="text-success">passed</span> : <span className="text-destructive">failed</span>}</TableCell>
                      <TableCell className="max-w-md">{t.message}</TableCell>
                      <TableCell className="hidden sm:table-cell">{t.mode}</TableCell>
                      <TableCell className="hidden sm:table-cell">{formatDuration(t.durationMs)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </CardContent>
        </Card>

        {syncTypes.length > 0 && (
          <Card>
            <CardHeader>
              <CardTitle>Sync jobs</CardTitle>
            </CardHeader>
            <CardContent>
              <JobsTable query={jobs} canCancel={can.runJobs} showIntegration={false} />
            </CardContent>
          </Card>
        )}

        <Card>
          <CardHeader className="flex-row items-center justify-between">
            <CardTitle>Recent calls</CardTitle>
            <Button variant="link" asChild>
              <Link href={`/logs?integrationId=${id}`}>All logs</Link>
            </Button>
          </CardHeader>
          <CardContent>
            <LogsTable query={logs} compact />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
