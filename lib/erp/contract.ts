// The 1C (ERP) API's answers (issue 17: one shape, written once): zod only, so the routes
// declare them as their responses (the OpenAPI document shows real bodies) and the 1C screens
// (components/erp) import the types without the database. camelCase like the rest of the API.
import { z } from "zod";
import { timestamp } from "@/lib/contract";
import { INTEGRATION_MODES, INTEGRATION_STATUSES } from "@/lib/integrations/contract";
import { ENTITY_TYPES } from "@/lib/providers/onec/mapping";

export const LINK_STATUSES = ["pending", "synced", "failed"] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

/** what an attempt did in 1C: create / update (PATCH) / recreate (deleted in 1C) / delete (DeletionMark) / unchanged / skipped */
export const SYNC_OPERATIONS = ["create", "update", "recreate", "delete", "unchanged", "skipped"] as const;
export type SyncOperation = (typeof SYNC_OPERATIONS)[number];

const entityType = z.enum(ENTITY_TYPES);

/** An entity's link to its 1C object (lib/erp/links.ts linkView). */
export const erpLink = z.object({
  id: z.string(),
  integrationId: z.string(),
  /** in the list and on its own page */
  integrationName: z.string().optional(),
  entityType,
  entityId: z.string(),
  /** in the list and on its own page: the entity as people name it (null once it is deleted) */
  entityLabel: z.string().nullable().optional(),
  /** the 1C object (Catalog_Контрагенты …) */
  object: z.string(),
  /** the 1C object's Ref_Key */
  refKey: z.string().nullable(),
  status: z.enum(LINK_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: timestamp.nullable(),
  lastError: z.string().nullable(),
  lastSyncedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type ErpLink = z.infer<typeof erpLink>;

/** One 1C call of a link's sync log: its request and response, redacted. */
export const erpLog = z.object({
  id: z.string(),
  operation: z.string(),
  ok: z.boolean(),
  httpStatus: z.number().int().nullable(),
  request: z.object({ method: z.string(), url: z.string(), body: z.unknown().optional() }).nullable(),
  response: z.object({ status: z.number().int().nullable(), body: z.unknown() }).nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  createdAt: timestamp,
});
export type ErpLog = z.infer<typeof erpLog>;

/** GET /api/v1/erp/links: newest first, with counts by status for the same filters */
export const erpLinkList = z.object({
  items: z.array(erpLink),
  nextCursor: z.string().nullable(),
  counts: z.object({ pending: z.number().int(), synced: z.number().int(), failed: z.number().int() }),
});
export type ErpLinkList = z.infer<typeof erpLinkList>;

/** GET /api/v1/erp/links/{id}: the link with its newest sync log entries */
export const erpLinkDetail = erpLink.extend({ logs: z.array(erpLog) });
export type ErpLinkDetail = z.infer<typeof erpLinkDetail>;

/** POST /api/v1/erp/sync, POST /api/v1/erp/links/{id}/retry: what the sync did (a refusal: 502 with this as details) */
export const erpSyncResult = z.object({
  ok: z.boolean(),
  operation: z.enum(SYNC_OPERATIONS),
  message: z.string(),
  integrationId: z.string(),
  entityType,
  entityId: z.string(),
  status: z.enum([...LINK_STATUSES, "not_linked"]),
  refKey: z.string().nullable(),
  object: z.string().nullable(),
  attempts: z.number().int(),
  nextAttemptAt: timestamp.nullable(),
  link: erpLink.nullable(),
  /** entities synced first because this one points at them */
  dependencies: z.array(z.object({ entityType, entityId: z.string(), operation: z.enum(SYNC_OPERATIONS), ok: z.boolean(), refKey: z.string().nullable() })),
  /** when 1C refused or could not be reached: auth, not_found, refused, server, timeout, network, bad_response; dependency; internal */
  errorKind: z.string().optional(),
  httpStatus: z.number().int().nullable().optional(),
  odataCode: z.string().nullable().optional(),
  retryable: z.boolean().optional(),
});
export type ErpSyncResult = z.infer<typeof erpSyncResult>;

/** GET /api/v1/erp/sync/status: an entity's link and its newest sync log entries */
export const erpSyncStatus = z.object({
  entityType,
  entityId: z.string(),
  entityLabel: z.string().nullable(),
  /** false: the entity was deleted here, its 1C object may remain */
  entityExists: z.boolean(),
  integrationId: z.string(),
  integrationName: z.string(),
  status: z.enum([...LINK_STATUSES, "not_linked"]),
  refKey: z.string().nullable(),
  link: erpLink.nullable(),
  logs: z.array(erpLog),
});
export type ErpSyncStatus = z.infer<typeof erpSyncStatus>;

/** GET /api/v1/erp/mapping: the 1C integrations and the effective mapping (defaults + config.mapping) of one */
export const erpMapping = z.object({
  integrations: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      code: z.string(),
      mode: z.enum(INTEGRATION_MODES),
      status: z.enum(INTEGRATION_STATUSES),
      autoSync: z.boolean(),
      syncIntervalMinutes: z.number().int().nullable(),
      lastSyncAt: timestamp.nullable(),
    }),
  ),
  integrationId: z.string().nullable(),
  /** false: the chosen integration's stored config no longer parses (the defaults are shown) */
  configValid: z.boolean(),
  timeZone: z.string(),
  entities: z.array(
    z.object({
      entityType,
      label: z.string(),
      enabled: z.boolean(),
      object: z.string(),
      post: z.boolean(),
      match: z.array(z.string()),
      statuses: z.array(z.string()).nullable(),
      customized: z.boolean(),
      refs: z.array(entityType),
      fields: z.array(z.object({ attribute: z.string(), kind: z.enum(["source", "const", "ref"]), source: z.string() })),
      sourceFields: z.array(z.object({ path: z.string(), label: z.string(), kind: z.string() })),
    }),
  ),
});
export type ErpMapping = z.infer<typeof erpMapping>;

/** GET /api/v1/erp/entities: what "Sync now" can pick */
export const erpEntitySearch = z.object({ items: z.array(z.object({ id: z.string(), label: z.string(), detail: z.string().nullable() })) });
export type ErpEntitySearch = z.infer<typeof erpEntitySearch>;
