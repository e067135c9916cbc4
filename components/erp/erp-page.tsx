"use client";
// 1C sync: the links between CRM entities and 1C objects (counts by status as filters, the
// entity type, keyset "Load older"), a drawer per link with its sync log, "Sync now" for one
// entity and Retry for failed ones (operators), and the effective mapping of the selected
// 1C integration. Filters live in the URL.
import * as React from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Database, Loader2, RefreshCw, Send } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { PagedResults } from "@/components/shared/paged-results";
import { useUrlFilters } from "@/components/shared/url-filters";
import { formatDateTime, timeAgo } from "@/lib/format";
import { LinkDetailSheet, syncFailure } from "@/components/erp/link-detail";
import { SyncDialog } from "@/components/erp/sync-dialog";
import { MappingCard } from "@/components/erp/mapping-card";
import { ClearFiltersButton, RefreshingSpinner } from "@/components/shared/filter-fields";
import { ENTITY_LABEL, EntityTypeOptions, LINK_STATUSES, LINK_STATUS_STYLE, LinkStatusBadge, OPERATION_LABEL } from "@/components/erp/shared";
import type { ErpLink, ErpLinkList, ErpMapping, ErpSyncResult } from "@/lib/erp/contract";
import { SandboxBadge } from "@/components/integrations/status";

const FILTERS = ["status", "entityType", "integration"] as const;

