"use client";
// Alerts: what needs a person. Open ones first (critical, then most recently seen), a Resolved
// tab, filters by rule and severity kept in the URL, each alert's link to what it is about, and
// a drawer with everything known (opened with ?alert=<id>, where the admins' notices point).
// Dispatchers and admins resolve with a note; everyone else reads.
import * as React from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { BellRing, CheckCircle2, ExternalLink, Loader2 } from "lucide-react";
import { api, formErrors } from "@/lib/client/api";
import { checkForm } from "@/lib/client/form";
import { resolveAlertInput } from "@/lib/alerts/contract";
import { formatDateTime, timeAgo } from "@/lib/format";
import { ALERT_RULES, ALERT_SEVERITIES, RULE_LABELS, type AlertSeverity } from "@/lib/alerts/labels";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/ui/empty-state";
import { Alert as Callout, AlertDescription } from "@/components/ui/alert";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { useUrlFilters } from "@/components/shared/url-filters";
import { PagedResults } from "@/components/shared/paged-results";
import { ClearFiltersButton, RefreshingSpinner } from "@/components/shared/filter-fields";
import { useFormErrors } from "@/components/shared/form-errors";

export type AlertItem = {
  id: string;
  rule: string;
  ruleLabel: string;
  severity: AlertSeverity;
  status: "open" | "resolved";
  title: string;
  message: string;
  entityType: string | null;
  entityId: string | null;
  link: string | null;
  details: Record<string, unknown>;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
  notifiedAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  resolvedBy: { type: string; id: string | null; name: string } | null;
};
type Page = { items: AlertItem[]; nextCursor: string | null; counts: { open: number; critical: number } };

const FILTERS = ["status", "rule", "severity"] as const;
const TABS = [
  { value: "open", label: "Open" },
  { value: "resolved", label: "Resolved" },
  { value: "all", label: "All" },
] as const;
type Tab = (typeof TABS)[number]["value"];
const REFRESH_MS = 15_000;

export function SeverityBadge({ severity }: { severity: string }) {
  return severity === "critical" ? <Badge variant="danger">Critical</Badge> : <Badge variant="warning">Warning</Badge>;
}

/** What the alert's link opens, in words. */
function linkLabel(link: string) {
  const path = link.split("?")[0];
  if (path.startsWith("/integrations/")) return "Open the integration";
  if (path === "/messages") return "See the failed messages";
  if (path === "/webhooks") return "See the failed webhooks";
  if (path.startsWith("/payments/")) return "Open the payment";
  if (path === "/payments") return "See the failed payments";
  if (path === "/exports") return "Open exports";
  return "Look into it";
}

function Seen({ at }: { at: string }) {
  return (
    <time dateTime={at} title={formatDateTime(at)} className="whitespace-nowrap">
      {timeAgo(at)}
    </time>
  );
}

function resolvedText(a: AlertItem) {
  if (a.status !== "resolved") return null;
  if (!a.resolvedBy) return "Cleared by itself";
  return `Resolved by ${a.resolvedBy.name}${a.resolvedBy.type === "api_key" ? " (API key)" : ""}`;
}

