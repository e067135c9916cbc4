"use client";
// Exports: choose what (type), how (format) and which rows (status, dates); small exports
// download at once, large ones run as a job whose progress bar fills while the history polls.
// The history lists every export with its rows, size, who and when, Download and Delete.
import * as React from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Download, FileDown, Loader2, Trash2 } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Progress } from "@/components/ui/progress";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, fromLocalInput, timeAgo } from "@/lib/format";
import type { ExportTypeInfo } from "@/lib/exports/sources";

type ExportJob = {
  id: string;
  type: string;
  label: string;
  format: "csv" | "xlsx" | "pdf" | "json";
  status: "queued" | "running" | "completed" | "failed" | "expired";
  rowsTotal: number | null;
  rowsDone: number;
  progress: number;
  sizeBytes: number | null;
  fileName: string | null;
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
  expiresAt: string | null;
};

const FORMAT_LABEL = { csv: "CSV", xlsx: "Excel (XLSX)", pdf: "PDF", json: "JSON" } as const;
const STATUS_STYLE: Record<ExportJob["status"], "secondary" | "default" | "destructive" | "outline"> = {
  queued: "outline",
  running: "secondary",
  completed: "default",
  failed: "destructive",
  expired: "outline",
};

function bytes(n: number | null) {
  if (n === null) return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** Saves a Response body as a file in the browser. */
async function save(res: Response, fallback: string) {
  const cd = res.headers.get("content-disposition") ?? "";
  const name = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(cd)?.[1] ?? /filename="([^"]+)"/.exec(cd)?.[1] ?? fallback);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function NewExport({ types, inlineRows, maxRows, delimiter }: { types: ExportTypeInfo[]; inlineRows: number; maxRows: number; delimiter: string }) {
  const qc = useQueryClient();
  const [type, setType] = React.useState<string>(types[0]?.id ?? "applications");
  const [format, setFormat] = React.useState<ExportJob["format"]>("csv");
  const [status, setStatus] = React.useState("");
  const [from, setFrom] = React.useState("");
  const [to, setTo] = React.useState("");
  const [sep, setSep] = React.useState(delimiter === "\t" ? "tab" : delimiter);
  const [message, setMessage] = React.useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const info = types.find((t) => t.id === type)!;
  const run = useMutation({
    mutationFn: async () => {
      const filters: Record<string, unknown> = {};
      if (status) filters.status = [status];
      if (info.dates && from) filters.from = fromLocalInput(from);
      if (info.dates && to) filters.to = fromLocalInput(to);
      const res = await fetch("/api/v1/exports", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ type, format, filters, ...(format === "csv" ? { delimiter: sep } : {}) }),
      });
      if (res.status === 200) {
        await save(res, `${type}.${format}`);
        return "downloaded" as const;
      }
      const body = await res.json().catch(() => ({}));
      if (res.status === 202) return "queued" as const;
      throw new ClientApiError(res.status, body?.error?.code ?? "http_error", body?.error?.message ?? `Export failed (${res.status})`, body?.error?.details);
    },
    onSuccess: async (r) => {
      setMessage({ kind: "ok", text: r === "downloaded" ? "Downloaded. It is also kept in the history below." : "Large export: it runs in the background; watch its progress below." });
      await qc.invalidateQueries({ queryKey: ["exports"] });
    },
    onError: (e) => setMessage({ kind: "error", text: (e as Error).message }),
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle>New export</CardTitle>
        <CardDescription>
          Up to {inlineRows.toLocaleString("en")} rows download at once; more run in the background (at most {maxRows.toLocaleString("en")}).
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3"
          onSubmit={(e) => {
            e.preventDefault();
            setMessage(null);
            run.mutate();
          }}
        >
          <div className="grid gap-2">
            <Label htmlFor="export-type">Data</Label>
            <NativeSelect id="export-type" value={type} onChange={(e) => (setType(e.target.value), setStatus(""))}>
              {types.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="grid gap-2">
            <Label htmlFor="export-format">Format</Label>
            <NativeSelect id="export-format" value={format} onChange={(e) => setFormat(e.target.value as ExportJob["format"])}>
              {Object.entries(FORMAT_LABEL).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </NativeSelect>
          </div>
          {format === "csv" && (
            <div className="grid gap-2">
              <Label htmlFor="export-delimiter">CSV delimiter</Label>
              <NativeSelect id="export-delimiter" value={sep} onChange={(e) => setSep(e.target.value)}>
                <option value=";">Semicolon (Excel, RU/EU)</option>
                <option value=",">Comma</option>
                <option value="tab">Tab</option>
                <option value="|">Pipe</option>
              </NativeSelect>
            </div>
          )}
          {info.statuses.length > 0 && (
            <div className="grid gap-2">
              <Label htmlFor="export-status">Status</Label>
              <NativeSelect id="export-status" value={status} onChange={(e) => setStatus(e.target.value)}>
                <option value="">Any</option>
                {info.statuses.map((s) => (
                  <option key={s} value={s}>
                    {s.replace(/_/g, " ")}
                  </option>
                ))}
              </NativeSelect>
            </div>
          )}
          {info.dates && (
            <>
              <div className="grid gap-2">
                <Label htmlFor="export-from">From</Label>
                <Input id="export-from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
              </div>
              <div className="grid gap-2">
                <Label htmlFor="export-to">Until</Label>
                <Input id="export-to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
              </div>
            </>
          )}
          <div className="flex items-end sm:col-span-2 lg:col-span-3">
            <Button type="submit" disabled={run.isPending}>
              {run.isPending ? <Loader2 className="animate-spin" /> : <FileDown />} Export
            </Button>
          </div>
          {message && (
            <Alert variant={message.kind === "error" ? "destructive" : "default"} className="sm:col-span-2 lg:col-span-3" role={message.kind === "error" ? "alert" : "status"}>
              <AlertDescription>{message.text}</AlertDescription>
            </Alert>
          )}
        </form>
      </CardContent>
    </Card>
  );
}

