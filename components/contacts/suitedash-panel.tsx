"use client";
// The SuiteDash tab (admins): which integration submissions go to and its mode (switched here
// with a PATCH of the integration's config, or on its settings page), Import mode's CSV
// headers (SuiteDash's own import template is unconfirmed: rename them to match it),
// "Generate export", and the export history with Download and "Mark as exported".
import * as React from "react";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { CheckCircle2, Download, FileSpreadsheet, Loader2, Settings } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/ui/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter, AlertDialogHeader, AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { formatDateTime } from "@/lib/format";
import type { ExportColumn, MarkedSuiteDashExport, SuiteDashExport, SuiteDashExportList, SuiteDashSettings } from "@/lib/suitedash/contract";
import { SandboxBadge } from "@/components/integrations/status";

const KEY = ["suitedash", "exports"];

export function SuiteDashPanel() {
  const q = useQuery({ queryKey: KEY, queryFn: () => api<SuiteDashExportList>("/api/v1/suitedash/exports") });
  if (q.isError)
    return (
      <Alert variant="destructive">
        <AlertDescription>
          Could not load the SuiteDash settings: {(q.error as Error).message}
          <Button variant="outline" size="sm" onClick={() => q.refetch()}>
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  if (q.isPending) return <Skeleton className="h-72" aria-label="Loading" />;
  const { settings, items } = q.data;
  return (
    <div className="grid gap-4">
      <ModeCard settings={settings} />
      {settings.mode !== "api" && <ColumnsCard key={JSON.stringify(settings.columns)} settings={settings} />}
      <ExportsCard items={items} settings={settings} />
    </div>
  );
}

function ModeCard({ settings }: { settings: SuiteDashSettings }) {
  const qc = useQueryClient();
  const i = settings.integration;
  const setMode = useMutation({
    mutationFn: (mode: "api" | "import") => api(`/api/v1/integrations/${i!.id}`, { method: "PATCH", json: { config: { mode } } }),
    onSuccess: (_d, mode) => {
      qc.invalidateQueries({ queryKey: KEY });
      toast.success(mode === "import" ? "Import mode: export CSVs here and import them in SuiteDash" : "API mode: submissions go to SuiteDash automatically");
    },
    onError: (e) => toast.error(`Could not change the mode: ${(e as Error).message}`),
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">SuiteDash</CardTitle>
        <CardDescription>
          {i ? (
            <>
              Submissions go to{" "}
              <Link href={`/integrations/${i.id}`} className="underline">
                {i.name}
              </Link>{" "}
              {i.mode === "sandbox" && <SandboxBadge />}
            </>
          ) : (
            "No SuiteDash integration is enabled: submissions are only stored (and can be exported as a CSV)."
          )}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {i ? (
          <div className="flex flex-wrap items-center justify-between gap-4 rounded-md border p-3">
            <div className="grid gap-1">
              <Label htmlFor="sd-mode">Import mode (CSV instead of the API)</Label>
              <p className="text-muted-foreground text-sm" data-testid="suitedash-mode">
                {settings.mode === "import" ? "Mode: Import — generate a CSV below and import it in SuiteDash" : "Mode: API — a worker creates or updates each contact in SuiteDash"}
              </p>
            </div>
            <div className="flex items-center gap-3">
              {setMode.isPending && <Loader2 className="text-muted-foreground size-4 animate-spin" aria-label="Saving" />}
              <Switch id="sd-mode" checked={settings.mode === "import"} disabled={setMode.isPending} onCheckedChange={(c) => setMode.mutate(c ? "import" : "api")} />
              <Button variant="outline" size="sm" asChild>
                <Link href={`/integrations/${i.id}/settings`}>
                  <Settings /> Settings
                </Link>
              </Button>
            </div>
          </div>
        ) : (
          <Button variant="outline" asChild className="justify-self-start">
            <Link href="/integrations/new">Connect SuiteDash</Link>
          </Button>
        )}
      </CardContent>
    </Card>
  );
}

function ColumnsCard({ settings }: { settings: SuiteDashSettings }) {
  const qc = useQueryClient();
  const [cols, setCols] = React.useState<ExportColumn[]>(settings.columns);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const i = settings.integration;
  const save = useMutation({
    mutationFn: () =>
      api(`/api/v1/integrations/${i!.id}`, {
        method: "PATCH",
        // only renamed columns are stored; an empty header falls back to the seed's name
        json: { config: { importColumns: Object.fromEntries(cols.filter((c) => c.header.trim() && c.header.trim() !== c.key).map((c) => [c.key, c.header.trim()])) } },
      }),
    onSuccess: () => {
      setErrors({});
      qc.invalidateQueries({ queryKey: KEY });
      toast.success("CSV headers saved");
    },
    onError: (e) => {
      if (e instanceof ClientApiError) setErrors(e.fieldErrors());
      toast.error(`Could not save the headers: ${(e as Error).message}`);
    },
  });
  const dupes = new Set(cols.map((c) => c.header.trim() || c.key).filter((h, n, all) => all.indexOf(h) !== n));
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">CSV headers</CardTitle>
        <CardDescription>Rename the columns to match SuiteDash&apos;s import template (empty = the default name).</CardDescription>
      </CardHeader>
      <CardContent>
        {!i ? (
          <p className="text-muted-foreground text-sm">Connect a SuiteDash integration to rename the columns; exports use the default names.</p>
        ) : (
          <form
            className="grid gap-3"
            aria-label="CSV headers"
            onSubmit={(e) => {
              e.preventDefault();
              if (!dupes.size) save.mutate();
            }}
          >
            <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
              {cols.map((c, n) => {
                const id = `sd-col-${n}`;
                const err = errors[`config.importColumns.${c.key}`] ?? (dupes.has(c.header.trim() || c.key) ? "Used twice" : undefined);
                return (
                  <div key={c.key} className="grid gap-1.5">
                    <Label htmlFor={id}>{c.key}</Label>
                    <Input
                      id={id}
                      value={c.header}
                      placeholder={c.key}
                      maxLength={100}
                      aria-invalid={!!err || undefined}
                      aria-describedby={err ? `${id}-error` : undefined}
                      onChange={(e) => setCols((all) => all.map((x) => (x.key === c.key ? { ...x, header: e.target.value } : x)))}
                    />
                    {err && (
                      <p id={`${id}-error`} role="alert" className="text-destructive text-sm">
                        {err}
                      </p>
                    )}
                  </div>
                );
              })}
            </div>
            <div className="flex gap-2">
              <Button type="submit" disabled={save.isPending || dupes.size > 0}>
                {save.isPending && <Loader2 className="animate-spin" />} Save headers
              </Button>
              <Button type="button" variant="outline" onClick={() => setCols(cols.map((c) => ({ ...c, header: c.key })))}>
                Default names
              </Button>
            </div>
          </form>
        )}
      </CardContent>
    </Card>
  );
}

function ExportsCard({ items, settings }: { items: SuiteDashExport[]; settings: SuiteDashSettings }) {
  const qc = useQueryClient();
  const [marking, setMarking] = React.useState<SuiteDashExport | null>(null);
  const generate = useMutation({
    mutationFn: () => api<SuiteDashExport>("/api/v1/suitedash/exports", { method: "POST" }),
    onSuccess: (e) => {
      qc.invalidateQueries({ queryKey: KEY });
      qc.invalidateQueries({ queryKey: ["contacts", "list"] });
      toast.success(`${e.fileName}: ${e.contactCount} contact${e.contactCount === 1 ? "" : "s"}`);
    },
    onError: (e) => toast.error((e as Error).message),
  });
  const mark = useMutation({
    mutationFn: (id: string) => api<MarkedSuiteDashExport>(`/api/v1/suitedash/exports/${id}/mark`, { method: "POST" }),
    onSuccess: (e) => {
      setMarking(null);
      qc.invalidateQueries({ queryKey: KEY });
      qc.invalidateQueries({ queryKey: ["contacts"] });
      toast.success(`${e.submissionsMarked} submission${e.submissionsMarked === 1 ? "" : "s"} marked as exported`);
    },
    onError: (e) => toast.error(`Could not mark the export: ${(e as Error).message}`),
  });
  const apiMode = settings.mode === "api";
  return (
    <Card>
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-3">
        <div className="grid gap-1.5">
          <CardTitle className="text-base">Export history</CardTitle>
          <CardDescription>
            {apiMode ? "Switch to Import mode to export CSVs." : "Each export holds every submission not yet synced or exported."}
          </CardDescription>
        </div>
        <Button onClick={() => generate.mutate()} disabled={apiMode || generate.isPending}>
          {generate.isPending ? <Loader2 className="animate-spin" /> : <FileSpreadsheet />} Generate export
        </Button>
      </CardHeader>
      <CardContent>
        {items.length === 0 ? (
          <EmptyState icon={<FileSpreadsheet />} title="No exports yet" />
        ) : (
          <Table aria-label="SuiteDash exports">
            <TableHeader>
              <TableRow>
                <TableHead>File</TableHead>
                <TableHead className="text-right">Contacts</TableHead>
                <TableHead className="hidden md:table-cell">Created</TableHead>
                <TableHead>Imported</TableHead>
                <TableHead className="text-right">Actions</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((e) => (
                <TableRow key={e.id} data-testid="export-row">
                  <TableCell className="font-mono text-xs">{e.fileName}</TableCell>
                  <TableCell className="text-right tabular-nums">{e.contactCount}</TableCell>
                  <TableCell className="hidden md:table-cell">
                    {formatDateTime(e.createdAt)}
                    {e.createdBy && <span className="text-muted-foreground block text-xs">{e.createdBy}</span>}
                  </TableCell>
                  <TableCell>
                    {e.markedAt ? (
                      <span className="flex items-center gap-1 text-sm">
                        <CheckCircle2 className="size-4 text-emerald-600" aria-hidden /> {formatDateTime(e.markedAt)}
                      </span>
                    ) : (
                      <Badge variant="muted">Not marked</Badge>
                    )}
                  </TableCell>
                  <TableCell className="text-right">
                    <div className="flex justify-end gap-2">
                      <Button variant="outline" size="sm" asChild>
                        <a href={`/api/v1/suitedash/exports/${e.id}/download`} download={e.fileName} aria-label={`Download ${e.fileName}`}>
                          <Download /> Download
                        </a>
                      </Button>
                      {!e.markedAt && (
                        <Button size="sm" variant="outline" onClick={() => setMarking(e)}>
                          Mark as exported
                        </Button>
                      )}
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
      <AlertDialog open={!!marking} onOpenChange={(o) => !o && setMarking(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Mark {marking?.fileName} as exported?</AlertDialogTitle>
            <AlertDialogDescription>
              Do this once SuiteDash has imported the file: its submissions not synced since become &quot;exported&quot; and leave the next exports.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction
              onClick={(ev) => {
                ev.preventDefault();
                if (marking) mark.mutate(marking.id);
              }}
              disabled={mark.isPending}
            >
              {mark.isPending && <Loader2 className="animate-spin" />} Mark as exported
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </Card>
  );
}
