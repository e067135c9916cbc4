"use client";
// The operator's first screen: the health of every integration and the period's numbers
// (provider calls, messages, payments, webhooks, sync jobs, API usage, open alerts), each
// linking to the list behind it. The period is kept in the URL (?period=7d); every card
// refreshes every 30 s while the tab is visible (TanStack Query pauses hidden tabs).
import * as React from "react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { Activity, AlertTriangle, Bell, Plug, RefreshCw } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Card, CardContent } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { ApiUsageCard, CallsCard, JobsCard, MessagesCard, PaymentsCard, WebhooksCard } from "@/components/overview/cards";
import { HealthList } from "@/components/overview/health";
import { overviewLinks } from "@/lib/overview/links";
import { DEFAULT_PERIOD, PERIODS, PERIOD_NAMES, type Period } from "@/lib/overview/period";
import type {
  AlertsOverview, ApiUsageOverview, CallsOverview, HealthOverview, JobsOverview, MessagesOverview, PaymentsOverview, WebhooksOverview,
} from "@/lib/overview/queries";

export const REFRESH_MS = 30_000;

function useOverview<T>(card: string, path: string, period: Period | null) {
  return useQuery({
    queryKey: ["overview", card, period],
    queryFn: () => api<T>(period ? `${path}?period=${period}` : path),
    refetchInterval: REFRESH_MS,
    // a new period keeps the old numbers on screen until its own arrive
    placeholderData: keepPreviousData,
  });
}

function Stat({ label, value, icon, href, tone }: { label: string; value: React.ReactNode; icon: React.ReactNode; href: string; tone?: "danger" }) {
  return (
    <Link href={href} className="focus-visible:ring-ring/50 rounded-xl outline-none focus-visible:ring-[3px]">
      <Card className={`hover:border-primary/50 h-full gap-2 py-4 transition-colors ${tone === "danger" ? "border-destructive/50" : ""}`}>
        <CardContent className="flex items-center justify-between">
          <div>
            <p className="text-muted-foreground text-sm">{label}</p>
            <p className={`text-2xl font-semibold tabular-nums ${tone === "danger" ? "text-destructive" : ""}`}>{value}</p>
          </div>
          <div className="text-muted-foreground [&_svg]:size-6">{icon}</div>
        </CardContent>
      </Card>
    </Link>
  );
}

function PeriodPicker({ value, onChange }: { value: Period; onChange: (p: Period) => void }) {
  return (
    <div role="group" aria-label="Period" className="bg-muted inline-flex rounded-lg p-1">
      {PERIOD_NAMES.map((p) => (
        <Button key={p} size="sm" variant={p === value ? "default" : "ghost"} aria-pressed={p === value} onClick={() => onChange(p)}>
          {PERIODS[p].label}
        </Button>
      ))}
    </div>
  );
}

function Updated({ at, fetching, onRefresh }: { at: number; fetching: boolean; onRefresh: () => void }) {
  const [, tick] = React.useState(0);
  React.useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 10_000);
    return () => clearInterval(t);
  }, []);
  const ago = at ? Math.max(0, Math.round((Date.now() - at) / 1000)) : null;
  return (
    <div className="text-muted-foreground flex items-center gap-2 text-xs">
      <span aria-live="polite">{ago === null ? "Loading…" : ago < 5 ? "Updated just now" : `Updated ${ago < 60 ? `${ago} s` : `${Math.floor(ago / 60)} min`} ago`}</span>
      <Button variant="ghost" size="sm" onClick={onRefresh} disabled={fetching} aria-label="Refresh now">
        <RefreshCw className={fetching ? "animate-spin" : undefined} aria-hidden /> Refresh
      </Button>
    </div>
  );
}

