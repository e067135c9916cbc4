"use client";
import * as React from "react";
import { useRouter, useSearchParams } from "next/navigation";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Loader2, RotateCcw, ScrollText } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { LogDrawer, LogRows, type LogItem } from "@/components/logs/logs-table";
import type { Integration } from "@/components/integrations/types";
import { toLocalInput, fromLocalInput } from "@/lib/format";

const FILTERS = ["integrationId", "action", "status", "direction", "from", "to", "q"] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;


export function LogsExplorer() {
  const router = useRouter();
  const sp = useSearchParams();
  const filters: Filters = Object.fromEntries(FILTERS.map((k) => [k, sp.get(k) ?? ""]).filter(([, v]) => v));
  const [text, setText] = React.useState(filters.q ?? "");
  const [open, setOpen] = React.useState<string | null>(null);

  const setFilter = (k: keyof Filters, v: string) => {
    const next = new URLSearchParams(sp.toString());
    if (v) next.set(k, v);
    else next.delete(k);
    router.replace(`/logs?${next.toString()}`, { scroll: false });
  };

  // the text filter applies after a pause in typing
  React.useEffect(() => {
    const t = setTimeout(() => {
      if ((filters.q ?? "") !== text.trim()) setFilter("q", text.trim());
    }, 400);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  const integrations = useQuery({ queryKey: ["integrations", {}], queryFn: () => api<{ items: Integration[] }>("/api/v1/integrations") });
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
      <form className="mb-4 grid gap-3 rounded-lg border p-3 sm:grid-cols-2 lg:grid-cols-4" onSubmit={(e) => e.preventDefault()} aria-label="Log filters">
        <div className="grid gap-1.5">
          <Label htmlFor="f-integration">Integration</Label>
          <NativeSelect id="f-integration" value={filters.integrationId ?? ""} onChange={(e) => setFilter("integrationId", e.target.value)}>
            <option value="">All</option>
            {integrations.data?.items.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </NativeSelect>
        </div>
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
        <div className="grid gap-1.5">
          <Label htmlFor="f-from">From</Label>
          <Input id="f-from" type="datetime-local" value={toLocalInput(filters.from)} onChange={(e) => setFilter("from", fromLocalInput(e.target.value))} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="f-to">To</Label>
          <Input id="f-to" type="datetime-local" value={toLocalInput(filters.to)} onChange={(e) => setFilter("to", fromLocalInput(e.target.value))} />
        </div>
        <div className="grid gap-1.5 sm:col-span-2 lg:col-span-1">
          <Label htmlFor="f-q">Text</Label>
          <Input id="f-q" type="search" placeholder="URL, action, error, related id" value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="flex items-end">
          <Button
            type="button"
            variant="outline"
            disabled={!active}
            onClick={() => {
              setText("");
              router.replace("/logs", { scroll: false });
            }}
          >
            <RotateCcw /> Clear filters
          </Button>
        </div>
      </form>

      {logs.isError ? (
        <Alert variant="destructive">
          <AlertDescription>Could not load logs: {(logs.error as Error).message}</AlertDescription>
        </Alert>
      ) : logs.isPending ? (
        <div className="grid gap-2" aria-label="Loading">
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} className="h-10" />
          ))}
        </div>
      ) : items.length === 0 ? (
        <EmptyState icon={<ScrollText />} title={active ? "No log entries match these filters" : "No provider calls yet"}>
          {!active && "Test an integration's connection and its calls appear here."}
        </EmptyState>
      ) : (
        <div className="rounded-lg border">
          <LogRows items={items} onOpen={setOpen} />
          <div className="flex items-center justify-between border-t p-3 text-sm">
            <span className="text-muted-foreground">{items.length} shown, newest first</span>
            {logs.hasNextPage ? (
              <Button variant="outline" onClick={() => logs.fetchNextPage()} disabled={logs.isFetchingNextPage}>
                {logs.isFetchingNextPage && <Loader2 className="animate-spin" />} Load older
              </Button>
            ) : (
              <span className="text-muted-foreground">End of the log</span>
            )}
          </div>
        </div>
      )}
      <LogDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}
