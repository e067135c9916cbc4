"use client";
// Payments, in two tabs (?tab=subscriptions): the payments and the subscriptions
// (components/payments/subscriptions-tab.tsx). Payments: counts by status (each a filter), totals per currency, net revenue by day and
// currency, the list with filters kept in the URL and keyset "Load older", and "Create payment
// link" for those who may. Refreshes every few seconds while a payment waits for its payer.
import * as React from "react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useInfiniteQuery, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { CreditCard, Link2, Repeat } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { DateTimeFilter, ClearFiltersButton, RefreshingSpinner, FILTER_BAR } from "@/components/shared/filter-fields";
import { useUrlFilters, useDebouncedFilter } from "@/components/shared/url-filters";
import { PagedResults } from "@/components/shared/paged-results";
import { formatDateTime } from "@/lib/format";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { CreatePaymentDialog } from "@/components/payments/create-dialog";
import { CreateSubscriptionDialog } from "@/components/payments/subscriptions-create-dialog";
import { SubscriptionsTab } from "@/components/payments/subscriptions-tab";
import type { SubscriptionProvider } from "@/components/payments/subscriptions-shared";
import {
  CURRENCIES, OPEN_STATUSES, PAID_STATUSES, PAYMENT_STATUS_STYLE, PaymentStatusBadge, ProviderCell,
  majorForChart, money, type PaymentProvider,
} from "@/components/payments/shared";
import { PAYMENT_STATUSES, type PaymentItem, type PaymentStats, type PaymentStatus } from "@/lib/payments/contract";

const FILTERS = ["status", "provider", "currency", "email", "from", "until"] as const;
const LIVE_MS = 3000;
const IDLE_MS = 30_000;
const SERIES = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "var(--chart-4)", "var(--chart-5)"];

const waiting = (p: Pick<PaymentItem, "status">) => OPEN_STATUSES.includes(p.status);

/** defaultCurrency: the organisation's (Settings), preselected in "Create payment link" */
export function PaymentsPage({
  canCreate,
  defaultCurrency,
  providers,
  subscriptionProviders,
}: {
  canCreate: boolean;
  defaultCurrency: string;
  providers: PaymentProvider[];
  /** the providers whose definitions declare subscriptions */
  subscriptionProviders: SubscriptionProvider[];
}) {
  const router = useRouter();
  const params = useSearchParams();
  const tab: Tab = params.get("tab") === "subscriptions" ? "subscriptions" : "payments";
  const [creating, setCreating] = React.useState<Tab | null>(null);
  return (
    <>
      <PageHeader
        title="Payments"
        description={`Payment links, payments and subscriptions through ${providers.map((p) => p.name).join(", ").replace(/, ([^,]*)$/, " and $1")}: followed by the providers' signed events and status checks, refunded and canceled from here.`}
        actions={
          canCreate &&
          (tab === "payments" ? (
            <Button onClick={() => setCreating("payments")}>
              <Link2 /> Create payment link
            </Button>
          ) : (
            <Button onClick={() => setCreating("subscriptions")}>
              <Repeat /> New subscription
            </Button>
          ))
        }
      />
      {/* each tab keeps its own filters in the URL: switching tabs starts the other one unfiltered */}
      <Tabs value={tab} onValueChange={(v) => router.replace(v === "subscriptions" ? "/payments?tab=subscriptions" : "/payments", { scroll: false })} className="gap-4">
        <TabsList aria-label="Payments and subscriptions">
          <TabsTrigger value="payments">Payments</TabsTrigger>
          <TabsTrigger value="subscriptions">Subscriptions</TabsTrigger>
        </TabsList>
        <TabsContent value="payments">
          <PaymentsTab canCreate={canCreate} providers={providers} onCreate={() => setCreating("payments")} />
        </TabsContent>
        <TabsContent value="subscriptions">
          <SubscriptionsTab canCreate={canCreate} providers={subscriptionProviders} onCreate={() => setCreating("subscriptions")} />
        </TabsContent>
      </Tabs>
      {canCreate && <CreatePaymentDialog open={creating === "payments"} onOpenChange={(o) => setCreating(o ? "payments" : null)} defaultCurrency={defaultCurrency} />}
      {canCreate && (
        <CreateSubscriptionDialog
          open={creating === "subscriptions"}
          onOpenChange={(o) => setCreating(o ? "subscriptions" : null)}
          defaultCurrency={defaultCurrency}
          providers={subscriptionProviders}
        />
      )}
    </>
  );
}

