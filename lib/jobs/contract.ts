// The sync jobs API's answers (issue 17: one shape, written once): zod only, so the routes
// declare them as their responses (the OpenAPI document shows real bodies) and the screens
// (components/jobs, the integration page) import the types without the database.
import { z } from "zod";
import { timestamp } from "@/lib/contract";

export const SYNC_JOB_STATUSES = ["queued", "running", "completed", "failed", "canceled"] as const;
export type SyncJobStatus = (typeof SYNC_JOB_STATUSES)[number];

/** manual (a person), api (an API key or another area on its behalf), scheduled (auto-sync, maintenance) */
export const SYNC_TRIGGERS = ["manual", "scheduled", "api"] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

/** One sync job as the API shows it (lib/jobs/sync.ts syncJobView): not the queue's own job id. */
export const syncJob = z.object({
  id: z.string(),
  integrationId: z.string(),
  /** the provider's sync type (its definition's sync.types) */
  type: z.string(),
  status: z.enum(SYNC_JOB_STATUSES),
  trigger: z.enum(SYNC_TRIGGERS),
  requestedById: z.string().nullable(),
  processed: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  error: z.string().nullable(),
  /** what the provider's runner reported when it finished */
  details: z.unknown(),
  /** set while a running job is being canceled */
  cancelRequestedAt: timestamp.nullable(),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  createdAt: timestamp,
});
export type SyncJob = z.infer<typeof syncJob>;

/** A job in the list and on its own page: with the integration it ran for. */
export const syncJobItem = syncJob.extend({ integration: z.object({ name: z.string(), code: z.string(), provider: z.string() }) });
export type SyncJobItem = z.infer<typeof syncJobItem>;

/** GET /api/v1/jobs */
export const syncJobList = z.object({ items: z.array(syncJobItem) });
export type SyncJobList = z.infer<typeof syncJobList>;
