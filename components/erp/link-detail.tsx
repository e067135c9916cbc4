"use client";
// One link in a drawer: the entity, its 1C object and Ref_Key, the failure and its retry,
// Retry / Sync again for operators, and the sync log: every 1C call with its request and
// answer (redacted on the server).
import * as React from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Loader2, RefreshCw } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatDuration } from "@/lib/format";
import { ENTITY_LABEL, Json, LinkStatusBadge, OPERATION_LABEL } from "@/components/erp/shared";
import type { ErpLinkDetail, ErpSyncResult } from "@/lib/erp/contract";

/** The message of a sync answer: 200 with the outcome, or 502 with it in the error's details. */
export function syncFailure(e: unknown): string {
  return e instanceof ClientApiError ? e.message : (e as Error).message;
}

export function LinkDetailSheet({ id, onClose, canSync }: { id: string | null; onClose: () => void; canSync: boolean }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["erp", "link", id], queryFn: () => api<ErpLinkDetail>(`/api/v1/erp/links/${id}`), enabled: !!id });
  const retry = useMutation({
    mutationFn: () => api<ErpSyncResult>(`/api/v1/erp/links/${id}/retry`, { method: "POST" }),
    onSuccess: (r) => toast.success(`${OPERATION_LABEL[r.operation] ?? r.operation}: ${r.refKey ?? ""}`.trim()),
    onError: (e) => toast.error(`1C refused: ${syncFailure(e)}`),
    onSettled: () => {
      qc.invalidateQueries({ queryKey: ["erp", "link", id] });
      qc.invalidateQueries({ queryKey: ["erp", "links"] });
    },
  });
  const d = q.data;

  return (
    <Sheet open={!!id} onOpenChange={(o) => !o && onClose()}>
      <SheetContent className="overflow-y-auto sm:max-w-2xl">
        <SheetHeader>
          <SheetTitle>{d ? (d.entityLabel ?? `${ENTITY_LABEL[d.entityType]} (deleted here)`) : "1C link"}</SheetTitle>
          <SheetDescription>{d ? `${ENTITY_LABEL[d.entityType]} → ${d.object} · ${d.integrationName ?? ""}` : "Loading the link"}</SheetDescription>
        </SheetHeader>
        <div className="grid gap-4 px-4 pb-6">
          {q.isError && (
            <Alert variant="destructive">
              <AlertDescription>
                Could not load the link: {(q.error as Error).message}
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
                <LinkStatusBadge status={d.status} />
                {d.refKey && <Badge variant="outline" className="font-mono">Ref_Key {d.refKey}</Badge>}
                {canSync && (
                  <ConfirmDialog
                    trigger={
                      <Button size="sm" className="ml-auto" disabled={retry.isPending}>
                        {retry.isPending ? <Loader2 className="animate-spin" /> : <RefreshCw />} {d.status === "failed" ? "Retry" : "Sync again"}
                      </Button>
                    }
                    title={`Send ${d.entityLabel ?? ENTITY_LABEL[d.entityType].toLowerCase()} to 1C again?`}
                    description={`Its ${d.object} record in 1C is ${d.refKey ? "updated" : "created"} now with the current data.`}
                    confirmLabel={d.status === "failed" ? "Retry" : "Sync again"}
                    onConfirm={() => retry.mutate()}
                  />
                )}
              </div>
              {d.status === "failed" && d.lastError && (
                <Alert variant="destructive">
                  <AlertTitle>1C sync failed</AlertTitle>
                  <AlertDescription>
                    <p>{d.lastError}</p>
                    <p>
                      {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
                      {d.nextAttemptAt ? ` · next try ${formatDateTime(d.nextAttemptAt)}` : " · no automatic retry"}
                    </p>
                  </AlertDescription>
                </Alert>
              )}
              <dl className="grid grid-cols-[9rem_1fr] gap-x-3 gap-y-2 text-sm" aria-label="Link fields">
                <dt className="text-muted-foreground">Entity id</dt>
                <dd className="font-mono text-xs break-all">{d.entityId}</dd>
                <dt className="text-muted-foreground">1C object</dt>
                <dd className="break-all">{d.object}</dd>
                <dt className="text-muted-foreground">Last synced</dt>
                <dd>{formatDateTime(d.lastSyncedAt)}</dd>
                <dt className="text-muted-foreground">Linked since</dt>
                <dd>{formatDateTime(d.createdAt)}</dd>
              </dl>
              <section aria-label="Sync log" className="grid gap-2">
                <h3 className="text-sm font-medium">Sync log</h3>
                {d.logs.length === 0 ? (
                  <p className="text-muted-foreground text-sm">No calls to 1C yet.</p>
                ) : (
                  <ol className="grid gap-2">
                    {d.logs.map((l) => (
                      <li key={l.id} className="rounded-md border">
                        <details>
                          <summary className="flex cursor-pointer flex-wrap items-center gap-2 p-2 text-sm">
                            <span className="font-medium">{OPERATION_LABEL[l.operation] ?? l.operation}</span>
                            <Badge variant={l.ok ? "success" : "danger"}>{l.httpStatus ?? (l.ok ? "ok" : "no answer")}</Badge>
                            <span className="text-muted-foreground text-xs">
                              {formatDateTime(l.createdAt)} · {formatDuration(l.durationMs)}
                            </span>
                            {l.error && <span className="text-destructive basis-full text-xs">{l.error}</span>}
                          </summary>
                          <div className="grid gap-2 border-t p-2">
                            <p className="font-mono text-xs break-all">
                              {l.request?.method} {l.request?.url}
                            </p>
                            <span className="text-xs font-medium">Request</span>
                            <Json value={l.request?.body} label={`Request of ${l.operation} at ${l.createdAt}`} />
                            <span className="text-xs font-medium">Response</span>
                            <Json value={l.response?.body} label={`Response of ${l.operation} at ${l.createdAt}`} />
                          </div>
                        </details>
                      </li>
                    ))}
                  </ol>
                )}
              </section>
            </>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}
