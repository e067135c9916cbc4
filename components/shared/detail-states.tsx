"use client";
// What a record's page shows before it has the record: skeletons while it loads, and when it
// cannot load, "There is no such <noun>." (404) or the error with "Try again".
import * as React from "react";
import { ClientApiError } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";

export function DetailLoading({ title, actions }: { title: string; actions: React.ReactNode }) {
  return (
    <>
      <PageHeader title={title} actions={actions} />
      <div className="grid gap-4" aria-label="Loading">
        <Skeleton className="h-32" />
        <Skeleton className="h-64" />
      </div>
    </>
  );
}

/** `noun` as in "There is no such payment." / "Could not load the payment: …" */
export function DetailLoadError({ title, actions, noun, error, onRetry }: { title: string; actions: React.ReactNode; noun: string; error: unknown; onRetry: () => void }) {
  const notFound = error instanceof ClientApiError && error.status === 404;
  return (
    <>
      <PageHeader title={title} actions={actions} />
      <Alert variant="destructive">
        <AlertDescription>
          {notFound ? `There is no such ${noun}.` : `Could not load the ${noun}: ${(error as Error)?.message}`}
          {!notFound && (
            <Button variant="outline" size="sm" onClick={onRetry}>
              Try again
            </Button>
          )}
        </AlertDescription>
      </Alert>
    </>
  );
}
