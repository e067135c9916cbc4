"use client";
import * as React from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { ScrollText } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { EmptyState } from "@/components/ui/empty-state";
import { LogDrawer, LogRows, type LogItem } from "@/components/logs/logs-table";
import { IntegrationSelect, DateTimeFilter, ClearFiltersButton, FILTER_BAR } from "@/components/shared/filter-fields";
import { useUrlFilters, useDebouncedFilter } from "@/components/shared/url-filters";
import { PagedResults } from "@/components/shared/paged-results";

const FILTERS = ["integrationId", "action", "status", "direction", "from", "to", "q"] as const;

export function LogsExplorer({ canTest }: { canTest: boolean }) {
  const { filters, set: setFilter, clear } = useUrlFilters("/logs", FILTERS);
  const [text, setText] = useDebouncedFilter(filters.q, (v) => setFilter("q", v));
  const [open, setOpen] = React.useState<string | null>(null);

  const actions = useQuery({ queryKey: ["log-actions"], queryFn: () => api<{ items: string[] }>("/api/v1/logs/actions") });

  const logs = useInfiniteQuery({
    queryKey: ["logs", "explorer", filters],
    initialPageParam: "",
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ ...filters, limit: "50", ...(pageParam ? { cursor: pageParam } : {}) });
      return api<{ items: LogItem[]; nextCursor: string | null }>(`/api/v1/logs?${params}`);
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = logs.data?.pages.flatMap((p) => p.items) ?? [];
  const active = Object.keys(filters).length > 0;

  return (
    <>
      <PageHeader title="Logs" description="Every call between Switchboard and the providers, with redacted requests and responses." />
      <form className={FILTER_BAR} onSubmit={(e) => e.preventDefault()} aria-label="Log filters">
        <IntegrationSelect id="f-integration" value={filters.integrationId ?? ""} onChange={(v) => setFilter("integrationId", v)} />
        <div className="grid gap-1.5">
          <Label htmlFor="f-action">Action</Label>
          <NativeSelect id="f-action" value={filters.action ?? ""} onChange={(e) => setFilter("action", e.target.value)}>
            <option value="">All</option>
            {actions.data?.items.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="f-status">Status</Label>
          <NativeSelect id="f-status" value={filters.status ?? ""} onChange={(e) => setFilter("status", e.target.value)}>
            <option value="">All</option>
            <option value="success">Success</option>
            <option value="error">Error</option>
            <option value="expected">Expected (not a failure)</option>
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="f-direction">Direction</Label>
          <NativeSelect id="f-direction" value={filters.direction ?? ""} onChange={(e) => setFilter("direction", e.target.value)}>
            <option value="">Both</option>
            <option value="outbound">Outbound</option>
            <option value="inbound">Inbound</option>
          </NativeSelect>
        </div>
        <DateTimeFilter id="f-from" label="From" value={filters.from} onChange={(v) => setFilter("from", v)} />
        <DateTimeFilter id="f-to" label="To" value={filters.to} onChange={(v) => setFilter("to", v)} />
        <div className="grid gap-1.5">
          <Label htmlFor="f-q">Text</Label>
          <Input id="f-q" type="search" placeholder="URL, action, error, related id" value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="flex items-end">
          <ClearFiltersButton disabled={!active} onClick={() => {
              setText("");
              clear();
            }} />
        </div>
      </form>

      <PagedResults
        query={logs}
        count={items.length}
        what="logs"
        end="End of the log"
        empty={
          <EmptyState icon={<ScrollText />} title={active ? "No log entries match these filters" : "No provider calls yet"}>
            {!active && (canTest ? "Test an integration's connection and its calls appear here." : "Calls between Switchboard and the providers appear here as they happen.")}
          </EmptyState>
        }
      >
        <LogRows items={items} onOpen={setOpen} />
      </PagedResults>
      <LogDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}
