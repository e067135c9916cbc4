"use client";
// Filter fields the list screens share: the integration (logs, webhooks, jobs, on the one
// cached integrations query) and a point in time (local time in the input, ISO in the URL).
import { useQuery } from "@tanstack/react-query";
import { Loader2, RotateCcw } from "lucide-react";
import { Button } from "@/components/ui/button";
import { api } from "@/lib/client/api";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Input } from "@/components/ui/input";
import { fromLocalInput, toLocalInput } from "@/lib/format";
import type { Integration } from "@/components/integrations/types";

export function useIntegrations() {
  return useQuery({ queryKey: ["integrations", {}], queryFn: () => api<{ items: Integration[] }>("/api/v1/integrations") });
}

export function IntegrationSelect({ id, value, onChange, className }: { id: string; value: string; onChange: (id: string) => void; className?: string }) {
  const integrations = useIntegrations();
  return (
    <div className={className ?? "grid gap-1.5"}>
      <Label htmlFor={id}>Integration</Label>
      <NativeSelect id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All</option>
        {integrations.data?.items.map((i) => (
          <option key={i.id} value={i.id}>
            {i.name}
          </option>
        ))}
      </NativeSelect>
    </div>
  );
}

export function DateTimeFilter({ id, label, value, onChange }: { id: string; label: string; value: string | undefined; onChange: (iso: string) => void }) {
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} type="datetime-local" value={toLocalInput(value)} onChange={(e) => onChange(fromLocalInput(e.target.value))} />
    </div>
  );
}

/** The list screens' "Clear filters" button (disabled while nothing narrows the list). */
export function ClearFiltersButton({ disabled, onClick }: { disabled: boolean; onClick: () => void }) {
  return (
    <Button type="button" variant="outline" disabled={disabled} onClick={onClick}>
      <RotateCcw /> Clear filters
    </Button>
  );
}

/** A small spinner while a list that is already shown refetches. */
export function RefreshingSpinner({ query }: { query: { isFetching: boolean; isPending: boolean } }) {
  return query.isFetching && !query.isPending ? <Loader2 className="text-muted-foreground size-4 animate-spin" aria-label="Refreshing" /> : null;
}
