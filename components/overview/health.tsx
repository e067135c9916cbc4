"use client";
// One card per integration: status, sandbox or live, last success, calls and error rate over
// the period, the OAuth token's state, and what needs a person; each opens its integration.
import Link from "next/link";
import type { UseQueryResult } from "@tanstack/react-query";
import { AlertTriangle, KeyRound, Plug } from "lucide-react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ModeBadge, StatusBadge } from "@/components/integrations/status";
import { formatDateTime, timeAgo } from "@/lib/format";
import { overviewLinks } from "@/lib/overview/links";
import { PERIODS, type Period } from "@/lib/overview/period";
import type { HealthItem, HealthOverview } from "@/lib/overview/queries";

function TokenLine({ oauth }: { oauth: NonNullable<HealthItem["oauth"]> }) {
  const text =
    oauth.state === "not_connected"
      ? "Not connected yet"
      : oauth.state === "no_token"
        ? "Token fetched when first needed"
        : oauth.needsReconnect
          ? "Needs reconnect"
          : oauth.refreshTokenExpiresAt
            ? `Authorization expires ${timeAgo(oauth.refreshTokenExpiresAt)}`
            : oauth.expiresAt
              ? `Token renews ${timeAgo(oauth.expiresAt)}`
              : "Connected";
  const bad = oauth.needsReconnect;
  return (
    <p className="flex items-center gap-1.5" title={oauth.lastError ?? (oauth.refreshTokenExpiresAt ? formatDateTime(oauth.refreshTokenExpiresAt) : undefined)}>
      <KeyRound className="text-muted-foreground size-3.5" aria-hidden />
      <span className="text-muted-foreground">OAuth: </span>
      <span className={bad ? "text-destructive font-medium" : oauth.expiresSoon ? "font-medium text-warning" : undefined}>{text}</span>
    </p>
  );
}

export function HealthList({ query, period, canConnect }: { query: UseQueryResult<HealthOverview>; period: Period; canConnect: boolean }) {
  if (query.isError)
    return (
      <Alert variant="destructive">
        <AlertDescription>
          Could not load integration health: {(query.error as Error).message}{" "}
          <Button variant="link" size="sm" className="h-auto p-0" onClick={() => void query.refetch()}>
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  if (query.isPending)
    return (
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} className="h-40" />
        ))}
      </div>
    );
  const { items } = query.data;
  if (items.length === 0)
    return (
      <EmptyState icon={<Plug />} title="No integrations yet">
        {canConnect ? (
          <Link className="text-primary underline" href="/integrations/new">
            Connect the first provider
          </Link>
        ) : (
          "An administrator connects the providers; their health shows here."
        )}
      </EmptyState>
    );
  // what needs a person first, then the rest in their usual order
  const sorted = [...items].sort((a, b) => Number(b.attention.length > 0) - Number(a.attention.length > 0));
  return (
    <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label="Integration health">
      {sorted.map((i) => (
        <li key={i.id}>
          <Link href={overviewLinks.integration(i.id)} className="focus-visible:ring-ring/50 block h-full rounded-xl outline-none focus-visible:ring-[3px]">
            <Card className={`hover:border-primary/50 h-full gap-3 transition-colors ${i.attention.length ? "border-destructive/40" : ""}`}>
              <CardHeader>
                <CardTitle className="flex items-center justify-between gap-2">
                  <span className="truncate">{i.name}</span>
                  <StatusBadge status={i.status} />
                </CardTitle>
                <CardDescription className="flex items-center gap-2">
                  {i.providerName} <ModeBadge mode={i.mode} />
                </CardDescription>
              </CardHeader>
              <CardContent className="grid gap-1 text-sm">
                <p title={i.lastSuccessAt ? formatDateTime(i.lastSuccessAt) : undefined}>
                  <span className="text-muted-foreground">Last success: </span>
                  {timeAgo(i.lastSuccessAt)}
                </p>
                <p>
                  <span className="text-muted-foreground">Calls, {PERIODS[period].label}: </span>
                  <span className="tabular-nums">{i.calls}</span>{" "}
                  <span className={i.errors ? "text-destructive" : "text-muted-foreground"}>
                    ({i.errors} failed{i.errorRate !== null ? `, ${Math.round(i.errorRate * 100)}%` : ""})
                  </span>
                </p>
                {i.oauth && <TokenLine oauth={i.oauth} />}
                {i.lastError && i.status === "error" && (
                  <p className="text-destructive truncate" title={i.lastError}>
                    {i.lastError}
                  </p>
                )}
                {i.attention.length > 0 && (
                  <p className="flex flex-wrap items-center gap-1" aria-label={`Needs attention: ${i.attention.join(", ")}`}>
                    <AlertTriangle className="text-destructive size-3.5" aria-hidden />
                    {i.attention.map((a) => (
                      <Badge key={a} variant="danger">
                        {a}
                      </Badge>
                    ))}
                  </p>
                )}
              </CardContent>
            </Card>
          </Link>
        </li>
      ))}
    </ul>
  );
}
