"use client";
// The provider calls made for one record (a payment, a subscription, a message): when, which
// call (and its method and URL), the error, the result badge and how long it took. One table
// for every screen that lists them, so they read alike.
import * as React from "react";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatDuration } from "@/lib/format";
import { LogStatusBadge } from "@/components/logs/log-status-badge";

export type ProviderCall = {
  id: string;
  createdAt: string;
  action: string;
  method?: string | null;
  url?: string | null;
  error?: string | null;
  status: string;
  statusCode: number | null;
  durationMs?: number | null;
};

export function ProviderCalls<L extends ProviderCall>({
  logs,
  className = "rounded-lg border",
  time = (iso) => formatDateTime(iso),
  more,
}: {
  logs: L[];
  /** the frame around the table */
  className?: string;
  /** how a call's time is written (a drawer about today leaves the date out) */
  time?: (iso: string) => string;
  /** anything shown under a call (e.g. the response) */
  more?: (l: L) => React.ReactNode;
}) {
  if (logs.length === 0) return <p className="text-muted-foreground text-sm">No calls yet.</p>;
  return (
    <div className={className}>
      <Table aria-label="Provider calls">
        <TableHeader>
          <TableRow>
            <TableHead>Time</TableHead>
            <TableHead>Call</TableHead>
            <TableHead>Result</TableHead>
            <TableHead className="hidden sm:table-cell">Took</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {logs.map((l) => (
            <TableRow key={l.id} className="align-top">
              <TableCell className="whitespace-nowrap">{time(l.createdAt)}</TableCell>
              <TableCell>
                <span className="font-mono text-xs">{l.action}</span>
                {l.url && (
                  <span className="text-muted-foreground block font-mono text-xs break-all">
                    {l.method} {l.url}
                  </span>
                )}
                {l.error && <span className="text-destructive block text-xs">{l.error}</span>}
                {more?.(l)}
              </TableCell>
              <TableCell>
                <LogStatusBadge status={l.status} statusCode={l.statusCode} http />
              </TableCell>
              <TableCell className="hidden tabular-nums sm:table-cell">{formatDuration(l.durationMs)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
