// The ERP API's reading side and its wire shapes: links (entity ↔ 1C object), their sync
// logs, the status of one entity, the effective mapping, the entity picker. The /api/v1/erp
// API speaks camelCase like the rest of the API; the seed's ErpSync names it replaces
// (entity_type, entity_id) are accepted as aliases (lib/compat.ts, docs/api-compat.md).
import { z } from "zod";
import type { ErpLink, ErpSyncLog, Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { ApiError, errors } from "@/lib/errors";
import { decodeCursor, encodeCursor } from "@/lib/cursor";
import { withAliases } from "@/lib/compat";
import { getProvider } from "@/lib/providers/registry";
import { storedSchema } from "@/lib/providers/stored";
import { ENTITY_LABELS, ENTITY_TYPES, REF_TARGETS, SOURCE_FIELDS, describeSpec, effectiveMapping, type EntityType, type MappingConfig } from "@/lib/providers/onec/mapping";
import { entityLabels, loadSource, searchEntities } from "@/lib/erp/sources";
import { oneCIntegration, syncEntity, type SyncOutcome } from "@/lib/erp/service";
import type { Who } from "@/lib/audit";
import { LINK_STATUSES, type LinkStatus } from "@/lib/erp/contract";

const entityType = z.enum(ENTITY_TYPES, { error: `One of ${ENTITY_TYPES.join(", ")}` });
const uuid = z.uuid("Not a valid id");

// ───────────── views ─────────────

export function linkView(l: ErpLink, extra: { label?: string | null; integrationName?: string | null } = {}) {
  return {
    id: l.id,
    integrationId: l.integrationId,
    ...(extra.integrationName !== undefined ? { integrationName: extra.integrationName } : {}),
    entityType: l.entityType as EntityType,
    entityId: l.entityId,
    ...(extra.label !== undefined ? { entityLabel: extra.label } : {}),
    object: l.object,
    refKey: l.refKey,
    status: l.status as LinkStatus,
    attempts: l.attempts,
    nextAttemptAt: l.nextAttemptAt,
    lastError: l.lastError,
    lastSyncedAt: l.lastSyncedAt,
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
  };
}
export type LinkView = ReturnType<typeof linkView>;

export function logView(r: ErpSyncLog) {
  return {
    id: String(r.id),
    operation: r.operation,
    ok: r.ok,
    httpStatus: r.httpStatus,
    request: r.request,
    response: r.response,
    error: r.error,
    durationMs: r.durationMs,
    createdAt: r.createdAt,
  };
}

export function outcomeView(o: SyncOutcome) {
  return {
    ok: o.ok,
    operation: o.operation,
    message: o.message,
    integrationId: o.integrationId,
    entityType: o.entityType,
    entityId: o.entityId,
    status: o.link?.status ?? "not_linked",
    refKey: o.link?.refKey ?? null,
    object: o.link?.object ?? null,
    attempts: o.link?.attempts ?? 0,
    nextAttemptAt: o.link?.nextAttemptAt ?? null,
    link: o.link ? linkView(o.link) : null,
    dependencies: o.dependencies.map((d) => ({ entityType: d.entityType, entityId: d.entityId, operation: d.operation, ok: d.ok, refKey: d.refKey })),
    ...(o.error
      ? { errorKind: o.error.kind, httpStatus: o.error.httpStatus, odataCode: o.error.odataCode, retryable: o.error.retryable }
      : {}),
  };
}

/** 200 with the outcome, or — 1C refused or could not be reached — 502 in the error shape with the outcome as details. */
export function outcomeResponse(o: SyncOutcome) {
  if (o.ok) return outcomeView(o);
  throw new ApiError(502, "provider_error", o.message, outcomeView(o));
}

// ───────────── sync one ─────────────

export const syncInput = withAliases(
  "POST /api/v1/erp/sync",
  z.strictObject({
    entityType,
    entityId: uuid,
    integrationId: uuid.optional(),
    /** send even when nothing changed since the last sync */
    force: z.boolean().optional(),
  }),
);

export async function syncOne(body: z.output<typeof syncInput>, who: Who) {
  return syncEntity({ integrationId: body.integrationId, entityType: body.entityType, entityId: body.entityId, who, force: body.force });
}

export async function retryLink(id: string, who: Who) {
  const link = await db.erpLink.findUnique({ where: { id } });
  if (!link) throw errors.notFound("Link");
  // a retry sends again even if nothing changed (the person asked for it)
  return syncEntity({ integrationId: link.integrationId, entityType: link.entityType as EntityType, entityId: link.entityId, who, force: true, trigger: "retry" });
}

// ───────────── status of one entity ─────────────

export const statusQuery = withAliases(
  "GET /api/v1/erp/sync/status",
  z.strictObject({
    entityType,
    entityId: uuid,
    integrationId: uuid.optional(),
    logs: z.coerce.number().int().min(0).max(100).default(20),
  }),
);

export async function syncStatus(q: z.output<typeof statusQuery>) {
  const integration = await oneCIntegration(q.integrationId);
  const source = await loadSource(q.entityType, q.entityId);
  const link = await db.erpLink.findUnique({
    where: { integrationId_entityType_entityId: { integrationId: integration.id, entityType: q.entityType, entityId: q.entityId } },
  });
  if (!source && !link) throw errors.notFound(ENTITY_LABELS[q.entityType]);
  const logs = link && q.logs ? await db.erpSyncLog.findMany({ where: { linkId: link.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: q.logs }) : [];
  return {
    entityType: q.entityType,
    entityId: q.entityId,
    entityLabel: source?.label ?? null,
    entityExists: !!source,
    integrationId: integration.id,
    integrationName: integration.name,
    status: link?.status ?? "not_linked",
    refKey: link?.refKey ?? null,
    link: link ? linkView(link) : null,
    logs: logs.map(logView),
  };
}

// ───────────── the links table ─────────────

export const listLinksQuery = withAliases(
  "GET /api/v1/erp/links",
  z.strictObject({
    status: z.enum(LINK_STATUSES).optional(),
    entityType: entityType.optional(),
    integrationId: uuid.optional(),
    entityId: uuid.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  }),
);

export async function listLinks(q: z.output<typeof listLinksQuery>) {
  const base: Prisma.ErpLinkWhereInput = { integrationId: q.integrationId, entityType: q.entityType, entityId: q.entityId };
  const c = q.cursor ? decodeCursor(q.cursor) : null;
  const where: Prisma.ErpLinkWhereInput = {
    ...base,
    status: q.status,
    ...(c ? { OR: [{ updatedAt: { lt: c.at } }, { updatedAt: c.at, id: { lt: c.id } }] } : {}),
  };
  const [rows, grouped] = await Promise.all([
    db.erpLink.findMany({ where, orderBy: [{ updatedAt: "desc" }, { id: "desc" }], take: q.limit + 1, include: { integration: { select: { name: true } } } }),
    db.erpLink.groupBy({ by: ["status"], where: base, _count: { _all: true } }),
  ]);
  const page = rows.slice(0, q.limit);
  const labels = await entityLabels(page);
  const counts = Object.fromEntries(LINK_STATUSES.map((s) => [s, grouped.find((g) => g.status === s)?._count._all ?? 0]));
  const last = page[page.length - 1];
  return {
    items: page.map((l) => linkView(l, { label: labels.get(`${l.entityType}:${l.entityId}`) ?? null, integrationName: l.integration.name })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.updatedAt, last.id) : null,
    counts,
  };
}

export async function getLink(id: string, logLimit = 50) {
  const link = await db.erpLink.findUnique({ where: { id }, include: { integration: { select: { name: true } } } });
  if (!link) throw errors.notFound("Link");
  const [labels, logs] = await Promise.all([
    entityLabels([link]),
    db.erpSyncLog.findMany({ where: { linkId: id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: logLimit }),
  ]);
  return { ...linkView(link, { label: labels.get(`${link.entityType}:${link.entityId}`) ?? null, integrationName: link.integration.name }), logs: logs.map(logView) };
}

// ───────────── the effective mapping and the picker ─────────────

export const mappingQuery = withAliases("GET /api/v1/erp/mapping", z.strictObject({ integrationId: uuid.optional() }));

export async function mappingView(q: z.output<typeof mappingQuery>) {
  const integrations = await db.integration.findMany({
    where: { provider: "onec" },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }],
    select: { id: true, name: true, code: true, mode: true, status: true, config: true, autoSync: true, syncIntervalMinutes: true, lastSyncAt: true },
  });
  const chosen = q.integrationId ? integrations.find((i) => i.id === q.integrationId) : (integrations.find((i) => i.status !== "inactive") ?? integrations[0]);
  if (q.integrationId && !chosen) throw errors.notFound("1C integration");
  const onec = getProvider("onec");
  const parsed = chosen && onec ? storedSchema(onec.config).safeParse(chosen.config ?? {}) : undefined;
  const config = parsed?.success ? (parsed.data as { timeZone: string; mapping: MappingConfig }) : null;
  return {
    integrations: integrations.map((i) => ({
      id: i.id,
      name: i.name,
      code: i.code,
      mode: i.mode,
      status: i.status,
      autoSync: i.autoSync,
      syncIntervalMinutes: i.syncIntervalMinutes,
      lastSyncAt: i.lastSyncAt,
    })),
    integrationId: chosen?.id ?? null,
    configValid: !chosen || !!config,
    timeZone: config?.timeZone ?? "Europe/Moscow",
    entities: ENTITY_TYPES.map((t) => {
      const m = effectiveMapping(config?.mapping, t);
      return {
        entityType: t,
        label: ENTITY_LABELS[t],
        enabled: m.enabled,
        object: m.object,
        post: m.post,
        match: m.match,
        statuses: m.statuses,
        customized: m.customized,
        refs: [...REF_TARGETS[t]],
        fields: Object.entries(m.fields).map(([attribute, spec]) => ({
          attribute,
          kind: typeof spec === "string" || "source" in spec ? "source" : "const" in spec ? "const" : "ref",
          source: describeSpec(spec),
        })),
        sourceFields: SOURCE_FIELDS[t].map((f) => ({ path: f.path, label: f.label, kind: f.kind })),
      };
    }),
  };
}

export const searchQuery = withAliases(
  "GET /api/v1/erp/entities",
  z.strictObject({ entityType, q: z.string().trim().max(200).default(""), limit: z.coerce.number().int().min(1).max(50).default(20) }),
);

export async function searchForSync(q: z.output<typeof searchQuery>) {
  return { items: await searchEntities(q.entityType, q.q, q.limit) };
}
