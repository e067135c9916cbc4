"use client";
import * as React from "react";
import { useSearchParams } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { NativeSelect } from "@/components/ui/select";
import { Label } from "@/components/ui/label";
import { JobsTable } from "@/components/jobs/jobs-table";
import type { SyncJobList } from "@/lib/jobs/contract";
import { IntegrationSelect } from "@/components/shared/filter-fields";

export function JobsPage({ canRun }: { canRun: boolean }) {
  // links from the overview open the list already filtered (/jobs?status=failed)
  const params = useSearchParams();
  const [status, setStatus] = React.useState(params.get("status") ?? "");
  const [integrationId, setIntegrationId] = React.useState(params.get("integrationId") ?? "");
  const jobs = useQuery({
    queryKey: ["jobs", { status, integrationId }],
    queryFn: () => api<SyncJobList>(`/api/v1/jobs?${new URLSearchParams({ ...(status ? { status } : {}), ...(integrationId ? { integrationId } : {}), limit: "100" })}`),
    refetchInterval: (q) => (q.state.data?.items.some((j) => j.status === "queued" || j.status === "running") ? 1500 : 10_000),
  });
  return (
    <>
      <PageHeader title="Jobs" description="Sync jobs: scheduled by auto-sync or started by hand, with their counts and outcome. Start one from an integration's page." />
      <div className="mb-4 flex flex-col gap-3 sm:flex-row">
        <IntegrationSelect id="j-integration" className="grid gap-1.5 sm:w-64" value={integrationId} onChange={setIntegrationId} />
        <div className="grid gap-1.5 sm:w-48">
          <Label htmlFor="j-status">Status</Label>
          <NativeSelect id="j-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            {["queued", "running", "completed", "failed", "canceled"].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </NativeSelect>
        </div>
      </div>
      <div className="rounded-lg border p-2">
        <JobsTable query={jobs} canCancel={canRun} />
      </div>
    </>
  );
}
