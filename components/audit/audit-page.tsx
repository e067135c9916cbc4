"use client";
// The audit trail: who changed what, when and from where. Filters live in the URL (shareable);
// the list loads older pages on demand; a drawer shows one entry's changes as before → after,
// secrets only as "changed" (their values never reach the audit trail).
import * as React from "react";
import Link from "next/link";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { History } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { DateTimeFilter, ClearFiltersButton, RefreshingSpinner, FILTER_BAR } from "@/components/shared/filter-fields";
import { useDebouncedFilter, useUrlFilters } from "@/components/shared/url-filters";
import { PagedResults } from "@/components/shared/paged-results";
import { changeRows, entityHref, ENTITY_LABELS, ENTITY_TYPES, formatValue, summarize } from "@/components/audit/changes";
import { formatDateTime } from "@/lib/format";

type Entry = {
  id: string;
  createdAt: string;
  actor: { type: "user" | "api_key" | "system"; id: string | null; label: string | null };
  action: string;
  entityType: string;
  entityId: string | null;
  ip: string | null;
  userAgent: string | null;
  changes: unknown;
};
type Page = { items: Entry[]; nextCursor: string | null };

const FILTERS = ["actor", "action", "entityType", "entityId", "ip", "from", "to"] as const;
const ACTION_PREFIXES = ["integration.*", "oauth.*", "user.*", "api_key.*", "payment.*", "export.*", "webhook.*", "settings.*", "alert.*", "auth.*"];
const ACTOR_TYPES: Record<Entry["actor"]["type"], string> = { user: "User", api_key: "API key", system: "System" };

function TextFilter({ id, label, value, onChange, placeholder, list }: { id: string; label: string; value: string | undefined; onChange: (v: string) => void; placeholder?: string; list?: string }) {
  const [text, setText] = useDebouncedFilter(value, onChange);
  // a filter cleared from outside (Clear filters) empties the field too
  React.useEffect(() => {
    if (!value) setText("");
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} type="search" placeholder={placeholder} value={text} onChange={(e) => setText(e.target.value)} list={list} autoComplete="off" />
    </div>
  );
}

function Actor({ actor }: { actor: Entry["actor"] }) {
  return (
    <span className="flex min-w-0 flex-col">
      <span className="truncate">{actor.label ?? actor.id ?? ACTOR_TYPES[actor.type]}</span>
      {actor.type !== "user" && <span className="text-muted-foreground text-xs">{ACTOR_TYPES[actor.type]}</span>}
    </span>
  );
}

function EntityCell({ type, id }: { type: string; id: string | null }) {
  const href = entityHref(type, id);
  const label = `${ENTITY_LABELS[type] ?? type}${id ? ` ${id.length > 12 ? `${id.slice(0, 8)}…` : id}` : ""}`;
  return href ? (
    <Link href={href} className="underline-offset-4 hover:underline" title={id ?? undefined} onClick={(e) => e.stopPropagation()}>
      {label}
    </Link>
  ) : (
    <span title={id ?? undefined}>{label}</span>
  );
}

