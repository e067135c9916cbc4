"use client";
import * as React from "react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { Plug, Plus, Search } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { ModeBadge, StatusBadge, TestResultBadge } from "@/components/integrations/status";
import type { Integration } from "@/lib/integrations/contract";
import { timeAgo } from "@/lib/format";

export function IntegrationsList({ canWrite }: { canWrite: boolean }) {
  const [q, setQ] = React.useState("");
  const sp = useSearchParams();
  const [status, setStatus] = React.useState(sp.get("status") ?? "");
  const query = useQuery({
    queryKey: ["integrations", { status }],
    queryFn: () => api<{ items: Integration[] }>(`/api/v1/integrations${status ? `?status=${status}` : ""}`),
    refetchInterval: 15_000,
  });
  const items = (query.data?.items ?? []).filter(
    (i) => !q || i.name.toLowerCase().includes(q.toLowerCase()) || i.code.includes(q.toLowerCase()) || i.providerName.toLowerCase().includes(q.toLowerCase()),
  );

  return (
    <>
      <PageHeader
        title="Integrations"
        description="Every provider connection: its mode, health and last connection test."
        actions={
          canWrite && (
            <Button asChild>
              <Link href="/integrations/new">
                <Plus /> New integration
              </Link>
            </Button>
          )
        }
      />
      <div className="mb-4 flex flex-col gap-2 sm:flex-row">
        <div className="relative flex-1">
          <Search className="text-muted-foreground absolute top-1/2 left-2.5 size-4 -translate-y-1/2" aria-hidden />
          <Input aria-label="Search integrations" placeholder="Search by name, code or provider" value={q} onChange={(e) => setQ(e.target.value)} className="pl-8" />
        </div>
        <NativeSelect aria-label="Filter by status" value={status} onChange={(e) => setStatus(e.target.value)} className="sm:w-48">
          <option value="">All statuses</option>
          <option value="active">Active</option>
          <option value="error">Error</option>
          <option value="testing">Not tested</option>
          <option value="inactive">Disabled</option>
        </NativeSelect>
      </div>
      {query.isError ? (
        <Alert variant="destructive">
          <AlertDescription>Could not load integrations: {(query.error as Error).message}</AlertDescription>
        </Alert>
      ) : query.isPending ? (
        <div className="grid gap-2" aria-label="Loading">
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-12" />
          ))}
        </div>
      ) : items.length === 0 ? (
        <EmptyState icon={<Plug />} title={query.data?.items.length ? "Nothing matches the filter" : "No integrations yet"}>
          {canWrite && !query.data?.items.length ? (
            <>
              Connect a provider to start. <Link className="text-primary underline" href="/integrations/new">Create the first integration</Link>.
            </>
          ) : null}
        </EmptyState>
      ) : (
        <div className="rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Provider</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Mode</TableHead>
                <TableHead className="hidden md:table-cell">Last test</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((i) => (
                <TableRow key={i.id}>
                  <TableCell>
                    <Link href={`/integrations/${i.id}`} className="font-medium hover:underline">
                      {i.name}
                    </Link>
                    <div className="text-muted-foreground font-mono text-xs">{i.code}</div>
                  </TableCell>
                  <TableCell>
                    {i.providerName}
                    <div className="text-muted-foreground text-xs">{i.category}</div>
                  </TableCell>
                  <TableCell>
                    <StatusBadge status={i.status} />
                  </TableCell>
                  <TableCell>
                    <ModeBadge mode={i.mode} />
                  </TableCell>
                  <TableCell className="hidden max-w-sm md:table-cell">
                    {i.lastTest ? (
                      <div className="flex flex-col gap-1">
                        <span className="flex items-center gap-2">
                          <TestResultBadge ok={i.lastTest.ok} />
                          <span className="text-muted-foreground text-xs">{timeAgo(i.lastTest.at)}</span>
                        </span>
                        <span className="text-muted-foreground truncate text-xs" title={i.lastTest.message ?? ""}>
                          {i.lastTest.message}
                        </span>
                      </div>
                    ) : (
                      <TestResultBadge ok={null} />
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