function History({ canCreate }: { canCreate: boolean }) {
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ["exports"],
    queryFn: () => api<{ items: ExportJob[] }>("/api/v1/exports?limit=100"),
    refetchInterval: (q) => (q.state.data?.items.some((j) => j.status === "queued" || j.status === "running") ? 700 : 15_000),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/api/v1/exports/${id}`, { method: "DELETE" }),
    onSettled: () => qc.invalidateQueries({ queryKey: ["exports"] }),
  });
  if (list.isPending) return <Skeleton className="h-40" />;
  if (list.isError)
    return (
      <Alert variant="destructive">
        <AlertDescription>
          Could not load the exports: {(list.error as Error).message}{" "}
          <Button variant="link" className="h-auto p-0" onClick={() => list.refetch()}>
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  if (!list.data.items.length) return <EmptyState icon={<Download />} title="No exports yet">Exports you run appear here, with their files until they expire.</EmptyState>;
  return (
    <div className="rounded-lg border">
      <Table aria-label="Export history">
        <TableHeader>
          <TableRow>
            <TableHead>Data</TableHead>
            <TableHead>Status</TableHead>
            <TableHead className="hidden md:table-cell">Rows</TableHead>
            <TableHead className="hidden md:table-cell">Size</TableHead>
            <TableHead className="hidden lg:table-cell">By</TableHead>
            <TableHead>When</TableHead>
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {list.data.items.map((j) => (
            <TableRow key={j.id} data-export-id={j.id}>
              <TableCell>
                <div className="font-medium">{j.label}</div>
                <div className="text-muted-foreground text-xs">{FORMAT_LABEL[j.format]}</div>
              </TableCell>
              <TableCell className="min-w-40">
                <Badge variant={STATUS_STYLE[j.status]}>{j.status}</Badge>
                {(j.status === "queued" || j.status === "running") && (
                  <div className="mt-2 grid gap-1">
                    <Progress value={Math.round(j.progress * 100)} aria-label={`Export progress: ${j.label}`} />
                    <span className="text-muted-foreground text-xs">
                      {j.rowsDone.toLocaleString("en")} of {(j.rowsTotal ?? 0).toLocaleString("en")} rows
                    </span>
                  </div>
                )}
                {j.status === "failed" && <div className="text-destructive mt-1 max-w-72 text-xs">{j.error}</div>}
              </TableCell>
              <TableCell className="hidden md:table-cell tabular-nums">{(j.rowsTotal ?? j.rowsDone).toLocaleString("en")}</TableCell>
              <TableCell className="hidden md:table-cell tabular-nums">{bytes(j.sizeBytes)}</TableCell>
              <TableCell className="hidden lg:table-cell">{j.createdBy ?? "—"}</TableCell>
              <TableCell>
                <span title={formatDateTime(j.createdAt)}>{timeAgo(j.createdAt)}</span>
                {j.status === "completed" && j.expiresAt && <div className="text-muted-foreground text-xs">expires {formatDateTime(j.expiresAt)}</div>}
              </TableCell>
              <TableCell className="text-right whitespace-nowrap">
                {j.status === "completed" && (
                  <Button asChild size="sm" variant="outline">
                    <a href={`/api/v1/exports/${j.id}/download`} download>
                      <Download /> Download
                    </a>
                  </Button>
                )}
                {canCreate && j.status !== "running" && (
                  <Button size="icon" variant="ghost" aria-label={`Delete export ${j.label} ${formatDateTime(j.createdAt)}`} disabled={remove.isPending} onClick={() => remove.mutate(j.id)}>
                    <Trash2 />
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

export function ExportsPage(props: { types: ExportTypeInfo[]; canCreate: boolean; inlineRows: number; maxRows: number; ttlHours: number; delimiter: string }) {
  return (
    <>
      <PageHeader title="Exports" description={`Orders, drivers, vehicles, payments, contacts, messages and logs as CSV, Excel, PDF or JSON. Files stay downloadable for ${props.ttlHours} hours.`} />
      <div className="grid gap-6">
        {props.canCreate && <NewExport types={props.types} inlineRows={props.inlineRows} maxRows={props.maxRows} delimiter={props.delimiter} />}
        <section aria-labelledby="export-history" className="grid gap-3">
          <h2 id="export-history" className="text-lg font-semibold">
            History
          </h2>
          <History canCreate={props.canCreate} />
        </section>
      </div>
    </>
  );
}