export function AuditPage() {
  const { filters, params, set: setParam, clear } = useUrlFilters("/audit", FILTERS);
  const open = params.get("entry");
  const list = useInfiniteQuery({
    queryKey: ["audit", "list", filters],
    initialPageParam: "",
    queryFn: ({ pageParam }) => api<Page>(`/api/v1/audit?${new URLSearchParams({ ...filters, limit: "50", ...(pageParam ? { cursor: pageParam } : {}) })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const active = Object.keys(filters).length > 0;
  const actions = [...new Set([...ACTION_PREFIXES, ...items.map((i) => i.action)])].sort();

  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every change to integrations, credentials, users, API keys and settings, every refund, export and webhook replay: who, when, from where and what changed. Secret values are never recorded, only that they changed."
      />

      <form className={FILTER_BAR} onSubmit={(e) => e.preventDefault()} aria-label="Audit filters">
        <TextFilter id="a-actor" label="Who" value={filters.actor} onChange={(v) => setParam("actor", v)} placeholder="e-mail, key name or id" />
        <TextFilter id="a-action" label="Action" value={filters.action} onChange={(v) => setParam("action", v)} placeholder="user.update or integration.*" list="a-actions" />
        <datalist id="a-actions">
          {actions.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <TextFilter id="a-entity-type" label="Entity type" value={filters.entityType} onChange={(v) => setParam("entityType", v)} placeholder="integration" list="a-entity-types" />
        <datalist id="a-entity-types">
          {ENTITY_TYPES.map((t) => (
            <option key={t} value={t}>
              {ENTITY_LABELS[t]}
            </option>
          ))}
        </datalist>
        <TextFilter id="a-entity-id" label="Entity id" value={filters.entityId} onChange={(v) => setParam("entityId", v)} />
        <TextFilter id="a-ip" label="From address" value={filters.ip} onChange={(v) => setParam("ip", v)} placeholder="203.0.113.7 or 10.0.*" />
        <DateTimeFilter id="a-from" label="Since" value={filters.from} onChange={(v) => setParam("from", v)} />
        <DateTimeFilter id="a-to" label="Until" value={filters.to} onChange={(v) => setParam("to", v)} />
        <div className="flex items-end gap-2">
          <ClearFiltersButton disabled={!active} onClick={clear} />
          <RefreshingSpinner query={list} />
        </div>
      </form>

      <PagedResults
        query={list}
        count={items.length}
        what="the audit trail"
        end="Start of the audit trail"
        empty={
          <EmptyState icon={<History />} title={active ? "No entries match these filters" : "Nothing audited yet"}>
            {!active && "Changes people and API keys make appear here as they happen."}
          </EmptyState>
        }
      >
        <Table aria-label="Audit entries">
          <TableHeader>
            <TableRow>
              <TableHead>When</TableHead>
              <TableHead>Who</TableHead>
              <TableHead>Action</TableHead>
              <TableHead className="hidden md:table-cell">Entity</TableHead>
              <TableHead className="hidden xl:table-cell">What changed</TableHead>
              <TableHead className="hidden lg:table-cell">From where</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((e) => (
              <TableRow key={e.id} className="cursor-pointer" onClick={() => setParam("entry", e.id)}>
                <TableCell className="whitespace-nowrap">
                  <button type="button" className="text-left hover:underline" onClick={(ev) => (ev.stopPropagation(), setParam("entry", e.id))} aria-label={`Open ${e.action} at ${formatDateTime(e.createdAt)}`}>
                    {formatDateTime(e.createdAt)}
                  </button>
                </TableCell>
                <TableCell className="max-w-48">
                  <Actor actor={e.actor} />
                </TableCell>
                <TableCell>
                  <span className="font-mono text-xs">{e.action}</span>
                </TableCell>
                <TableCell className="hidden md:table-cell">
                  <EntityCell type={e.entityType} id={e.entityId} />
                </TableCell>
                <TableCell className="text-muted-foreground hidden max-w-80 truncate text-xs xl:table-cell">{summarize(e.changes)}</TableCell>
                <TableCell className="hidden lg:table-cell">
                  <span className="font-mono text-xs" title={e.userAgent ?? undefined}>
                    {e.ip ?? "—"}
                  </span>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedResults>
      <EntryDrawer id={open} loaded={items.find((i) => i.id === open)} onClose={() => setParam("entry", null)} />
    </>
  );
}

function EntryDrawer({ id, loaded, onClose }: { id: string | null; loaded: Entry | undefined; onClose: () => void }) {
  const q = useQuery({
    queryKey: ["audit", "entry", id],
    queryFn: () => api<Entry>(`/api/v1/audit/${id}`),
    enabled: !!id && !loaded,
  });
  const e = loaded ?? q.data;
  const rows = e ? changeRows(e.changes) : [];
  const changes = rows.filter((r) => r.kind !== "value");
  const facts = rows.filter((r) => r.kind === "value");
  return (
    <Sheet open={!!id} onOpenChange={(o) => !o && onClose()}>
      <SheetContent className="sm:max-w-2xl" aria-describedby={undefined}>
        <SheetHeader>
          <SheetTitle className="font-mono">{e ? e.action : "Audit entry"}</SheetTitle>
          {e && <SheetDescription>{formatDateTime(e.createdAt)}</SheetDescription>}
        </SheetHeader>
        <div className="grid gap-5 overflow-y-auto px-4 pb-6">
          {!e && q.isError ? (
            <p className="text-destructive text-sm">Could not load the entry: {(q.error as Error).message}</p>
          ) : !e ? (
            <Skeleton className="h-48" />
          ) : (
            <>
              <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-2 text-sm" aria-label="Entry">
                <dt className="text-muted-foreground">When</dt>
                <dd>
                  {formatDateTime(e.createdAt)} <span className="text-muted-foreground font-mono text-xs">{e.createdAt}</span>
                </dd>
                <dt className="text-muted-foreground">Who</dt>
                <dd>
                  {e.actor.label ?? "—"} <Badge variant="muted">{ACTOR_TYPES[e.actor.type]}</Badge>
                  {e.actor.id && <div className="text-muted-foreground font-mono text-xs">{e.actor.id}</div>}
                </dd>
                <dt className="text-muted-foreground">Entity</dt>
                <dd>
                  <EntityCell type={e.entityType} id={e.entityId} />
                  {e.entityId && <div className="text-muted-foreground font-mono text-xs break-all">{e.entityId}</div>}
                </dd>
                <dt className="text-muted-foreground">From where</dt>
                <dd>
                  <span className="font-mono">{e.ip ?? "—"}</span>
                  {e.userAgent && <div className="text-muted-foreground text-xs break-all">{e.userAgent}</div>}
                </dd>
              </dl>

              <section aria-labelledby="audit-changes-h">
                <h3 id="audit-changes-h" className="mb-2 text-sm font-medium">
                  Changes
                </h3>
                {changes.length === 0 ? (
                  <p className="text-muted-foreground text-sm">No field changes recorded for this action.</p>
                ) : (
                  <div className="rounded-lg border">
                    <Table aria-label="Changes">
                      <TableHeader>
                        <TableRow>
                          <TableHead>Field</TableHead>
                          <TableHead>Before</TableHead>
                          <TableHead>After</TableHead>
                        </TableRow>
                      </TableHeader>
                      <TableBody>
                        {changes.map((r) => (
                          <TableRow key={r.path}>
                            <TableCell className="font-mono text-xs">{r.path}</TableCell>
                            {r.kind === "change" ? (
                              <>
                                <TableCell className="break-all">
                                  <Value v={r.from} />
                                </TableCell>
                                <TableCell className="break-all">
                                  <Value v={r.to} /> {r.reset && <Badge variant="muted">default</Badge>}
                                </TableCell>
                              </>
                            ) : (
                              <TableCell colSpan={2}>
                                <Badge variant="warning">secret {r.kind === "secret" ? r.note : ""}</Badge>
                                <span className="text-muted-foreground ml-2 text-xs">values are never recorded</span>
                              </TableCell>
                            )}
                          </TableRow>
                        ))}
                      </TableBody>
                    </Table>
                  </div>
                )}
              </section>

              {facts.length > 0 && (
                <section aria-labelledby="audit-details-h">
                  <h3 id="audit-details-h" className="mb-2 text-sm font-medium">
                    Details
                  </h3>
                  <dl className="grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-1 text-sm">
                    {facts.map((r) => (
                      <React.Fragment key={r.path}>
                        <dt className="text-muted-foreground font-mono text-xs">{r.path}</dt>
                        <dd className="break-all">{r.kind === "value" && <Value v={r.value} />}</dd>
                      </React.Fragment>
                    ))}
                  </dl>
                </section>
              )}
            </>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}

function Value({ v }: { v: unknown }) {
  const text = formatValue(v);
  if (v === null || v === undefined || v === "") return <span className="text-muted-foreground">{text}</span>;
  return <span>{text}</span>;
}
