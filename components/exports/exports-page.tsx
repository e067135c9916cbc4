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
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Progress } from "@/components/ui/progress";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, fromLocalInput, timeAgo } from "@/lib/format";
import type { ExportTypeInfo } from "@/lib/exports/sources";
import { checkExportFilters, createExportInput, type ExportJob, type ExportList } from "@/lib/exports/contract";
import { checkForm, focusFirstInvalid } from "@/lib/client/form";
import { FieldError } from "@/components/integrations/schema-fields";

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

type ExportField = "type" | "format" | "delimiter" | "status" | "from" | "to";

/** API field paths → the form's fields */
function exportFieldOf(path: string): ExportField | null {
  const p = path.replace(/^body\./, "");
  if (p === "type" || p === "format" || p === "delimiter") return p;
  if (p.startsWith("filters.status")) return "status";
  if (p === "filters.from" || p === "filters.date_from") return "from";
  if (p === "filters.to" || p === "filters.date_to") return "to";
  return null;
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
  const [errors, setErrors] = React.useState<Partial<Record<ExportField, string>>>({});
  const formRef = React.useRef<HTMLFormElement>(null);
  const info = types.find((t) => t.id === type)!;

  function bodyOf() {
    const filters: Record<string, unknown> = {};
    if (status) filters.status = [status];
    if (info.dates && from) filters.from = fromLocalInput(from);
    if (info.dates && to) filters.to = fromLocalInput(to);
    return { type, format, filters, ...(format === "csv" ? { delimiter: sep } : {}) };
  }

  function showErrors(next: Partial<Record<ExportField, string>>, form: string | null) {
    setErrors(next);
    setMessage(form ? { kind: "error", text: form } : null);
    focusFirstInvalid(formRef.current);
  }

  /** every field checked at once with the API's own rules; nothing is sent while one is wrong */
  function submit() {
    setMessage(null);
    const body = bodyOf();
    const check = checkForm(createExportInput, body, exportFieldOf);
    const fields: Partial<Record<ExportField, string>> = check.ok ? {} : { ...check.fields };
    const rest: string[] = check.ok || !check.form ? [] : [check.form];
    if (check.ok) {
      const f = checkExportFilters(check.data.type, check.data.filters);
      if (!f.ok) for (const d of f.details) {
        const field = exportFieldOf(`filters.${d.path}`);
        if (field) fields[field] ??= d.message;
        else rest.push(d.message);
      }
    }
    if (Object.keys(fields).length || rest.length) return showErrors(fields, rest.length ? rest.join(" · ") : null);
    setErrors({});
    run.mutate(body);
  }

  const run = useMutation({
    mutationFn: async (request: ReturnType<typeof bodyOf>) => {
      const res = await fetch("/api/v1/exports", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(request),
      });
      if (res.status === 200) {
        await save(res, `${request.type}.${request.format}`);
        return "downloaded" as const;
      }
      const answer = await res.json().catch(() => ({}));
      if (res.status === 202) return "queued" as const;
      throw new ClientApiError(res.status, answer?.error?.code ?? "http_error", answer?.error?.message ?? `Export failed (${res.status})`, answer?.error?.details);
    },
    onSuccess: async (r) => {
      setMessage({ kind: "ok", text: r === "downloaded" ? "Downloaded. It is also kept in the history below." : "Large export: it runs in the background; watch its progress below." });
      await qc.invalidateQueries({ queryKey: ["exports"] });
    },
    onError: (e) => {
      const fields: Partial<Record<ExportField, string>> = {};
      if (e instanceof ClientApiError) for (const [p, m] of Object.entries(e.fieldErrors())) {
        const f = exportFieldOf(p);
        if (f) fields[f] ??= m;
      }
      showErrors(fields, Object.keys(fields).length ? null : (e as Error).message);
    },
  });
  const invalid = (f: ExportField) => (errors[f] ? { "aria-invalid": true as const, "aria-describedby": `export-${f}-error` } : {});
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
          ref={formRef}
          noValidate
          aria-label="New export"
          className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <div className="grid gap-2">
            <Label htmlFor="export-type">Data</Label>
            <NativeSelect id="export-type" value={type} onChange={(e) => (setType(e.target.value), setStatus(""), setErrors({}))} {...invalid("type")}>
              {types.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </NativeSelect>
            <FieldError id="export-type-error" message={errors.type} />
          </div>
          <div className="grid gap-2">
            <Label htmlFor="export-format">Format</Label>
            <NativeSelect id="export-format" value={format} onChange={(e) => setFormat(e.target.value as ExportJob["format"])} {...invalid("format")}>
              {Object.entries(FORMAT_LABEL).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </NativeSelect>
            <FieldError id="export-format-error" message={errors.format} />
          </div>
          {format === "csv" && (
            <div className="grid gap-2">
              <Label htmlFor="export-delimiter">CSV delimiter</Label>
              <NativeSelect id="export-delimiter" value={sep} onChange={(e) => setSep(e.target.value)} {...invalid("delimiter")}>
                <option value=";">Semicolon (Excel, RU/EU)</option>
                <option value=",">Comma</option>
                <option value="tab">Tab</option>
                <option value="|">Pipe</option>
              </NativeSelect>
              <FieldError id="export-delimiter-error" message={errors.delimiter} />
            </div>
          )}
          {info.statuses.length > 0 && (
            <div className="grid gap-2">
              <Label htmlFor="export-status">Status</Label>
              <NativeSelect id="export-status" value={status} onChange={(e) => setStatus(e.target.value)} {...invalid("status")}>
                <option value="">Any</option>
                {info.statuses.map((s) => (
                  <option key={s} value={s}>
                    {s.replace(/_/g, " ")}
                  </option>
                ))}
              </NativeSelect>
              <FieldError id="export-status-error" message={errors.status} />
            </div>
          )}
          {info.dates && (
            <>
              <div className="grid gap-2">
                <Label htmlFor="export-from">From</Label>
                <Input id="export-from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} {...invalid("from")} />
                <FieldError id="export-from-error" message={errors.from} />
              </div>
              <div className="grid gap-2">
                <Label htmlFor="export-to">Until</Label>
                <Input id="export-to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} {...invalid("to")} />
                <FieldError id="export-to-error" message={errors.to} />
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
    queryFn: () => api<ExportList>("/api/v1/exports?limit=100"),
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
  if (!list.data.items.length)
    return (
      <EmptyState icon={<Download />} title="No exports yet">
        {canCreate
          ? "Exports you run appear here, with their files until they expire."
          : "Exports that admins and dispatchers run appear here; you can download their files until they expire."}
      </EmptyState>
    );
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
                  <ConfirmDialog
                    trigger={
                      <Button size="icon" variant="ghost" aria-label={`Delete export ${j.label} ${formatDateTime(j.createdAt)}`} disabled={remove.isPending}>
                        <Trash2 />
                      </Button>
                    }
                    title={`Delete the ${j.label} export?`}
                    description={j.status === "completed" ? "Its file is removed and can no longer be downloaded. The data itself stays; you can export it again." : "It is removed from the history. The data itself stays; you can export it again."}
                    confirmLabel="Delete export"
                    cancelLabel="Keep it"
                    destructive
                    onConfirm={() => remove.mutate(j.id)}
                  />
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