export function ErpPage({ canSync, canConfigure }: { canSync: boolean; canConfigure: boolean }) {
  const { filters, set: setParam } = useUrlFilters("/erp", FILTERS);
  const router = useRouter();
  // the filters go, the chosen integration stays
  const clear = () => router.replace(filters.integration ? `/erp?${new URLSearchParams({ integration: filters.integration })}` : "/erp", { scroll: false });
  const [open, setOpen] = React.useState<string | null>(null);
  const [syncing, setSyncing] = React.useState(false);

  const mapping = useQuery({
    queryKey: ["erp", "mapping", filters.integration ?? ""],
    queryFn: () => api<ErpMapping>(`/api/v1/erp/mapping${filters.integration ? `?integrationId=${filters.integration}` : ""}`),
  });
  const integrationId = mapping.data?.integrationId ?? null;
  const integrations = mapping.data?.integrations ?? [];
  const current = integrations.find((i) => i.id === integrationId);

  const actions = (
    <>
      {integrations.length > 1 && (
        <div className="flex items-center gap-2">
          <Label htmlFor="erp-integration">1C integration</Label>
          <NativeSelect id="erp-integration" value={integrationId ?? ""} onChange={(e) => setParam("integration", e.target.value || null)}>
            {integrations.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </NativeSelect>
        </div>
      )}
      {canSync && integrationId && (
        <Button onClick={() => setSyncing(true)}>
          <Send /> Sync now
        </Button>
      )}
    </>
  );

  return (
    <>
      <PageHeader
        title="1C sync"
        description="Companies, drivers, applications and payments written to 1C:Enterprise through its OData interface, each linked to its 1C object by Ref_Key."
        actions={actions}
      />
      {mapping.isError ? (
        <Alert variant="destructive">
          <AlertDescription>
            Could not load the 1C settings: {(mapping.error as Error).message}
            <Button variant="outline" size="sm" onClick={() => mapping.refetch()}>
              Try again
            </Button>
          </AlertDescription>
        </Alert>
      ) : mapping.isPending ? (
        <Skeleton className="h-40" aria-label="Loading" />
      ) : integrations.length === 0 ? (
        <EmptyState icon={<Database />} title="No 1C integration yet">
          {canConfigure ? (
            <>
              Add a <Link className="underline" href="/integrations/new?provider=onec">1C:Enterprise (OData)</Link> integration (its sandbox works without a 1C server), then
              sync entities from here.
            </>
          ) : (
            "An admin adds a 1C:Enterprise (OData) integration on the Integrations page."
          )}
        </EmptyState>
      ) : (
        <div className="grid gap-6">
          {current && (
            <p className="text-muted-foreground flex flex-wrap items-center gap-2 text-sm" data-testid="erp-integration">
              <span className="text-foreground font-medium">{current.name}</span>
              {current.mode === "sandbox" && <SandboxBadge />}
              {current.status === "inactive" && <Badge variant="muted">Disabled</Badge>}
              <span>
                Automatic sync: {current.autoSync && current.syncIntervalMinutes ? `every ${current.syncIntervalMinutes} min` : "off"} · last run {timeAgo(current.lastSyncAt)}
              </span>
            </p>
          )}
          <Links integrationId={integrationId} filters={filters} setParam={setParam} clear={clear} onOpen={setOpen} canSync={canSync} />
          {mapping.data && <MappingCard view={mapping.data} canConfigure={canConfigure} />}
        </div>
      )}
      <LinkDetailSheet id={open} onClose={() => setOpen(null)} canSync={canSync} />
      <SyncDialog open={syncing} onOpenChange={setSyncing} integrationId={integrationId} />
    </>
  );
}

function Links({
  integrationId,
  filters,
  setParam,
  clear,
  onOpen,
  canSync,
}: {
  integrationId: string | null;
  filters: Partial<Record<(typeof FILTERS)[number], string>>;
  setParam: (k: string, v: string | null) => void;
  clear: () => void;
  onOpen: (id: string) => void;
  canSync: boolean;
}) {
  const params = { ...(integrationId ? { integrationId } : {}), ...(filters.status ? { status: filters.status } : {}), ...(filters.entityType ? { entityType: filters.entityType } : {}) };
  const list = useInfiniteQuery({
    queryKey: ["erp", "links", params],
    initialPageParam: "",
    queryFn: ({ pageParam }) => api<ErpLinkList>(`/api/v1/erp/links?${new URLSearchParams({ ...params, limit: "50", ...(pageParam ? { cursor: pageParam } : {}) })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((i) => i.status === "pending")) ? 3000 : 30_000),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const counts = list.data?.pages[0]?.counts;
  const active = !!(filters.status || filters.entityType);

  return (
    <section aria-label="Links" className="grid gap-4">
      <div className="flex flex-wrap items-end gap-2">
        <div className="flex flex-wrap gap-2" role="group" aria-label="Links by status">
          {LINK_STATUSES.map((s) => {
            const selected = filters.status === s;
            return (
              <Button key={s} variant={selected ? "default" : "outline"} size="sm" aria-pressed={selected} onClick={() => setParam("status", selected ? null : s)}>
                <span className="inline-block size-2 rounded-full" style={{ background: LINK_STATUS_STYLE[s].color }} aria-hidden />
                {LINK_STATUS_STYLE[s].label}
                <span className="tabular-nums" data-testid={`count-${s}`}>
                  {counts ? counts[s] : "…"}
                </span>
              </Button>
            );
          })}
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="erp-filter-type">Entity</Label>
          <NativeSelect id="erp-filter-type" value={filters.entityType ?? ""} onChange={(e) => setParam("entityType", e.target.value || null)}>
            <option value="">All</option>
            <EntityTypeOptions />
          </NativeSelect>
        </div>
        <ClearFiltersButton disabled={!active} onClick={clear} />
        <RefreshingSpinner query={list} />
      </div>
      <PagedResults
        query={list}
        count={items.length}
        what="links"
        end="No older links"
        empty={
          <EmptyState icon={<Database />} title={active ? "No links match these filters" : "Nothing synced to 1C yet"}>
            {!active && (canSync ? "Use “Sync now”, POST /api/v1/erp/sync, or the integration's automatic sync: each entity sent appears here with its Ref_Key." : "Each company, driver, application or payment sent to 1C appears here with its Ref_Key.")}
          </EmptyState>
        }
      >
        <LinkRows items={items} onOpen={onOpen} canSync={canSync} />
      </PagedResults>
    </section>
  );
}

function RetryButton({ link }: { link: ErpLink }) {
  const qc = useQueryClient();
  const retry = useMutation({
    mutationFn: () => api<ErpSyncResult>(`/api/v1/erp/links/${link.id}/retry`, { method: "POST" }),
    onSuccess: (r) => toast.success(`${OPERATION_LABEL[r.operation] ?? r.operation}${r.refKey ? `: ${r.refKey}` : ""}`),
    onError: (e) => toast.error(`1C refused: ${syncFailure(e)}`),
    onSettled: () => qc.invalidateQueries({ queryKey: ["erp"] }),
  });
  // the row opens the link's drawer: clicks here, in the dialog too (a React portal), stay here
  return (
    <span onClick={(e) => e.stopPropagation()}>
      <ConfirmDialog
        trigger={
          <Button size="sm" variant="outline" disabled={retry.isPending} aria-label={`Retry ${link.entityLabel ?? link.entityId}`}>
            {retry.isPending ? <Loader2 className="animate-spin" /> : <RefreshCw />} Retry
          </Button>
        }
        title={`Send ${link.entityLabel ?? ENTITY_LABEL[link.entityType].toLowerCase()} to 1C again?`}
        description={`Its ${link.object} record in 1C is ${link.refKey ? "updated" : "created"} now with the current data.`}
        confirmLabel="Retry"
        onConfirm={() => retry.mutate()}
      />
    </span>
  );
}

function LinkRows({ items, onOpen, canSync }: { items: ErpLink[]; onOpen: (id: string) => void; canSync: boolean }) {
  return (
    <Table aria-label="1C links">
      <TableHeader>
        <TableRow>
          <TableHead>Entity</TableHead>
          <TableHead className="hidden md:table-cell">1C object</TableHead>
          <TableHead>Ref_Key</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="hidden lg:table-cell">Attempts</TableHead>
          <TableHead className="hidden md:table-cell">Last synced</TableHead>
          {canSync && <TableHead className="sr-only">Actions</TableHead>}
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((l) => (
          <TableRow key={l.id} className="cursor-pointer" onClick={() => onOpen(l.id)} data-testid="erp-link-row">
            <TableCell>
              <button
                type="button"
                className="text-left font-medium hover:underline"
                onClick={(e) => {
                  e.stopPropagation();
                  onOpen(l.id);
                }}
              >
                {l.entityLabel ?? <span className="text-muted-foreground">deleted {ENTITY_LABEL[l.entityType].toLowerCase()}</span>}
              </button>
              <span className="text-muted-foreground block text-xs">{ENTITY_LABEL[l.entityType]}</span>
            </TableCell>
            <TableCell className="hidden md:table-cell">
              <span className="block max-w-56 truncate font-mono text-xs" title={l.object}>
                {l.object}
              </span>
            </TableCell>
            <TableCell>
              {l.refKey ? <span className="font-mono text-xs break-all">{l.refKey}</span> : <span className="text-muted-foreground">—</span>}
            </TableCell>
            <TableCell>
              <LinkStatusBadge status={l.status} />
              {l.status === "failed" && l.lastError && (
                <span className="text-destructive mt-1 block max-w-72 truncate text-xs" title={l.lastError}>
                  {l.lastError}
                </span>
              )}
            </TableCell>
            <TableCell className="hidden tabular-nums lg:table-cell">
              {l.attempts}
              {l.status === "failed" && (
                <span className="text-muted-foreground block text-xs">{l.nextAttemptAt ? `next ${timeAgo(l.nextAttemptAt)}` : "no auto retry"}</span>
              )}
            </TableCell>
            <TableCell className="hidden whitespace-nowrap md:table-cell">{formatDateTime(l.lastSyncedAt)}</TableCell>
            {canSync && <TableCell>{l.status === "failed" && <RetryButton link={l} />}</TableCell>}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
