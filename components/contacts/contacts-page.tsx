"use client";
// Contacts: the website's contact submissions (counts by status, each a filter; search by
// name or e-mail; dates; keyset "Load older"; a drawer per submission with Retry) and, for
// admins, the SuiteDash tab: the mode, the Import-mode CSV headers, "Generate export" and the
// export history.
import * as React from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { UserRound } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { EmptyState } from "@/components/ui/empty-state";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { DateTimeFilter, ClearFiltersButton, RefreshingSpinner, FILTER_BAR } from "@/components/shared/filter-fields";
import { useUrlFilters, useDebouncedFilter } from "@/components/shared/url-filters";
import { PagedResults } from "@/components/shared/paged-results";
import { formatDateTime } from "@/lib/format";
import { SubmissionDetailSheet } from "@/components/contacts/submission-detail";
import { SuiteDashPanel } from "@/components/contacts/suitedash-panel";
import { SUBMISSION_STATUS_STYLE, SubmissionStatusBadge, fullName } from "@/components/contacts/shared";
import { SUBMISSION_STATUSES, type Submission, type SubmissionList } from "@/lib/suitedash/contract";

const FILTERS = ["status", "q", "from", "to", "tab"] as const;
const LIVE_MS = 3000;
const IDLE_MS = 30_000;

export function ContactsPage({ canRetry, canManageSuiteDash }: { canRetry: boolean; canManageSuiteDash: boolean }) {
  const { filters, set: setParam } = useUrlFilters("/contacts", FILTERS);
  const tab = canManageSuiteDash && filters.tab === "suitedash" ? "suitedash" : "submissions";
  return (
    <>
      <PageHeader
        title="Contacts"
        description="Contact form submissions from the website: stored first, then sent to SuiteDash (API mode) or exported as a CSV to import there (Import mode)."
      />
      {canManageSuiteDash ? (
        <Tabs value={tab} onValueChange={(v) => setParam("tab", v === "suitedash" ? v : null)}>
          <TabsList className="mb-4">
            <TabsTrigger value="submissions">Submissions</TabsTrigger>
            <TabsTrigger value="suitedash">SuiteDash</TabsTrigger>
          </TabsList>
          <TabsContent value="submissions">
            <Submissions canRetry={canRetry} />
          </TabsContent>
          <TabsContent value="suitedash">
            <SuiteDashPanel />
          </TabsContent>
        </Tabs>
      ) : (
        <Submissions canRetry={canRetry} />
      )}
    </>
  );
}

function Submissions({ canRetry }: { canRetry: boolean }) {
  const { filters: all, set: setParam, clear } = useUrlFilters("/contacts", FILTERS);
  const { tab: _tab, ...filters } = all;
  const [q, setQ] = useDebouncedFilter(filters.q, (v) => setParam("q", v || null));
  const [open, setOpen] = React.useState<string | null>(null);

  const list = useInfiniteQuery({
    queryKey: ["contacts", "list", filters],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      api<SubmissionList>(`/api/v1/contacts?${new URLSearchParams({ ...filters, limit: "50", ...(pageParam ? { cursor: pageParam } : {}) })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.items.some((i) => i.status === "pending")) ? LIVE_MS : IDLE_MS),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const counts = list.data?.pages[0]?.counts;
  const active = ["status", "q", "from", "to"].some((k) => (filters as Record<string, string | undefined>)[k]);

  return (
    <>
      <div className="mb-4 flex flex-wrap gap-2" role="group" aria-label="Submissions by status">
        {SUBMISSION_STATUSES.map((s) => {
          const selected = filters.status === s;
          return (
            <Button key={s} variant={selected ? "default" : "outline"} size="sm" aria-pressed={selected} onClick={() => setParam("status", selected ? null : s)}>
              <span className="inline-block size-2 rounded-full" style={{ background: SUBMISSION_STATUS_STYLE[s].color }} aria-hidden />
              {SUBMISSION_STATUS_STYLE[s].label}
              <span className="tabular-nums" data-testid={`count-${s}`}>
                {counts ? counts[s] : "…"}
              </span>
            </Button>
          );
        })}
      </div>

      <form className={FILTER_BAR} onSubmit={(e) => e.preventDefault()} aria-label="Submission filters">
        <div className="grid gap-1.5">
          <Label htmlFor="c-q">Name or e-mail</Label>
          <Input id="c-q" type="search" placeholder="Ada, ada@…" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <DateTimeFilter id="c-from" label="From" value={filters.from} onChange={(v) => setParam("from", v || null)} />
        <DateTimeFilter id="c-to" label="Until" value={filters.to} onChange={(v) => setParam("to", v || null)} />
        <div className="flex items-end gap-2">
          <ClearFiltersButton disabled={!active} onClick={() => {
              setQ("");
              clear();
            }} />
          <RefreshingSpinner query={list} />
        </div>
      </form>

      <PagedResults
        query={list}
        count={items.length}
        what="submissions"
        end="No older submissions"
        empty={
          <EmptyState icon={<UserRound />} title={active ? "No submissions match these filters" : "No contact submissions yet"}>
            {!active && "The website's contact form posts to POST /api/v1/contacts; submissions appear here."}
          </EmptyState>
        }
      >
        <SubmissionRows items={items} onOpen={setOpen} />
      </PagedResults>

      <SubmissionDetailSheet id={open} onClose={() => setOpen(null)} canRetry={canRetry} />
    </>
  );
}

function SubmissionRows({ items, onOpen }: { items: Submission[]; onOpen: (id: string) => void }) {
  return (
    <Table aria-label="Contact submissions">
      <TableHeader>
        <TableRow>
          <TableHead>Received</TableHead>
          <TableHead>Name</TableHead>
          <TableHead className="hidden md:table-cell">E-mail</TableHead>
          <TableHead className="hidden lg:table-cell">Service interest</TableHead>
          <TableHead className="hidden lg:table-cell">Source</TableHead>
          <TableHead>Status</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((s) => (
          <TableRow key={s.id} className="cursor-pointer" onClick={() => onOpen(s.id)} data-testid="submission-row">
            <TableCell className="whitespace-nowrap">
              <button
                type="button"
                className="hover:underline"
                onClick={(e) => {
                  e.stopPropagation();
                  onOpen(s.id);
                }}
                aria-label={`Open the submission of ${fullName(s)}`}
              >
                {formatDateTime(s.createdAt)}
              </button>
            </TableCell>
            <TableCell className="font-medium">
              {fullName(s)}
              {s.company && <span className="text-muted-foreground block text-xs">{s.company}</span>}
            </TableCell>
            <TableCell className="hidden md:table-cell">
              <span className="block max-w-56 truncate text-xs">{s.email}</span>
            </TableCell>
            <TableCell className="hidden lg:table-cell">{s.serviceInterest ?? <span className="text-muted-foreground">—</span>}</TableCell>
            <TableCell className="hidden lg:table-cell">{s.source ?? <span className="text-muted-foreground">—</span>}</TableCell>
            <TableCell>
              <SubmissionStatusBadge status={s.status} />
              {s.status === "failed" && s.error && (
                <span className="text-destructive mt-1 block max-w-64 truncate text-xs" title={s.error}>
                  {s.error}
                </span>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