type Tab = "payments" | "subscriptions";

function PaymentsTab({ canCreate, providers, onCreate }: { canCreate: boolean; providers: PaymentProvider[]; onCreate: () => void }) {
  const router = useRouter();
  const { filters, set: setParam, clear } = useUrlFilters("/payments", FILTERS);
  const [email, setEmail] = useDebouncedFilter(filters.email, (v) => setParam("email", v));

  const list = useInfiniteQuery({
    queryKey: ["payments", "list", filters],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      api<{ items: PaymentItem[]; nextCursor: string | null }>(`/api/v1/payments?${new URLSearchParams({ ...filters, limit: "50", ...(pageParam ? { cursor: pageParam } : {}) })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some(waiting)) ? LIVE_MS : IDLE_MS),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const live = items.some(waiting);

  const { status: _omit, ...statFilters } = filters;
  const stats = useQuery({
    queryKey: ["payments", "stats", statFilters],
    queryFn: () => api<PaymentStats>(`/api/v1/payments/stats?${new URLSearchParams({ days: "30", ...statFilters })}`),
    refetchInterval: live ? LIVE_MS : IDLE_MS,
  });
  const active = Object.keys(filters).length > 0;

  // the totals follow the list: when a status in it changes, ask for them again at once
  const statuses = items.map((p) => p.status).join();
  const refetchStats = stats.refetch;
  React.useEffect(() => {
    if (statuses) void refetchStats();
  }, [statuses, refetchStats]);

  const countOf = (s: PaymentStatus) => stats.data?.totals.filter((t) => t.status === s).reduce((a, t) => a + t.count, 0) ?? 0;

  return (
    <>
      <div className="mb-4 flex flex-wrap gap-2" role="group" aria-label="Payments by status">
        {PAYMENT_STATUSES.map((s) => {
          const selected = filters.status === s;
          return (
            <Button key={s} variant={selected ? "default" : "outline"} size="sm" aria-pressed={selected} onClick={() => setParam("status", selected ? null : s)}>
              <span className="inline-block size-2 rounded-full" style={{ background: PAYMENT_STATUS_STYLE[s].color }} aria-hidden />
              {PAYMENT_STATUS_STYLE[s].label}
              <span className="tabular-nums" data-testid={`count-${s}`}>
                {stats.data ? countOf(s) : "…"}
              </span>
            </Button>
          );
        })}
      </div>

      {/* both columns end on one line: the totals stretch to the row, the chart grows to fill its card */}
      <div className="mb-4 grid gap-4 lg:grid-cols-[2fr_3fr]" data-testid="payments-summary">
        <CurrencyTotals stats={stats} />
        <Card className="flex flex-col" data-testid="revenue-card">
          <CardHeader>
            <CardTitle className="text-base">Net revenue by day</CardTitle>
            <CardDescription>
              {stats.data ? `${formatDateTime(stats.data.from, { hour: undefined, minute: undefined, second: undefined })} – ${formatDateTime(stats.data.until, { hour: undefined, minute: undefined, second: undefined })}` : "Last 30 days"}
              {" · "}captured minus refunded, per currency
            </CardDescription>
          </CardHeader>
          <CardContent className="flex min-h-0 flex-1 flex-col">
            <RevenueChart stats={stats} />
          </CardContent>
        </Card>
      </div>

      <form className={FILTER_BAR} onSubmit={(e) => e.preventDefault()} aria-label="Payment filters">
        <div className="grid gap-1.5">
          <Label htmlFor="p-provider">Provider</Label>
          <NativeSelect id="p-provider" value={filters.provider ?? ""} onChange={(e) => setParam("provider", e.target.value || null)}>
            <option value="">All</option>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="p-currency">Currency</Label>
          <NativeSelect id="p-currency" value={filters.currency ?? ""} onChange={(e) => setParam("currency", e.target.value || null)}>
            <option value="">All</option>
            {[...new Set([...(stats.data?.totals.map((t) => t.currency) ?? []), ...CURRENCIES, ...(filters.currency ? [filters.currency] : [])])].map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="p-email">Customer</Label>
          <Input id="p-email" type="search" placeholder="name@…" value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <DateTimeFilter id="p-from" label="From" value={filters.from} onChange={(v) => setParam("from", v)} />
        <DateTimeFilter id="p-until" label="Until" value={filters.until} onChange={(v) => setParam("until", v)} />
        <div className="flex flex-wrap items-end gap-2 col-span-full">
          <ClearFiltersButton disabled={!active} onClick={() => {
              setEmail("");
              clear();
            }} />
          <RefreshingSpinner query={list} />
        </div>
      </form>

      <PagedResults
        query={list}
        count={items.length}
        what="payments"
        end="No older payments"
        empty={
          <EmptyState icon={<CreditCard />} title={active ? "No payments match these filters" : canCreate ? "No payments yet — create a payment link" : "No payments yet"}>
            {!active &&
              (canCreate ? (
                <Button className="mt-2" onClick={onCreate}>
                  <Link2 /> Create payment link
                </Button>
              ) : (
                "Payments appear here as the API and the dispatchers create them."
              ))}
          </EmptyState>
        }
      >
        <PaymentRows items={items} onOpen={(id) => router.push(`/payments/${id}`)} />
      </PagedResults>
    </>
  );
}

function StatsProblem({ stats }: { stats: UseQueryResult<PaymentStats> }) {
  return (
    <p className="text-destructive text-sm">
      Could not load the numbers: {(stats.error as Error).message}{" "}
      <Button variant="link" size="sm" className="h-auto p-0" onClick={() => stats.refetch()}>
        Try again
      </Button>
    </p>
  );
}

function CurrencyTotals({ stats }: { stats: UseQueryResult<PaymentStats> }) {
  if (stats.isPending) return <Skeleton className="h-56" />;
  if (stats.isError)
    return (
      <Card>
        <CardContent className="pt-6">
          <StatsProblem stats={stats} />
        </CardContent>
      </Card>
    );
  const currencies = [...new Set(stats.data.totals.map((t) => t.currency))].sort();
  if (!currencies.length)
    return (
      <Card>
        <CardHeader>
          <CardTitle className="text-base">Totals</CardTitle>
          <CardDescription>No payments in this period.</CardDescription>
        </CardHeader>
      </Card>
    );
  return (
    <div className="grid auto-rows-fr gap-4 sm:grid-cols-2 lg:grid-cols-1 xl:grid-cols-2" aria-label="Totals by currency" role="list">
      {currencies.map((c) => {
        const rows = stats.data.totals.filter((t) => t.currency === c);
        const paid = rows.filter((t) => PAID_STATUSES.includes(t.status));
        const net = stats.data.revenue.filter((r) => r.currency === c).reduce((a, r) => a + r.netMinor, 0);
        const count = rows.reduce((a, t) => a + t.count, 0);
        return (
          <Card key={c} role="listitem" aria-label={`${c} totals`} data-testid={`totals-${c}`}>
            <CardHeader>
              <CardDescription>
                {c} · {count} payment{count === 1 ? "" : "s"}
              </CardDescription>
              <CardTitle className="text-xl tabular-nums">{money(net, c)}</CardTitle>
              <p className="text-muted-foreground text-xs">
                net of refunds · {paid.reduce((a, t) => a + t.count, 0)} paid
              </p>
            </CardHeader>
            <CardContent>
              <ul className="grid gap-1 text-sm">
                {PAYMENT_STATUSES.map((s) => rows.find((t) => t.status === s))
                  .filter((t) => !!t)
                  .map((t) => (
                    <li key={t.status} className="flex items-center justify-between gap-2">
                      <span className="flex items-center gap-2">
                        <span className="inline-block size-2 rounded-full" style={{ background: PAYMENT_STATUS_STYLE[t.status].color }} aria-hidden />
                        {PAYMENT_STATUS_STYLE[t.status].label}
                        <span className="text-muted-foreground tabular-nums">{t.count}</span>
                      </span>
                      <span className="tabular-nums">{money(t.amountMinor, c)}</span>
                    </li>
                  ))}
              </ul>
            </CardContent>
          </Card>
        );
      })}
    </div>
  );
}

function RevenueChart({ stats }: { stats: UseQueryResult<PaymentStats> }) {
  if (stats.isPending) return <Skeleton className="h-56" />;
  if (stats.isError) return <StatsProblem stats={stats} />;
  const s = stats.data;
  if (!s.revenue.length) return <p className="text-muted-foreground text-sm">No paid payments in this period.</p>;
  const currencies = [...new Set(s.revenue.map((r) => r.currency))].sort();
  const days = [...new Set(s.revenue.map((r) => r.day))].sort();
  const data = days.map((day) => ({
    day,
    ...Object.fromEntries(s.revenue.filter((r) => r.day === day).map((r) => [r.currency, majorForChart(r.netMinor, r.currency)])),
  }));
  const summary = currencies
    .map((c) => `${money(s.revenue.filter((r) => r.currency === c).reduce((a, r) => a + r.netMinor, 0), c)}`)
    .join(", ");
  return (
    <div className="h-full min-h-56 flex-1" role="img" aria-label={`Net revenue over ${days.length} day${days.length === 1 ? "" : "s"}: ${summary}`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ left: 8, right: 8, top: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} className="stroke-border" />
          <XAxis dataKey="day" tickLine={false} fontSize={12} tickFormatter={(d: string) => d.slice(5)} />
          <YAxis tickLine={false} fontSize={12} width={64} />
          <Tooltip formatter={(v, name) => [`${v} ${String(name)}`, String(name)]} />
          <Legend />
          {currencies.map((c, i) => (
            <Line key={c} type="monotone" dataKey={c} name={c} stroke={SERIES[i % SERIES.length]} strokeWidth={2} dot={{ r: 3 }} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

function PaymentRows({ items, onOpen }: { items: PaymentItem[]; onOpen: (id: string) => void }) {
  return (
    <Table aria-label="Payments">
      <TableHeader>
        <TableRow>
          <TableHead>Time</TableHead>
          <TableHead className="text-right">Amount</TableHead>
          <TableHead className="hidden md:table-cell">Description</TableHead>
          <TableHead className="hidden lg:table-cell">Customer</TableHead>
          <TableHead className="hidden lg:table-cell">Provider</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="hidden text-right sm:table-cell">Refunded</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((p) => (
          <TableRow key={p.id} className="cursor-pointer" onClick={() => onOpen(p.id)} data-testid="payment-row">
            <TableCell className="whitespace-nowrap">
              <Link
                href={`/payments/${p.id}`}
                className="hover:underline"
                onClick={(e) => e.stopPropagation()}
                aria-label={`Open payment ${p.amount}${p.description ? `: ${p.description}` : ""}`}
              >
                {formatDateTime(p.createdAt)}
              </Link>
            </TableCell>
            <TableCell className="text-right font-medium whitespace-nowrap tabular-nums">{money(p.amountMinor, p.currency)}</TableCell>
            <TableCell className="hidden max-w-72 md:table-cell">
              <span className="line-clamp-2">{p.description ?? <span className="text-muted-foreground">—</span>}</span>
            </TableCell>
            <TableCell className="hidden lg:table-cell">
              <span className="block max-w-48 truncate text-xs">{p.customerEmail ?? <span className="text-muted-foreground">—</span>}</span>
            </TableCell>
            <TableCell className="hidden lg:table-cell">
              <ProviderCell p={p} />
            </TableCell>
            <TableCell>
              <PaymentStatusBadge status={p.status} />
              {p.error && (
                <span className="text-destructive mt-1 block max-w-64 truncate text-xs" title={p.error}>
                  {p.error}
                </span>
              )}
            </TableCell>
            <TableCell className="hidden text-right whitespace-nowrap tabular-nums sm:table-cell">
              {p.refundedMinor > 0 ? money(p.refundedMinor, p.currency) : <span className="text-muted-foreground">—</span>}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