export function Overview({ name, canManageKeys, canConnect }: { name: string; canManageKeys: boolean; canConnect: boolean }) {
  const router = useRouter();
  const params = useSearchParams();
  const asked = params.get("period");
  const period: Period = (PERIOD_NAMES as string[]).includes(asked ?? "") ? (asked as Period) : DEFAULT_PERIOD;
  const setPeriod = (p: Period) => {
    const next = new URLSearchParams(params.toString());
    if (p === DEFAULT_PERIOD) next.delete("period");
    else next.set("period", p);
    router.replace(next.size ? `/?${next}` : "/", { scroll: false });
  };

  const health = useOverview<HealthOverview>("health", "/api/v1/overview/health", period);
  const calls = useOverview<CallsOverview>("calls", "/api/v1/overview", period);
  const messages = useOverview<MessagesOverview>("messages", "/api/v1/overview/messages", period);
  const payments = useOverview<PaymentsOverview>("payments", "/api/v1/overview/payments", period);
  const webhooks = useOverview<WebhooksOverview>("webhooks", "/api/v1/overview/webhooks", period);
  const jobs = useOverview<JobsOverview>("jobs", "/api/v1/overview/jobs", period);
  const usage = useOverview<ApiUsageOverview>("api-usage", "/api/v1/overview/api-usage", period);
  const alerts = useOverview<AlertsOverview>("alerts", "/api/v1/overview/alerts", null);
  const all = [health, calls, messages, payments, webhooks, jobs, usage, alerts];

  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["overview"] });

  const h = health.data?.summary;
  const totalCalls = calls.data?.calls.reduce((s, c) => s + c.success + c.error, 0) ?? 0;
  const failedCalls = calls.data?.calls.reduce((s, c) => s + c.error, 0) ?? 0;
  const openAlerts = alerts.data?.open ?? 0;

  return (
    <>
      <PageHeader
        title="Overview"
        description={`Welcome, ${name}. The health of every integration and what went through them, refreshed every ${REFRESH_MS / 1000} s.`}
        actions={
          <>
            <Updated at={Math.max(...all.map((q) => q.dataUpdatedAt))} fetching={all.some((q) => q.isFetching)} onRefresh={refresh} />
            <PeriodPicker value={period} onChange={setPeriod} />
          </>
        }
      />

      <div className="mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Integrations" value={h ? `${h.total}` : "…"} icon={<Plug />} href={overviewLinks.integrations()} />
        <Stat
          label="Need attention"
          value={h ? h.attention : "…"}
          icon={<AlertTriangle />}
          href="#integration-health"
          tone={h?.attention ? "danger" : undefined}
        />
        <Stat label="Open alerts" value={alerts.isPending ? "…" : alerts.isError ? "?" : openAlerts} icon={<Bell />} href={overviewLinks.alerts()} tone={openAlerts ? "danger" : undefined} />
        <Stat
          label={`Provider calls, ${PERIODS[period].label} (failed)`}
          value={calls.data ? `${totalCalls} (${failedCalls})` : "…"}
          icon={<Activity />}
          href={calls.data ? overviewLinks.logs(calls.data.from, { status: "error" }) : "/logs?status=error"}
        />
      </div>

      <section id="integration-health" aria-labelledby="health-title" className="mb-6 scroll-mt-4">
        <h2 id="health-title" className="mb-3 text-lg font-semibold">
          Integration health
          {h && (
            <span className="text-muted-foreground ml-2 text-sm font-normal">
              {h.active} active · {h.error} in error · {h.sandbox} sandbox · {h.live} live
            </span>
          )}
        </h2>
        <HealthList query={health} period={period} canConnect={canConnect} />
      </section>

      <h2 className="mb-3 text-lg font-semibold">Last {PERIODS[period].label}</h2>
      <div className="grid gap-4 lg:grid-cols-2">
        <CallsCard query={calls} period={period} />
        <MessagesCard query={messages} period={period} />
        <PaymentsCard query={payments} period={period} />
        <WebhooksCard query={webhooks} period={period} />
        <JobsCard query={jobs} period={period} />
        <ApiUsageCard query={usage} period={period} canManageKeys={canManageKeys} />
      </div>
    </>
  );
}
