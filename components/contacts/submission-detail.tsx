"use client";
// One submission in a drawer: what the visitor sent, where it went (SuiteDash id or export),
// the error and attempts of a failed sync, the provider calls, and Retry for a failed one.
import * as React from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Loader2, RefreshCw } from "lucide-react";
import { api } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime } from "@/lib/format";
import { LogStatusBadge } from "@/components/logs/log-status-badge";
import { SubmissionStatusBadge, fullName } from "@/components/contacts/shared";
import type { SubmissionDetail } from "@/lib/suitedash/contract";

export function SubmissionDetailSheet({ id, onClose, canRetry }: { id: string | null; onClose: () => void; canRetry: boolean }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["contacts", "one", id],
    queryFn: () => api<SubmissionDetail>(`/api/v1/contacts/${id}`),
    enabled: !!id,
    refetchInterval: (query) => (query.state.data?.status === "pending" ? 3000 : false),
  });
  const retry = useMutation({
    mutationFn: () => api<SubmissionDetail>(`/api/v1/contacts/${id}/retry`, { method: "POST" }),
    onSuccess: (d) => {
      qc.setQueryData(["contacts", "one", id], d);
      qc.invalidateQueries({ queryKey: ["contacts", "list"] });
      toast.success(`${fullName(d)}: queued again for SuiteDash`);
    },
    onError: (e) => toast.error(`Could not retry: ${(e as Error).message}`),
  });
  const d = q.data;

  return (
    <Sheet open={!!id} onOpenChange={(o) => !o && onClose()}>
      <SheetContent className="sm:max-w-xl">
        <SheetHeader>
          <SheetTitle>{d ? fullName(d) : "Submission"}</SheetTitle>
          <SheetDescription>{d ? `Received ${formatDateTime(d.createdAt)}` : "Loading the submission"}</SheetDescription>
        </SheetHeader>
        <div className="grid gap-4 px-4 pb-6">
          {q.isError && (
            <Alert variant="destructive">
              <AlertDescription>
                Could not load the submission: {(q.error as Error).message}
                <Button variant="outline" size="sm" onClick={() => q.refetch()}>
                  Try again
                </Button>
              </AlertDescription>
            </Alert>
          )}
          {q.isPending && id && <Skeleton className="h-64" aria-label="Loading" />}
          {d && (
            <>
              <div className="flex flex-wrap items-center gap-2">
                <SubmissionStatusBadge status={d.status} />
                {d.externalId && <Badge variant="outline">SuiteDash id {d.externalId}</Badge>}
                {d.exportFileName && <Badge variant="outline">In {d.exportFileName}</Badge>}
                {canRetry && d.status === "failed" && (
                  <ConfirmDialog
                    trigger={
                      <Button size="sm" className="ml-auto" disabled={retry.isPending}>
                        {retry.isPending ? <Loader2 className="animate-spin" /> : <RefreshCw />} Retry
                      </Button>
                    }
                    title={`Send ${fullName(d)} to SuiteDash again?`}
                    description="The contact is created or updated in SuiteDash now, instead of waiting for the next automatic try."
                    confirmLabel="Retry"
                    onConfirm={() => retry.mutate()}
                  />
                )}
              </div>
              {d.status === "failed" && d.error && (
                <Alert variant="destructive">
                  <AlertTitle>SuiteDash sync failed</AlertTitle>
                  <AlertDescription>
                    <p>{d.error}</p>
                    <p>
                      {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
                      {d.nextAttemptAt ? ` · next try ${formatDateTime(d.nextAttemptAt)}` : " · no automatic retry"}
                    </p>
                  </AlertDescription>
                </Alert>
              )}
              <dl className="grid grid-cols-[9rem_1fr] gap-x-3 gap-y-2 text-sm" aria-label="Submission fields">
                <Field label="E-mail" value={d.email} />
                <Field label="Phone" value={d.phone} />
                <Field label="Company" value={d.company} />
                <Field label="Service interest" value={d.serviceInterest} />
                <Field label="Source" value={d.source} />
                <Field label="Tags" value={d.tags.length ? d.tags.join(", ") : null} />
                <Field label="Message" value={d.message} multiline />
                <Field label="Attempts" value={String(d.attempts)} />
                <Field label={d.status === "exported" ? "Exported" : "Synced"} value={d.syncedAt ? formatDateTime(d.syncedAt) : null} />
                <Field label="IP" value={d.ip} />
                <Field label="User agent" value={d.userAgent} />
              </dl>
              <section aria-label="Provider calls" className="grid gap-2">
                <h3 className="text-sm font-medium">Provider calls</h3>
                {d.logs.length === 0 ? (
                  <p className="text-muted-foreground text-sm">None yet.</p>
                ) : (
                  <ul className="grid gap-1 text-xs">
                    {d.logs.map((l) => (
                      <li key={l.id} className="flex flex-wrap items-center gap-2">
                        <span className="text-muted-foreground">{formatDateTime(l.createdAt)}</span>
                        <span className="font-mono">{l.action}</span>
                        <LogStatusBadge status={l.status} statusCode={l.statusCode} />
                        {l.error && <span className="text-destructive">{l.error}</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}

function Field({ label, value, multiline }: { label: string; value: string | null; multiline?: boolean }) {
  return (
    <>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className={multiline ? "break-words whitespace-pre-wrap" : "break-all"}>{value ?? <span className="text-muted-foreground">—</span>}</dd>
    </>
  );
}
