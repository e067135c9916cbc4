"use client";
import * as React from "react";
import Link from "next/link";
import { useMutation, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { Ban, RefreshCw } from "lucide-react";
import { toast } from "sonner";
import { api } from "@/lib/client/api";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatDuration } from "@/lib/format";
import type { SyncJob, SyncJobList } from "@/lib/jobs/contract";

const VARIANT = { queued: "muted", running: "info", completed: "success", failed: "danger", canceled: "warning" } as const;

export function JobStatus({ job }: { job: SyncJob }) {
  const label = job.status === "running" && job.cancelRequestedAt ? "canceling" : job.status;
  return <Badge variant={VARIANT[job.status]}>{label}</Badge>;
}

export function JobsTable({ query, canCancel, showIntegration = true }: { query: UseQueryResult<SyncJobList>; canCancel: boolean; showIntegration?: boolean }) {
  const qc = useQueryClient();
  const cancel = useMutation({
    mutationFn: (id: string) => api<SyncJob>(`/api/v1/jobs/${id}/cancel`, { method: "POST" }),
    onSuccess: async () => {
      toast.success("Cancel requested");
      await qc.invalidateQueries({ queryKey: ["jobs"] });
    },
    onError: (e) => toast.error((e as Error).message),
  });
  if (query.isPending) return <Skeleton className="h-24" />;
  if (query.isError) return <p className="text-destructive text-sm">Could not load jobs: {(query.error as Error).message}</p>;
  if (!query.data.items.length) return <EmptyState icon={<RefreshCw />} title="No sync jobs yet" />;
  return (
    <Table aria-label="Sync jobs">
      <TableHeader>
        <TableRow>
          <TableHead>Started</TableHead>
          {showIntegration && <TableHead>Integration</TableHead>}
          <TableHead>Type</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="text-right">Processed</TableHead>
          <TableHead className="hidden text-right md:table-cell">Created / updated / failed</TableHead>
          <TableHead className="hidden sm:table-cell">Took</TableHead>
          {canCancel && <TableHead><span className="sr-only">Actions</span></TableHead>}
        </TableRow>
      </TableHeader>
      <TableBody>
        {query.data.items.map((j) => (
          <TableRow key={j.id}>
            <TableCell className="whitespace-nowrap">
              {formatDateTime(j.startedAt ?? j.createdAt)}
              <div className="text-muted-foreground text-xs">{j.trigger}</div>
            </TableCell>
            {showIntegration && (
              <TableCell>
                <Link href={`/integrations/${j.integrationId}`} className="hover:underline">
                  {j.integration.name}
                </Link>
              </TableCell>
            )}
            <TableCell className="font-mono text-xs">{j.type}</TableCell>
            <TableCell>
              <JobStatus job={j} />
              {j.error && <div className="text-destructive max-w-xs text-xs">{j.error}</div>}
            </TableCell>
            <TableCell className="text-right tabular-nums">{j.processed}</TableCell>
            <TableCell className="hidden text-right tabular-nums md:table-cell">
              {j.created} / {j.updated} / {j.failed}
            </TableCell>
            <TableCell className="hidden sm:table-cell">
              {j.startedAt && j.finishedAt ? formatDuration(new Date(j.finishedAt).getTime() - new Date(j.startedAt).getTime()) : j.status === "running" ? "running…" : "—"}
            </TableCell>
            {canCancel && (
              <TableCell className="text-right">
                {(j.status === "queued" || j.status === "running") && !j.cancelRequestedAt && (
                  <ConfirmDialog
                    trigger={
                      <Button size="sm" variant="outline" disabled={cancel.isPending}>
                        <Ban /> Cancel
                      </Button>
                    }
                    title="Cancel this sync?"
                    description={j.status === "queued" ? "It will not run. You can start a new sync at any time." : "It stops within seconds. What it has synced so far stays as it is."}
                    confirmLabel="Cancel sync"
                    cancelLabel="Keep it running"
                    destructive
                    onConfirm={() => cancel.mutate(j.id)}
                  />
                )}
              </TableCell>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
