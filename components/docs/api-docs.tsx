"use client";
// The API documentation page: the OpenAPI document this instance serves, read with TanStack
// Query and drawn here (no Swagger UI, nothing from a CDN): how to authenticate, a search,
// and the operations grouped by tag, each expandable to its parameters, body and responses.
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { BookOpen, Download, RotateCcw, SearchX } from "lucide-react";
import { api } from "@/lib/client/api";
import type { OpenApiDocument } from "@/lib/openapi/types";
import { PageHeader } from "@/components/layout/app-shell";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { OperationItem, Prose } from "@/components/docs/operation-item";
import { anchor, groupByTag, matches, operations } from "@/components/docs/model";

const DOC_URL = "/api/v1/openapi.json";

export function ApiDocs() {
  const doc = useQuery({ queryKey: ["openapi"], queryFn: () => api<OpenApiDocument>(DOC_URL), staleTime: 5 * 60_000 });

  return (
    <>
      <PageHeader
        title="API documentation"
        description="Every /api/v1 operation of this instance, generated from the schemas the server validates with."
        actions={
          <Button asChild variant="outline">
            <a href={DOC_URL} download="switchboard-openapi.json">
              <Download /> Download OpenAPI JSON
            </a>
          </Button>
        }
      />
      {doc.isError ? (
        <Alert variant="destructive">
          <AlertTitle>Could not load the API document</AlertTitle>
          <AlertDescription>
            {(doc.error as Error).message}
            <Button variant="outline" size="sm" onClick={() => doc.refetch()}>
              <RotateCcw /> Try again
            </Button>
          </AlertDescription>
        </Alert>
      ) : doc.isPending ? (
        <div className="grid gap-3" aria-label="Loading the API document" aria-busy="true">
          <Skeleton className="h-28" />
          <Skeleton className="h-9 max-w-md" />
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} className="h-11" />
          ))}
        </div>
      ) : (
        <Reference doc={doc.data} />
      )}
    </>
  );
}

function Intro({ doc }: { doc: OpenApiDocument }) {
  const base = doc.servers[0]?.url ?? "";
  return (
    <Card className="mb-6">
      <CardHeader>
        <CardTitle className="flex flex-wrap items-baseline gap-2">
          {doc.info.title} <span className="text-muted-foreground text-sm font-normal">version {doc.info.version} · OpenAPI {doc.openapi}</span>
        </CardTitle>
      </CardHeader>
      <CardContent className="grid gap-3">
        <p className="text-sm">
          Base URL <code className="bg-muted rounded px-1.5 py-0.5 font-mono text-xs">{base}</code>
        </p>
        {doc.info.description && <Prose text={doc.info.description} />}
      </CardContent>
    </Card>
  );
}

function Reference({ doc }: { doc: OpenApiDocument }) {
  const all = React.useMemo(() => operations(doc), [doc]);
  const [query, setQuery] = React.useState("");
  const deferred = React.useDeferredValue(query);
  const [open, setOpen] = React.useState<Set<string>>(() => new Set());
  const shown = React.useMemo(() => all.filter((o) => matches(o, deferred)), [all, deferred]);
  const groups = React.useMemo(() => groupByTag(doc, shown), [doc, shown]);

  // a link to an operation (#postPayments) opens it
  React.useEffect(() => {
    const openHash = () => {
      const id = decodeURIComponent(window.location.hash.slice(1));
      if (!id || !all.some((o) => anchor(o) === id)) return;
      setOpen((s) => new Set(s).add(id));
      requestAnimationFrame(() => document.getElementById(id)?.scrollIntoView({ block: "start" }));
    };
    openHash();
    window.addEventListener("hashchange", openHash);
    return () => window.removeEventListener("hashchange", openHash);
  }, [all]);

  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <>
      <Intro doc={doc} />
      <div className="grid gap-6 lg:grid-cols-[12rem_1fr]">
        <nav aria-label="API areas" className="hidden lg:block">
          <ul className="sticky top-20 grid gap-0.5 text-sm">
            {groups.map((g) => (
              <li key={g.name}>
                <a href={`#tag-${g.name}`} className="text-muted-foreground hover:text-foreground flex justify-between rounded px-2 py-1 hover:bg-accent">
                  <span>{g.name}</span>
                  <span className="tabular-nums">{g.ops.length}</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="grid min-w-0 content-start gap-6">
          <div className="flex flex-wrap items-end gap-3">
            <div className="grid w-full max-w-md gap-1.5">
              <Label htmlFor="docs-search">Search operations</Label>
              <Input id="docs-search" type="search" placeholder="payments, POST, messages:send, {id} …" value={query} onChange={(e) => setQuery(e.target.value)} />
            </div>
            <p className="text-muted-foreground pb-2 text-sm" role="status" aria-live="polite">
              {shown.length === all.length ? `${all.length} operations` : `${shown.length} of ${all.length} operations`}
            </p>
            {open.size > 0 && (
              <Button variant="ghost" size="sm" className="mb-0.5" onClick={() => setOpen(new Set())}>
                Collapse all
              </Button>
            )}
          </div>
          {groups.length === 0 ? (
            <EmptyState icon={<SearchX />} title={`No operation matches “${deferred}”`}>
              Search by path, method, summary, scope or parameter name.
              <div className="mt-3">
                <Button variant="outline" size="sm" onClick={() => setQuery("")}>
                  Clear search
                </Button>
              </div>
            </EmptyState>
          ) : (
            groups.map((g) => (
              <section key={g.name} id={`tag-${g.name}`} aria-labelledby={`tag-${g.name}-title`} className="grid scroll-mt-20 gap-2">
                <div className="flex flex-wrap items-baseline gap-x-3">
                  <h2 id={`tag-${g.name}-title`} className="flex items-center gap-2 text-lg font-semibold">
                    <BookOpen className="text-muted-foreground size-4" aria-hidden /> {g.name}
                  </h2>
                  {g.description && <p className="text-muted-foreground text-sm">{g.description}</p>}
                </div>
                <ul className="grid gap-2">
                  {g.ops.map((o) => (
                    <OperationItem key={anchor(o)} doc={doc} o={o} open={open.has(anchor(o))} onToggle={() => toggle(anchor(o))} />
                  ))}
                </ul>
              </section>
            ))
          )}
        </div>
      </div>
    </>
  );
}
