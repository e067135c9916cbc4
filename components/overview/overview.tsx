"use client";
import * as React from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis, Legend } from "recharts";
import { Activity, AlertTriangle, CheckCircle2, Plug } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { ModeBadge, StatusBadge } from "@/components/integrations/status";
import { timeAgo } from "@/lib/format";

type Health = {
  id: string;
  code: string;
  name: string;
  provider: string;
  category: string;
  status: string;
  mode: string;
  lastTest: { at: string; ok: boolean | null; message: string | null } | null;
  lastSuccessAt: string | null;
  lastError: { at: string | null; message: string } | null;
  calls24h: number;
  errors24h: number;
};

function Stat({ label, value, icon, href }: { label: string; value: React.ReactNode; icon: React.ReactNode; href: string }) {
  return (
    <Link href={href} className="focus-visible:ring-ring/50 rounded-xl outline-none focus-visible:ring-[3px]">
      <Card className="hover:border-primary/50 gap-2 py-4 transition-colors">
        <CardContent className="flex items-center justify-between">
          <div>
            <p className="text-muted-foreground text-sm">{label}</p>
            <p className="text-2xl font-semibold tabular-nums">{value}</p>
          </div>
          <div className="text-muted-foreground [&_svg]:size-6">{icon}</div>
        </CardContent>
      </Card>
    </Link>
  );
}

export function Overview({ name }: { name: string }) {
  const health = useQuery({ queryKey: ["integrations-health"], queryFn: () => api<{ items: Health[] }>("/api/v1/integrations/health"), refetchInterval: 15_000 });
  const stats = useQuery({
    queryKey: ["overview-calls"],
    queryFn: () => api<{ calls: { hour: string; success: number; error: number }[] }>("/api/v1/overview"),
    refetchInterval: 30_000,
  });
  const items = health.data?.items ?? [];
  const calls = stats.data?.calls ?? [];
  const total = calls.reduce((s, c) => s + c.success + c.error, 0);
  const failed = calls.reduce((s, c) => s + c.error, 0);
  const chart = calls.map((c) => ({ ...c, label: new Date(c.hour).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }) }));

  return (
    <>
      <PageHeader title="Overview" description={`Welcome, ${name}. The health of every integration, refreshed automatically.`} />
      <div className="mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Integrations" value={health.isPending ? "…" : items.length} icon={<Plug />} href="/integrations" />
        <Stat label="Healthy" value={health.isPending ? "…" : items.filter((i) => i.status === "active").length} icon={<CheckCircle2 />} href="/integrations?status=active" />
        <Stat label="Need attention" value={health.isPending ? "…" : items.filter((i) => i.status === "error" || i.status === "testing").length} icon={<AlertTriangle />} href="/integrations?status=error" />
        <Stat label="Calls in 24 h (failed)" value={stats.isPending ? "…" : `${total} (${failed})`} icon={<Activity />} href="/logs?status=error" />
      </div>

      <Card className="mb-6">
        <CardHeader>
          <CardTitle>Provider calls, last 24 hours</CardTitle>
          <CardDescription>Per hour, successful and failed</CardDescription>
        </CardHeader>
        <CardContent>
          {stats.isPending ? (
            <Skeleton className="h-56" />
          ) : stats.isError ? (
            <p className="text-destructive text-sm">Could not load the numbers.</p>
          ) : total === 0 ? (
            <p className="text-muted-foreground text-sm">No provider calls in the last 24 hours.</p>
          ) : (
            <div className="h-56" role="img" aria-label={`${total} calls in the last 24 hours, ${failed} failed`}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={chart}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} className="stroke-border" />
                  <XAxis dataKey="label" tickLine={false} fontSize={12} interval="preserveStartEnd" />
                  <YAxis allowDecimals={false} tickLine={false} fontSize={12} width={32} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="success" name="Succeeded" stackId="a" fill="var(--chart-1)" />
                  <Bar dataKey="error" name="Failed" stackId="a" fill="var(--chart-2)" />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </CardContent>
      </Card>

      <h2 className="mb-3 text-lg font-semibold">Integration health</h2>
      {health.isError ? (
        <Alert variant="destructive">
          <AlertDescription>Could not load integration health: {(health.error as Error).message}</AlertDescription>
        </Alert>
      ) : health.isPending ? (
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {Array.from({ length: 3 }, (_, i) => (
            <Skeleton key={i} className="h-36" />
          ))}
        </div>
      ) : items.length === 0 ? (
        <EmptyState icon={<Plug />} title="No integrations yet">
          <Link className="text-primary underline" href="/integrations/new">
            Connect the first provider
          </Link>
        </EmptyState>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label="Integration health">
          {items.map((i) => (
            <li key={i.id}>
              <Link href={`/integrations/${i.id}`} className="focus-visible:ring-ring/50 block rounded-xl outline-none focus-visible:ring-[3px]">
                <Card className="hover:border-primary/50 h-full gap-3 transition-colors">
                  <CardHeader>
                    <CardTitle className="flex items-center justify-between gap-2">
                      <span className="truncate">{i.name}</span>
                      <StatusBadge status={i.status} />
                    </CardTitle>
                    <CardDescription className="flex items-center gap-2">
                      {i.provider} <ModeBadge mode={i.mode} />
                    </CardDescription>
                  </CardHeader>
                  <CardContent className="grid gap-1 text-sm">
                    <p>
                      <span className="text-muted-foreground">Last success: </span>
                      {timeAgo(i.lastSuccessAt)}
                    </p>
                    <p>
                      <span className="text-muted-foreground">Calls 24 h: </span>
                      {i.calls24h} <span className={i.errors24h ? "text-destructive" : "text-muted-foreground"}>({i.errors24h} failed)</span>
                    </p>
                    {i.lastError && i.status === "error" && <p className="text-destructive truncate" title={i.lastError.message}>{i.lastError.message}</p>}
                  </CardContent>
                </Card>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
