"use client";
// The states of a keyset-paginated list: error, loading, empty, then the rows with a footer
// that loads older pages.
import * as React from "react";
import type { UseInfiniteQueryResult } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";

export function PagedResults({
  query,
  count,
  what,
  empty,
  end,
  children,
}: {
  query: UseInfiniteQueryResult;
  count: number;
  /** "logs", "webhooks": in "Could not load …" */
  what: string;
  /** shown when there is nothing */
  empty: React.ReactNode;
  /** the footer once every page is loaded: "End of the log" */
  end: string;
  children: React.ReactNode;
}) {
  if (query.isError) {
    return (
      <Alert variant="destructive">
        <AlertDescription>
          Could not load {what}: {(query.error as Error).message}
          <Button variant="outline" size="sm" onClick={() => query.refetch()}>
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  }
  if (query.isPending) {
    return (
      <div className="grid gap-2" aria-label="Loading">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-10" />
        ))}
      </div>
    );
  }
  if (count === 0) return <>{empty}</>;
  return (
    <div className="rounded-lg border">
      {children}
      <div className="flex items-center justify-between border-t p-3 text-sm">
        <span className="text-muted-foreground">{count} shown, newest first</span>
        {query.hasNextPage ? (
          <Button variant="outline" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage && <Loader2 className="animate-spin" />} Load older
          </Button>
        ) : (
          <span className="text-muted-foreground">{end}</span>
        )}
      </div>
    </div>
  );
}