export function AlertsPage({ canManage }: { canManage: boolean }) {
  const router = useRouter();
  const { filters, params, set: setParam, clear } = useUrlFilters("/alerts", FILTERS);
  const tab: Tab = filters.status === "resolved" || filters.status === "all" ? filters.status : "open";
  const { status: _tab, ...narrowing } = filters;
  const opened = params.get("alert");
  const [resolving, setResolving] = React.useState<AlertItem | null>(null);

  const list = useInfiniteQuery({
    queryKey: ["alerts", "list", { ...narrowing, status: tab }],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      api<Page>(`/api/v1/alerts?${new URLSearchParams({ ...narrowing, status: tab, limit: "50", ...(pageParam ? { cursor: pageParam } : {}) })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: REFRESH_MS,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const counts = list.data?.pages[0]?.counts;
  const narrowed = Object.keys(narrowing).length > 0;

  return (
    <>
      <PageHeader
        title="Alerts"
        description="What needs a person: integrations in error, tokens to reconnect, repeated send, webhook, payment and export failures. Admins are told by Telegram and e-mail when one opens; an alert resolves itself when its problem clears."
      />

      {counts && counts.open > 0 && (
        <p className="text-muted-foreground mb-3 text-sm" role="status" data-testid="open-summary">
          {counts.open} open alert{counts.open === 1 ? "" : "s"}
          {counts.critical ? `, ${counts.critical} critical` : ""}
        </p>
      )}

      {/* the tabs' panel is the list below: each tab's aria-controls must name an element that exists */}
      <Tabs value={tab} onValueChange={(v) => setParam("status", v === "open" ? null : v)} className="gap-0">
        <div className="mb-4 flex flex-col gap-3 lg:flex-row lg:items-end lg:justify-between">
          <TabsList aria-label="Alerts by status">
            {TABS.map((t) => (
              <TabsTrigger key={t.value} value={t.value}>
                {t.label}
                {t.value === "open" && counts ? (
                  <>
                    {" "}
                    <Badge variant={counts.critical ? "danger" : "muted"} className="tabular-nums" data-testid="open-count">
                      {counts.open}
                    </Badge>
                  </>
                ) : null}
              </TabsTrigger>
            ))}
          </TabsList>
          <form className="flex flex-wrap items-end gap-3" aria-label="Alert filters" onSubmit={(e) => e.preventDefault()}>
            <div className="grid gap-1.5">
              <Label htmlFor="a-rule">Rule</Label>
              <NativeSelect id="a-rule" className="min-w-52" value={filters.rule ?? ""} onChange={(e) => setParam("rule", e.target.value || null)}>
                <option value="">All rules</option>
                {ALERT_RULES.map((r) => (
                  <option key={r} value={r}>
                    {RULE_LABELS[r]}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="a-severity">Severity</Label>
              <NativeSelect id="a-severity" className="min-w-36" value={filters.severity ?? ""} onChange={(e) => setParam("severity", e.target.value || null)}>
                <option value="">All</option>
                {ALERT_SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {s === "critical" ? "Critical" : "Warning"}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <ClearFiltersButton disabled={!narrowed} onClick={() => (tab === "open" ? clear() : router.replace(`/alerts?status=${tab}`, { scroll: false }))} />
            <RefreshingSpinner query={list} />
          </form>
        </div>

        <TabsContent value={tab}>
          <PagedResults
            query={list}
            count={items.length}
            what="alerts"
            end={tab === "open" ? "That is every open alert" : "No older alerts"}
            empty={
              narrowed ? (
                <EmptyState icon={<BellRing />} title="No alerts match these filters" />
              ) : tab === "open" ? (
                <EmptyState icon={<CheckCircle2 />} title="No open alerts: all clear">
                  Switchboard checks integrations, tokens, messages, webhooks, payments and exports every few seconds; anything that needs a person shows up here.
                </EmptyState>
              ) : (
                <EmptyState icon={<BellRing />} title="No resolved alerts yet" />
              )
            }
          >
            <AlertRows items={items} canManage={canManage} onOpen={(id) => setParam("alert", id)} onResolve={setResolving} />
          </PagedResults>
        </TabsContent>
      </Tabs>

      <AlertDrawer id={opened} canManage={canManage} onClose={() => setParam("alert", null)} onResolve={setResolving} />
      {canManage && <ResolveDialog alert={resolving} onClose={() => setResolving(null)} />}
    </>
  );
}

function AlertRows({ items, canManage, onOpen, onResolve }: { items: AlertItem[]; canManage: boolean; onOpen: (id: string) => void; onResolve: (a: AlertItem) => void }) {
  return (
    <Table aria-label="Alerts">
      <TableHeader>
        <TableRow>
          <TableHead>Severity</TableHead>
          <TableHead>Alert</TableHead>
          <TableHead className="hidden text-right md:table-cell">Occurrences</TableHead>
          <TableHead className="hidden lg:table-cell">First seen</TableHead>
          <TableHead className="hidden sm:table-cell">Last seen</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((a) => (
          <TableRow key={a.id} data-testid="alert-row" data-status={a.status}>
            <TableCell className="align-top">
              <SeverityBadge severity={a.severity} />
            </TableCell>
            <TableCell className="max-w-xl align-top whitespace-normal">
              <button type="button" className="text-left font-medium hover:underline" onClick={() => onOpen(a.id)} aria-label={`Open alert ${a.title}`}>
                {a.title}
              </button>
              <p className="text-muted-foreground mt-0.5 line-clamp-3 text-sm whitespace-pre-line">{a.message}</p>
              <p className="text-muted-foreground mt-1 flex flex-wrap items-center gap-x-2 text-xs">
                <span>{a.ruleLabel}</span>
                {a.status === "resolved" && (
                  <>
                    <span aria-hidden>·</span>
                    <span data-testid="alert-resolution">
                      {resolvedText(a)} {a.resolvedAt && <Seen at={a.resolvedAt} />}
                      {a.resolvedBy && a.resolution ? `: “${a.resolution}”` : ""}
                    </span>
                  </>
                )}
              </p>
            </TableCell>
            <TableCell className="hidden text-right align-top tabular-nums md:table-cell">{a.occurrences}</TableCell>
            <TableCell className="hidden align-top lg:table-cell">
              <Seen at={a.firstSeenAt} />
            </TableCell>
            <TableCell className="hidden align-top sm:table-cell">
              <Seen at={a.lastSeenAt} />
            </TableCell>
            <TableCell className="align-top">
              <div className="flex flex-wrap justify-end gap-2">
                {a.link && (
                  <Button asChild variant="outline" size="sm">
                    <Link href={a.link} aria-label={`${linkLabel(a.link)}: ${a.title}`}>
                      <ExternalLink /> {linkLabel(a.link)}
                    </Link>
                  </Button>
                )}
                {canManage && a.status === "open" && (
                  <Button size="sm" onClick={() => onResolve(a)} aria-label={`Resolve ${a.title}`}>
                    <CheckCircle2 /> Resolve
                  </Button>
                )}
              </div>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function ResolveDialog({ alert, onClose }: { alert: AlertItem | null; onClose: () => void }) {
  return (
    <Dialog open={!!alert} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="sm:max-w-md">
        <DialogHeader>
          <DialogTitle>Resolve alert</DialogTitle>
          <DialogDescription>
            {alert?.title}. It stays resolved until the problem happens again; then a new alert opens and the admins are told.
          </DialogDescription>
        </DialogHeader>
        {alert && <ResolveForm alert={alert} onClose={onClose} />}
      </DialogContent>
    </Dialog>
  );
}

const noteField = (path: string) => (path.replace(/^body\./, "") === "note" ? "note" : null);

function ResolveForm({ alert, onClose }: { alert: AlertItem; onClose: () => void }) {
  const qc = useQueryClient();
  const [note, setNote] = React.useState("");
  const { formError, formRef, clear, show: showErrors, err, invalid } = useFormErrors<"note">("resolve");

  /** the note checked with the API's own schema; nothing is sent while it is wrong */
  function submit() {
    clear();
    const body = note.trim() ? { note: note.trim() } : {};
    const check = checkForm(resolveAlertInput, body, noteField);
    if (check.ok) resolve.mutate(body);
    else showErrors(check.fields, check.form);
  }

  const resolve = useMutation({
    mutationFn: (body: { note?: string }) => api<AlertItem>(`/api/v1/alerts/${alert.id}/resolve`, { method: "POST", json: body }),
    onSuccess: (a) => {
      toast.success(`Resolved: ${a.title}`);
      qc.setQueryData(["alert", a.id], a);
      qc.invalidateQueries({ queryKey: ["alerts"] });
      onClose();
    },
    onError: (e) => {
      const { fields, form } = formErrors(e, noteField);
      showErrors(fields, form);
      // resolved meanwhile (by someone else, or because it cleared): show the list as it is now
      qc.invalidateQueries({ queryKey: ["alerts"] });
    },
  });
  return (
    <form
      ref={formRef}
      noValidate
      className="grid gap-4"
      aria-label="Resolve alert"
      onSubmit={(e) => {
        e.preventDefault();
        if (!resolve.isPending) submit();
      }}
    >
      <div className="grid gap-1.5">
        <Label htmlFor="resolve-note">Note</Label>
        <Textarea
          id="resolve-note"
          className="min-h-20"
          maxLength={1000}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="Optional: what was done about it"
          {...invalid("note")}
        />
        {err("note")}
      </div>
      {formError && (
        <Callout variant="destructive">
          <AlertDescription>{formError}</AlertDescription>
        </Callout>
      )}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" disabled={resolve.isPending}>
          {resolve.isPending ? <Loader2 className="animate-spin" /> : <CheckCircle2 />} Resolve
        </Button>
      </DialogFooter>
    </form>
  );
}

function detailValue(v: unknown) {
  if (v === null || v === undefined) return "—";
  if (Array.isArray(v)) return v.join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function AlertDrawer({ id, canManage, onClose, onResolve }: { id: string | null; canManage: boolean; onClose: () => void; onResolve: (a: AlertItem) => void }) {
  const q = useQuery({ queryKey: ["alert", id], queryFn: () => api<AlertItem>(`/api/v1/alerts/${id}`), enabled: !!id, refetchInterval: REFRESH_MS });
  const a = q.data;
  return (
    <Sheet open={!!id} onOpenChange={(o) => !o && onClose()}>
      <SheetContent>
        <SheetHeader>
          <SheetTitle>{a?.title ?? "Alert"}</SheetTitle>
          <SheetDescription className="flex flex-wrap items-center gap-2">
            {a ? (
              <>
                <SeverityBadge severity={a.severity} />
                <Badge variant={a.status === "open" ? "info" : "muted"}>{a.status === "open" ? "Open" : "Resolved"}</Badge>
                <span>{a.ruleLabel}</span>
              </>
            ) : (
              "Loading…"
            )}
          </SheetDescription>
        </SheetHeader>
        <div className="grid gap-4 px-4 pb-6 text-sm">
          {q.isPending ? (
            <Skeleton className="h-40" />
          ) : q.isError ? (
            <Callout variant="destructive">
              <AlertDescription>
                Could not load the alert: {(q.error as Error).message}
                <Button variant="outline" size="sm" onClick={() => q.refetch()}>
                  Try again
                </Button>
              </AlertDescription>
            </Callout>
          ) : a ? (
            <>
              <p className="whitespace-pre-line">{a.message}</p>
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5">
                <dt className="text-muted-foreground">Occurrences</dt>
                <dd className="tabular-nums">{a.occurrences}</dd>
                <dt className="text-muted-foreground">First seen</dt>
                <dd>{formatDateTime(a.firstSeenAt)}</dd>
                <dt className="text-muted-foreground">Last seen</dt>
                <dd>{formatDateTime(a.lastSeenAt)}</dd>
                <dt className="text-muted-foreground">Admins told</dt>
                <dd>{a.notifiedAt ? formatDateTime(a.notifiedAt) : "not yet"}</dd>
                {a.status === "resolved" && (
                  <>
                    <dt className="text-muted-foreground">Resolved</dt>
                    <dd>
                      {formatDateTime(a.resolvedAt)} · {resolvedText(a)}
                    </dd>
                    {a.resolvedBy && (
                      <>
                        <dt className="text-muted-foreground">Note</dt>
                        <dd className="whitespace-pre-line">{a.resolution ?? "—"}</dd>
                      </>
                    )}
                  </>
                )}
                {Object.entries(a.details).map(([k, v]) => (
                  <React.Fragment key={k}>
                    <dt className="text-muted-foreground">{k}</dt>
                    <dd className="break-words">{detailValue(v)}</dd>
                  </React.Fragment>
                ))}
              </dl>
              <div className="flex flex-wrap gap-2">
                {a.link && (
                  <Button asChild variant="outline">
                    <Link href={a.link}>
                      <ExternalLink /> {linkLabel(a.link)}
                    </Link>
                  </Button>
                )}
                {canManage && a.status === "open" && (
                  <Button onClick={() => onResolve(a)}>
                    <CheckCircle2 /> Resolve
                  </Button>
                )}
              </div>
            </>
          ) : null}
        </div>
      </SheetContent>
    </Sheet>
  );
}
