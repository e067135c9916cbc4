"use client";
// The Payments screen's Subscriptions tab: the list (newest first, keyset "Load older") with
// filters by status, provider and payer e-mail kept in the URL next to ?tab=subscriptions.
// Refreshes every few seconds while a subscription waits for its payer's first payment.
import * as React from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Repeat } from "lucide-react";
import { api } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { EmptyState } from "@/components/ui/empty-state";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ClearFiltersButton, RefreshingSpinner, FILTER_BAR } from "@/components/shared/filter-fields";
import { useUrlFilters, useDebouncedFilter } from "@/components/shared/url-filters";
import { PagedResults } from "@/components/shared/paged-results";
import { formatDateTime } from "@/lib/format";
import { ProviderCell } from "@/components/payments/shared";
import {
  SUBSCRIPTION_STATUS_STYLE, SubscriptionStatusBadge, everyInterval, formatDay, type SubscriptionProvider,
} from "@/components/payments/subscriptions-shared";
import { SUBSCRIPTION_STATUSES, type SubscriptionItem, type SubscriptionList } from "@/lib/payments/contract";

export const SUBSCRIPTION_FILTERS = ["status", "provider", "email"] as const;
const LIVE_MS = 3000;
const IDLE_MS = 30_000;

export function SubscriptionsTab({ canCreate, providers, onCreate }: { canCreate: boolean; providers: SubscriptionProvider[]; onCreate: () => void }) {
  const router = useRouter();
  const { filters, set: setParam } = useUrlFilters("/payments", SUBSCRIPTION_FILTERS);
  const [email, setEmail] = useDebouncedFilter(filters.email, (v) => setParam("email", v));
  const active = Object.keys(filters).length > 0;

  const list = useInfiniteQuery({
    queryKey: ["subscriptions", "list", filters],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      api<SubscriptionList>(`/api/v1/payments/subscriptions?${new URLSearchParams({ ...filters, limit: "50", ...(pageParam ? { cursor: pageParam } : {}) })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((s) => s.status === "incomplete")) ? LIVE_MS : IDLE_MS),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <form className={FILTER_BAR} onSubmit={(e) => e.preventDefault()} aria-label="Subscription filters">
        <div className="grid gap-1.5">
          <Label htmlFor="s-status">Status</Label>
          <NativeSelect id="s-status" value={filters.status ?? ""} onChange={(e) => setParam("status", e.target.value || null)}>
            <option value="">All</option>
            {SUBSCRIPTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {SUBSCRIPTION_STATUS_STYLE[s].label}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="s-provider">Provider</Label>
          <NativeSelect id="s-provider" value={filters.provider ?? ""} onChange={(e) => setParam("provider", e.target.value || null)}>
            <option value="">All</option>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="s-email">Payer</Label>
          <Input id="s-email" type="search" placeholder="name@…" value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="col-span-full flex flex-wrap items-end gap-2">
          <ClearFiltersButton
            disabled={!active}
            onClick={() => {
              setEmail("");
              router.replace("/payments?tab=subscriptions", { scroll: false });
            }}
          />
          <RefreshingSpinner query={list} />
        </div>
      </form>

      <PagedResults
        query={list}
        count={items.length}
        what="subscriptions"
        end="No older subscriptions"
        empty={
          <EmptyState icon={<Repeat />} title={active ? "No subscriptions match these filters" : canCreate ? "No subscriptions yet — create one" : "No subscriptions yet"}>
            {!active &&
              (canCreate ? (
                <Button className="mt-2" onClick={onCreate}>
                  <Repeat /> New subscription
                </Button>
              ) : (
                "Subscriptions appear here once someone creates one."
              ))}
          </EmptyState>
        }
      >
        <SubscriptionRows items={items} onOpen={(id) => router.push(`/payments/subscriptions/${id}`)} />
      </PagedResults>
    </>
  );
}

function SubscriptionRows({ items, onOpen }: { items: SubscriptionItem[]; onOpen: (id: string) => void }) {
  return (
    <Table aria-label="Subscriptions">
      <TableHeader>
        <TableRow>
          <TableHead>Plan</TableHead>
          <TableHead className="text-right">Amount</TableHead>
          <TableHead className="hidden lg:table-cell">Payer</TableHead>
          <TableHead className="hidden lg:table-cell">Provider</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="hidden md:table-cell">Current period ends</TableHead>
          <TableHead className="hidden 2xl:table-cell">Created</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((s) => (
          <TableRow key={s.id} className="cursor-pointer" onClick={() => onOpen(s.id)} data-testid="subscription-row">
            <TableCell className="max-w-64">
              <Link
                href={`/payments/subscriptions/${s.id}`}
                className="line-clamp-2 font-medium hover:underline"
                onClick={(e) => e.stopPropagation()}
                aria-label={`Open subscription ${s.plan}`}
              >
                {s.plan}
              </Link>
            </TableCell>
            <TableCell className="text-right whitespace-nowrap tabular-nums">
              <span className="font-medium">{s.amount}</span>
              <span className="text-muted-foreground block text-xs">{everyInterval(s.interval, s.intervalCount)}</span>
            </TableCell>
            <TableCell className="hidden lg:table-cell">
              <span className="block max-w-48 truncate text-xs">{s.customerEmail ?? <span className="text-muted-foreground">—</span>}</span>
            </TableCell>
            <TableCell className="hidden lg:table-cell">
              <ProviderCell p={s} />
            </TableCell>
            <TableCell>
              <span className="flex flex-wrap items-center gap-1">
                <SubscriptionStatusBadge status={s.status} />
                {s.cancelAtPeriodEnd && s.status !== "canceled" && <Badge variant="outline">Ends with the period</Badge>}
              </span>
            </TableCell>
            <TableCell className="hidden whitespace-nowrap md:table-cell">{formatDay(s.currentPeriodEnd)}</TableCell>
            <TableCell className="hidden whitespace-nowrap 2xl:table-cell">{formatDateTime(s.createdAt)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
