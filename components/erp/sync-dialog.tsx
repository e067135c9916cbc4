"use client";
// "Sync now": pick an entity type, find the company / driver / application / payment, send
// it to 1C at once and see what happened (created, updated, unchanged …) with its Ref_Key,
// or 1C's refusal in its own words.
import * as React from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Loader2, Send } from "lucide-react";
import { api } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { useDebounced } from "@/components/messages/shared";
import { syncFailure } from "@/components/erp/link-detail";
import { ENTITY_LABEL, EntityTypeOptions, OPERATION_LABEL, type EntityType } from "@/components/erp/shared";
import type { ErpEntitySearch, ErpSyncResult } from "@/lib/erp/contract";

export function SyncDialog({ open, onOpenChange, integrationId }: { open: boolean; onOpenChange: (o: boolean) => void; integrationId: string | null }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Sync to 1C now</DialogTitle>
          <DialogDescription>Sends one entity to 1C at once: created the first time, updated after that, skipped when nothing changed.</DialogDescription>
        </DialogHeader>
        {open && <SyncForm integrationId={integrationId} onClose={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function SyncForm({ integrationId, onClose }: { integrationId: string | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [type, setType] = React.useState<EntityType>("company");
  const [q, setQ] = React.useState("");
  const [picked, setPicked] = React.useState<ErpEntitySearch["items"][number] | null>(null);
  const query = useDebounced(q, 300);
  const found = useQuery({
    queryKey: ["erp", "entities", type, query],
    queryFn: () => api<ErpEntitySearch>(`/api/v1/erp/entities?${new URLSearchParams({ entityType: type, q: query, limit: "10" })}`),
  });
  const sync = useMutation({
    mutationFn: (id: string) =>
      api<ErpSyncResult>("/api/v1/erp/sync", { method: "POST", json: { entityType: type, entityId: id, ...(integrationId ? { integrationId } : {}) } }),
    onSettled: () => qc.invalidateQueries({ queryKey: ["erp", "links"] }),
  });
  const result = sync.data;

  return (
    <form
      className="grid gap-4"
      aria-label="Sync one entity"
      onSubmit={(e) => {
        e.preventDefault();
        if (picked) sync.mutate(picked.id);
      }}
    >
      <div className="grid gap-1.5">
        <Label htmlFor="erp-type">Entity type</Label>
        <NativeSelect
          id="erp-type"
          value={type}
          onChange={(e) => {
            setType(e.target.value as EntityType);
            setPicked(null);
            sync.reset();
          }}
        >
          <EntityTypeOptions />
        </NativeSelect>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="erp-q">Search</Label>
        <Input id="erp-q" type="search" placeholder="Name, number, tax id, phone…" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      <fieldset className="grid max-h-56 gap-1 overflow-y-auto rounded-md border p-2" aria-label="Matching entities">
        {found.isPending && <Loader2 className="text-muted-foreground size-4 animate-spin" aria-label="Searching" />}
        {found.isError && <p className="text-destructive text-sm">Could not search: {(found.error as Error).message}</p>}
        {found.data && found.data.items.length === 0 && <p className="text-muted-foreground text-sm">Nothing found.</p>}
        {found.data?.items.map((f) => (
          <label key={f.id} className="hover:bg-muted flex cursor-pointer items-start gap-2 rounded p-1.5 text-sm">
            <input
              type="radio"
              name="erp-entity"
              value={f.id}
              checked={picked?.id === f.id}
              onChange={() => {
                setPicked(f);
                sync.reset();
              }}
              className="mt-1"
              aria-label={f.label}
            />
            <span>
              <span className="font-medium">{f.label}</span>
              {f.detail && <span className="text-muted-foreground block text-xs">{f.detail}</span>}
            </span>
          </label>
        ))}
      </fieldset>

      {result && (
        <Alert data-testid="sync-result">
          <AlertTitle>{OPERATION_LABEL[result.operation] ?? result.operation}</AlertTitle>
          <AlertDescription>
            <p>{result.message}</p>
            {result.refKey && (
              <p>
                Ref_Key <span className="font-mono" data-testid="sync-ref-key">{result.refKey}</span>
              </p>
            )}
            {result.dependencies.length > 0 && (
              <p>Synced first: {result.dependencies.map((d) => `${ENTITY_LABEL[d.entityType]} (${OPERATION_LABEL[d.operation] ?? d.operation})`).join(", ")}</p>
            )}
          </AlertDescription>
        </Alert>
      )}
      {sync.isError && (
        <Alert variant="destructive" data-testid="sync-error">
          <AlertTitle>1C sync failed</AlertTitle>
          <AlertDescription>{syncFailure(sync.error)}</AlertDescription>
        </Alert>
      )}

      <DialogFooter>
        <Button type="button" variant="outline" onClick={onClose}>
          Close
        </Button>
        <Button type="submit" disabled={!picked || sync.isPending}>
          {sync.isPending ? <Loader2 className="animate-spin" /> : <Send />} Sync to 1C
        </Button>
      </DialogFooter>
    </form>
  );
}
