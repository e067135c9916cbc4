"use client";
import * as React from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { useQuery } from "@tanstack/react-query";
import { ArrowDownLeft, ArrowUpRight, ScrollText } from "lucide-react";
import { api } from "@/lib/client/api";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { Badge } from "@/components/ui/badge";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDateTime, formatDuration } from "@/lib/format";
import { LogStatusBadge } from "@/components/logs/log-status-badge";
import type { LogDetail, LogListItem as LogItem } from "@/lib/logs/contract";



export function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <p className="text-muted-foreground text-sm">—</p>;
  return <pre className="bg-muted max-h-96 overflow-auto rounded-md p-3 font-mono text-xs break-all whitespace-pre-wrap">{JSON.stringify(value, null, 2)}</pre>;
}

export function LogDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const q = useQuery({ queryKey: ["log", id], queryFn: () => api<LogDetail>(`/api/v1/logs/${id}`), enabled: !!id });
  return (
    <Sheet open={!!id} onOpenChange={(o) => !o && onClose()}>
      <SheetContent aria-describedby={undefined}>
        <SheetHeader>
          <SheetTitle>{q.data ? `${q.data.action}` : "Log entry"}</SheetTitle>
          {q.data && (
            <SheetDescription>
              {formatDateTime(q.data.createdAt)} · {q.data.provider} · attempt {q.data.attempt}
            </SheetDescription>
          )}
        </SheetHeader>
        <div className="grid gap-4 px-4 pb-6">
          {q.isPending ? (
            <Skeleton className="h-64" />
          ) : q.isError ? (
            <p className="text-destructive text-sm">Could not load the entry: {(q.error as Error).message}</p>
          ) : (
            <>
              <div className="flex flex-wrap gap-2">
                <LogStatusBadge status={q.data.status} statusCode={q.data.statusCode} http />
                <Badge variant="outline">{formatDuration(q.data.durationMs)}</Badge>
                <Badge variant="muted">{q.data.direction}</Badge>
              </div>
              <div>
                <h3 className="mb-1 text-sm font-medium">Request</h3>
                <p className="mb-2 font-mono text-xs break-all">
                  {q.data.method} {q.data.url}
                </p>
                <Json value={q.data.request} />
              </div>
              <div>
                <h3 className="mb-1 text-sm font-medium">Response</h3>
                <Json value={q.data.response} />
              </div>
              {q.data.error && (
                <div>
                  <h3 className="mb-1 text-sm font-medium">Error</h3>
                  <p className="text-destructive text-sm">{q.data.error}</p>
                </div>
              )}
              {q.data.relatedType && (
                <p className="text-muted-foreground text-sm">
                  Related: {q.data.relatedType} {q.data.relatedId}
                </p>
              )}
            </>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}

export type { LogItem };

export function LogRows({ items, compact, onOpen }: { items: LogItem[]; compact?: boolean; onOpen: (id: string) => void }) {
  return (
    <Table aria-label="Integration logs">
      <TableHeader>
        <TableRow>
          <TableHead>Time</TableHead>
          <TableHead>Action</TableHead>
          <TableHead>Status</TableHead>
          {!compact && <TableHead className="hidden lg:table-cell">URL</TableHead>}
          <TableHead className="hidden sm:table-cell">Took</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((l) => (
          <TableRow key={l.id} className="cursor-pointer" onClick={() => onOpen(l.id)}>
            <TableCell className="whitespace-nowrap">
              <button type="button" className="text-left hover:underline" onClick={(e) => (e.stopPropagation(), onOpen(l.id))} aria-label={`Open log ${l.id}: ${l.action}`}>
                {formatDateTime(l.createdAt)}
              </button>
            </TableCell>
            <TableCell>
              <span className="flex items-center gap-1">
                {l.direction === "outbound" ? <ArrowUpRight className="text-muted-foreground size-3.5" aria-label="outbound" /> : <ArrowDownLeft className="text-muted-foreground size-3.5" aria-label="inbound" />}
                <span className="font-mono text-xs">{l.action}</span>
                {l.attempt > 1 && <Badge variant="muted">retry {l.attempt - 1}</Badge>}
              </span>
            </TableCell>
            <TableCell>
              <LogStatusBadge status={l.status} statusCode={l.statusCode} />
              {l.error && !compact && <span className="text-destructive ml-2 text-xs">{l.error}</span>}
            </TableCell>
            {!compact && <TableCell className="text-muted-foreground hidden max-w-md truncate font-mono text-xs lg:table-cell">{l.method} {l.url}</TableCell>}
            <TableCell className="hidden sm:table-cell">{formatDuration(l.durationMs)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function LogsTable({ query, compact }: { query: UseQueryResult<{ items: LogItem[] }>; compact?: boolean }) {
  const [open, setOpen] = React.useState<string | null>(null);
  if (query.isPending) return <Skeleton className="h-32" />;
  if (query.isError) return <p className="text-destructive text-sm">Could not load logs: {(query.error as Error).message}</p>;
  if (!query.data.items.length) return <EmptyState icon={<ScrollText />} title="No calls yet" />;
  return (
    <>
      <LogRows items={query.data.items} compact={compact} onOpen={setOpen} />
      <LogDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}
