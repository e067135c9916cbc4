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
import type { Integration } from "@/lib/integrations/contract";

/**
 * The list screens' filter bar: as many columns as fit at 15rem or more, so every field, the
 * date-time inputs with their calendar button included, has the width its content needs at any
 * window size. A row that spans the bar uses `col-span-full`.
 */
export const FILTER_BAR = "mb-4 grid grid-cols-[repeat(auto-fill,minmax(min(100%,15rem),1fr))] gap-3 rounded-lg border p-3";

export function useIntegrations() {
  return useQuery({ queryKey: ["integrations", {}], queryFn: () => api<{ items: Integration[] }>("/api/v1/integrations") });
}

/** `only`: the integrations that belong on this page (Messages lists only messaging ones) */
export function IntegrationSelect({
  id,
  value,
  onChange,
  className,
  only,
}: {
  id: string;
  value: string;
  onChange: (id: string) => void;
  className?: string;
  only?: (i: Integration) => boolean;
}) {
  const integrations = useIntegrations();
  const items = (integrations.data?.items ?? []).filter((i) => !only || only(i) || i.id === value);
  return (
    <div className={className ?? "grid gap-1.5"}>
      <Label htmlFor={id}>Integration</Label>
      <NativeSelect id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All</option>
        {items.map((i) => (
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
      <Input id={id} type="datetime-local" data-filter="datetime" value={toLocalInput(value)} onChange={(e) => onChange(fromLocalInput(e.target.value))} />
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
