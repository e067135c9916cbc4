"use client";
// The frame every overview card shares: a titled region with a link to the list behind it,
// and the loading, error (with a retry) and empty states of its query.
import * as React from "react";
import Link from "next/link";
import type { UseQueryResult } from "@tanstack/react-query";
import { ArrowRight } from "lucide-react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

export function ChartCard<T>({
  title,
  description,
  query,
  isEmpty,
  empty,
  action,
  className,
  children,
}: {
  title: string;
  description?: React.ReactNode;
  query: UseQueryResult<T>;
  isEmpty?: (data: T) => boolean;
  empty?: string;
  /** the list behind the card */
  action?: { href: string; label: string } | null;
  className?: string;
  children: (data: T) => React.ReactNode;
}) {
  const id = React.useId();
  return (
    <Card role="region" aria-labelledby={id} aria-busy={query.isFetching} className={cn("gap-3", className)}>
      <CardHeader className="flex-row items-start justify-between gap-2">
        <div className="grid gap-1">
          <CardTitle id={id} className="text-base">
            {title}
          </CardTitle>
          {description && <CardDescription>{description}</CardDescription>}
        </div>
        {action && (
          <Link href={action.href} className="text-primary inline-flex shrink-0 items-center gap-1 text-sm underline-offset-4 hover:underline">
            {action.label} <ArrowRight className="size-3.5" aria-hidden />
          </Link>
        )}
      </CardHeader>
      <CardContent className="grid gap-3">
        {query.isPending ? (
          <Skeleton className="h-48" />
        ) : query.isError ? (
          <p className="text-destructive text-sm" role="alert">
            Could not load the numbers: {(query.error as Error).message}{" "}
            <Button variant="link" size="sm" className="h-auto p-0" onClick={() => void query.refetch()}>
              Try again
            </Button>
          </p>
        ) : isEmpty?.(query.data) ? (
          <p className="text-muted-foreground text-sm">{empty ?? "Nothing in this period."}</p>
        ) : (
          children(query.data)
        )}
      </CardContent>
    </Card>
  );
}

/** A number that opens the list behind it; a zero stays plain text. */
export function CountLink({ n, href, label }: { n: number; href: string; label: string }) {
  if (!n) return <span className="text-muted-foreground tabular-nums">0</span>;
  return (
    <Link href={href} className="text-primary font-medium tabular-nums underline-offset-4 hover:underline" aria-label={label}>
      {n.toLocaleString()}
    </Link>
  );
}

export type StatusCount = { key: string; label: string; color: string; n: number; href: string };

/** Statuses as a row of chips, each linking to the list filtered by it (zeros too: the list says so). */
export function StatusLinks({ label, items }: { label: string; items: StatusCount[] }) {
  return (
    <ul className="flex flex-wrap gap-2" aria-label={label}>
      {items.map((s) => (
        <li key={s.key}>
          <Link
            href={s.href}
            className="hover:bg-accent focus-visible:ring-ring/50 inline-flex items-center gap-1.5 rounded-md border px-2 py-1 text-sm outline-none focus-visible:ring-[3px]"
          >
            <span className="inline-block size-2 rounded-full" style={{ background: s.color }} aria-hidden />
            {s.label}
            <span className="tabular-nums font-medium">{s.n.toLocaleString()}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
