// Writing one CRM entity to 1C (issue 8, "1C ERP"). An ErpLink per (integration, entity)
// remembers the 1C Ref_Key: no Ref_Key → create (POST), a Ref_Key → update (PATCH by key).
// Per attempt:
//   1. the mapping (lib/providers/onec/mapping.ts) says which object and fields; entities it points at
//      ({ ref: "company" }) that have no Ref_Key yet are synced first;
//   2. under a lock on the link (a PostgreSQL advisory lock on integration+type+id, held for
//      the whole attempt) the payload is built and hashed: the same hash as the last
//      successful sync → "unchanged", nothing is sent;
//   3. create (after looking for an existing 1C object with the same `match` attributes),
//      update, or — when 1C answers 404 to the PATCH although the object itself is published
//      — create again (someone deleted it in 1C: recorded as "recreate"); documents are posted
//      when the mapping says so; an entity deleted here gets DeletionMark in 1C;
//   4. every 1C call is an ErpSyncLog row with its request and answer (redacted);
//   5. failure: status failed, attempts + 1, the next attempt after an exponential backoff
//      (1 min, 2, 4 … at most 6 h; none after ERP_MAX_ATTEMPTS), lastError = 1C's message.
// Two syncs of one entity at once wait for each other on the lock: the second one sees the
// first one's Ref_Key and hash, so 1C never gets the object twice.
// A create whose answer is lost (timeout, a crash after 1C wrote it) cannot be told from one
// 1C never got: a create is never repeated by lib/http.ts, and the next attempt first looks
// for an object with the mapping's `match` attributes (ИНН for companies, Number for
// applications by default) and links it instead of creating a second one. Types without a
// `match` (drivers, payments by default) may get a duplicate in that case.
import type { ErpLink, Integration } from "@/generated/prisma/client";
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { withAdvisoryLock } from "@/lib/locks";
import { env } from "@/lib/env";
import { errors } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { audit, type Who } from "@/lib/audit";
import { buildContext } from "@/lib/integrations/service";
import {
  ENTITY_LABELS,
  buildPayload,
  effectiveMapping,
  refsNeeded,
  type EffectiveMapping,
  type EntityType,
  type MappingConfig,
} from "@/lib/providers/onec/mapping";
import { loadSource } from "@/lib/erp/sources";
import type { SyncOperation } from "@/lib/erp/contract";
import {
  ODataError,
  createObject,
  findByFilter,
  objectExists,
  postDocument,
  setDeletionMark,
  updateObject,
  type Exchange,
  type OneCContext,
} from "@/lib/providers/onec/client";

export type SyncError = {
  message: string;
  /** auth, not_found, refused, server, timeout, network, bad_response; dependency; internal */
  kind: string;
  httpStatus: number | null;
  odataCode: string | null;
  retryable: boolean;
};

export type SyncOutcome = {
  ok: boolean;
  operation: SyncOperation;
  message: string;
  /** null only for "skipped" entities that were never linked */
  link: ErpLink | null;
  entityType: EntityType;
  entityId: string;
  integrationId: string;
  error?: SyncError;
  /** entities synced first because this one points at them */
  dependencies: { entityType: EntityType; entityId: string; operation: SyncOperation; ok: boolean; refKey: string | null }[];
};

const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 6 * 3600_000;
const LOCK_TIMEOUT_MS = 120_000;

/** Delay before attempt `attempts + 1`: 1 min, 2, 4 … (±20 %), at most 6 h. */
export function erpBackoffMs(attempts: number) {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

/** What decides "unchanged": the object, the body (keys sorted) and whether it is posted. */
export function payloadHash(m: EffectiveMapping, payload: Record<string, unknown>) {
  const stable = JSON.stringify({ o: m.object, p: Object.keys(payload).sort().map((k) => [k, payload[k]]), post: m.post });
  return createHash("sha256").update(stable).digest("hex");
}

// ───────────── which integration ─────────────

/** The 1C integration to use: the one named, else the first enabled one by priority. */
export async function oneCIntegration(integrationId?: string | null): Promise<Integration> {
  const row = integrationId
    ? await db.integration.findUnique({ where: { id: integrationId } })
    : await db.integration.findFirst({ where: { provider: "onec", status: { not: "inactive" } }, orderBy: [{ priority: "asc" }, { createdAt: "asc" }] });
  if (!row) {
    if (integrationId) throw errors.notFound("1C integration");
    throw errors.unprocessable("No 1C integration is set up: add a 1C:Enterprise (OData) integration on the Integrations page");
  }
  if (row.provider !== "onec") throw errors.validation("Not a 1C integration", [{ path: "integrationId", message: `${row.name} is a ${row.provider} integration` }]);
  if (row.status === "inactive") throw errors.conflict(`The 1C integration "${row.name}" is disabled: enable it before syncing`);
  return row;
}

// ───────────── the lock ─────────────

/** Runs `fn` holding the advisory lock on `key` (waits up to LOCK_TIMEOUT_MS, then 409). */
async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const r = await withAdvisoryLock(key, fn, { wait: LOCK_TIMEOUT_MS });
  if (!r.acquired) throw errors.conflict("Another sync of this entity is still running: try again in a moment");
  return r.value;
}

// ───────────── the sync log ─────────────

async function writeLog(linkId: string, operation: string, exchange: Exchange | undefined, error?: string) {
  const ok = !error && exchange?.status !== null && exchange?.status !== undefined && exchange.status < 400;
  await db.erpSyncLog.create({
    data: {
      linkId,
      operation,
      ok,
      httpStatus: exchange?.status ?? null,
      request: exchange ? ({ method: exchange.method, url: exchange.url, ...(exchange.request !== undefined ? { body: exchange.request } : {}) } as object) : undefined,
      response: exchange && exchange.response !== undefined ? ({ status: exchange.status, body: exchange.response } as object) : undefined,
      error: error?.slice(0, 2000) ?? null,
      durationMs: exchange?.durationMs ?? 0,
    },
  });
}

/** Runs one 1C call, logging it as `operation` whatever happens. */
async function logged<T extends { exchange: Exchange }>(linkId: string, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    const r = await call();
    await writeLog(linkId, operation, r.exchange);
    return r;
  } catch (e) {
    if (e instanceof ODataError) await writeLog(linkId, operation, e.opts.exchange, e.message);
    throw e;
  }
}

class DependencyError extends Error {}

function toSyncError(e: unknown): SyncError {
  if (e instanceof ODataError) {
    return { message: e.message, kind: e.kind, httpStatus: e.status || null, odataCode: e.opts.odataCode ?? null, retryable: e.retryable };
  }
  if (e instanceof DependencyError) return { message: e.message, kind: "dependency", httpStatus: null, odataCode: null, retryable: true };
  return { message: (e as Error)?.message ?? String(e), kind: "internal", httpStatus: null, odataCode: null, retryable: true };
}

// ───────────── one entity ─────────────

type Opts = { force?: boolean; who?: Who; trigger?: "api" | "auto" | "retry"; depth?: number };

/**
 * Syncs one entity to 1C through the given (or default) 1C integration. Throws ApiError for
 * what the caller got wrong (no integration, unknown entity, type not mapped); a 1C failure
 * is an outcome with ok false (the link failed and scheduled for a retry), not an exception.
 */
export async function syncEntity(input: { integrationId?: string | null; entityType: EntityType; entityId: string; who: Who; force?: boolean; trigger?: "api" | "retry" }) {
  const row = await oneCIntegration(input.integrationId);
  const ctx = buildContext(row) as unknown as OneCContext;
  const out = await syncWithContext(ctx, input.entityType, input.entityId, { force: input.force, who: input.who, trigger: input.trigger ?? "api" });
  await audit(
    input.who.actor,
    input.trigger === "retry" ? "erp.retry" : "erp.sync",
    input.entityType,
    input.entityId,
    { integrationId: row.id, operation: out.operation, ok: out.ok, refKey: out.link?.refKey ?? null, ...(out.error ? { error: out.error.message } : {}) },
    input.who.meta,
  );
  return out;
}

/** The sync itself, with a context already built (the automatic sync passes its own). */
export async function syncWithContext(ctx: OneCContext, type: EntityType, entityId: string, opts: Opts = {}): Promise<SyncOutcome> {
  const integrationId = ctx.integration.id;
  const m = effectiveMapping(ctx.config.mapping as MappingConfig, type);
  if (!m.enabled) throw errors.unprocessable(`${ENTITY_LABELS[type]}s are not sent to 1C by this integration (mapping.${type}.enabled is false)`);
  const base = { entityType: type, entityId, integrationId };

  // 1. what it points at must be in 1C first (each under its own lock, before taking ours:
  //    one lock at a time per chain, so a chain never waits on itself)
  const first = await loadSource(type, entityId);
  const dependencies: SyncOutcome["dependencies"] = [];
  let dependencyFailure: string | null = null;
  const eligible = !!first && (!m.statuses || m.statuses.includes(first.status ?? ""));
  if (first && eligible && (opts.depth ?? 0) < 3) {
    for (const t of refsNeeded(m)) {
      const depId = first.refs[t];
      if (!depId) continue;
      const link = await db.erpLink.findUnique({ where: { integrationId_entityType_entityId: { integrationId, entityType: t, entityId: depId } } });
      if (link?.refKey) continue;
      let dep: SyncOutcome;
      try {
        dep = await syncWithContext(ctx, t, depId, { trigger: opts.trigger, depth: (opts.depth ?? 0) + 1 });
      } catch (e) {
        dependencyFailure = `The linked ${t} could not be synced first: ${(e as Error).message}`;
        break;
      }
      dependencies.push({ entityType: t, entityId: depId, operation: dep.operation, ok: dep.ok, refKey: dep.link?.refKey ?? null });
      if (!dep.ok) {
        dependencyFailure = `The linked ${t} could not be synced first: ${dep.error?.message ?? dep.message}`;
        break;
      }
    }
  }

  // 2–5 under the lock
  return withLock(`erp:${integrationId}:${type}:${entityId}`, async () => {
    let link = await db.erpLink.upsert({
      where: { integrationId_entityType_entityId: { integrationId, entityType: type, entityId } },
      create: { integrationId, entityType: type, entityId, object: m.object },
      update: {},
    });
    const fresh = !link.refKey && link.attempts === 0 && link.status === "pending" && !link.lastSyncedAt;
    const source = await loadSource(type, entityId);

    if (!source) {
      if (!link.refKey) {
        // nothing of it in 1C and nothing left here: the link has no purpose
        await db.erpLink.delete({ where: { id: link.id } });
        throw errors.notFound(ENTITY_LABELS[type]);
      }
    } else if (m.statuses && !m.statuses.includes(source.status ?? "")) {
      if (fresh) await db.erpLink.delete({ where: { id: link.id } });
      return {
        ...base,
        ok: true,
        operation: "skipped",
        message: `Not sent: only ${type}s with status ${m.statuses.join(", ")} go to 1C (this one is ${source.status})`,
        link: fresh ? null : link,
        dependencies,
      };
    }

    const fail = async (operation: SyncOperation, e: unknown): Promise<SyncOutcome> => {
      const error = toSyncError(e);
      const canceled = !!ctx.signal?.aborted;
      const attempts = canceled ? link.attempts : link.attempts + 1;
      const max = env().ERP_MAX_ATTEMPTS;
      const next = canceled ? new Date() : attempts < max ? new Date(Date.now() + erpBackoffMs(attempts)) : null;
      link = await db.erpLink.update({
        where: { id: link.id },
        data: { status: "failed", attempts, nextAttemptAt: next, lastError: error.message.slice(0, 2000) },
      });
      if (!(e instanceof ODataError)) await writeLog(link.id, operation, undefined, error.message);
      if (error.kind === "internal") logger.error({ link: link.id, err: error.message }, "erp sync failed");
      const retry = next ? "; retried automatically" : `; no more automatic retries after ${attempts} attempts`;
      return { ...base, ok: false, operation, message: `${error.message}${canceled ? "" : retry}`, link, error, dependencies };
    };

    const related = { type: "erp_link", id: link.id };

    // the entity is gone here: 1C's soft delete
    if (!source) {
      if (!opts.force && link.status === "synced" && link.dataHash === "deleted") {
        return { ...base, ok: true, operation: "unchanged", message: "Already marked for deletion in 1C", link, dependencies };
      }
      try {
        await logged(link.id, "delete", () => setDeletionMark(ctx, link.object, link.refKey!, true, { related }));
      } catch (e) {
        // already gone in 1C too: nothing left to mark
        if (!(e instanceof ODataError && e.kind === "not_found")) return fail("delete", e);
      }
      link = await db.erpLink.update({
        where: { id: link.id },
        data: { status: "synced", dataHash: "deleted", attempts: 0, nextAttemptAt: null, lastError: null, lastSyncedAt: new Date() },
      });
      return { ...base, ok: true, operation: "delete", message: `The ${type} no longer exists here: marked for deletion in 1C`, link, dependencies };
    }

    if (dependencyFailure) return fail(link.refKey ? "update" : "create", new DependencyError(dependencyFailure));

    // 2. the payload, with the Ref_Keys of what it points at
    const refKeys: Partial<Record<EntityType, string | null>> = {};
    for (const t of refsNeeded(m)) {
      const depId = source.refs[t];
      if (!depId) {
        refKeys[t] = null;
        continue;
      }
      const dep = await db.erpLink.findUnique({ where: { integrationId_entityType_entityId: { integrationId, entityType: t, entityId: depId } } });
      if (!dep?.refKey) return fail(link.refKey ? "update" : "create", new DependencyError(`The linked ${t} has no 1C Ref_Key yet`));
      refKeys[t] = dep.refKey;
    }
    const tz = ctx.config.timeZone ?? "Europe/Moscow";
    const payload = buildPayload(m, source.row, tz, refKeys);
    const hash = payloadHash(m, payload);
    // the mapping now names another object: the old Ref_Key belongs to the old one
    const movedFrom = link.refKey && link.object !== m.object ? link.object : null;
    const refKey = movedFrom ? null : link.refKey;

    if (!opts.force && link.status === "synced" && refKey && link.dataHash === hash) {
      return { ...base, ok: true, operation: "unchanged", message: "Unchanged since the last sync: nothing sent to 1C", link, dependencies };
    }

    // 3. create, update or recreate
    let operation: SyncOperation = refKey ? "update" : "create";
    let newKey: string;
    let note = "";
    try {
      if (refKey) {
        try {
          await logged(link.id, "update", () => updateObject(ctx, m.object, refKey, payload, { related }));
          newKey = refKey;
        } catch (e) {
          if (!(e instanceof ODataError) || e.kind !== "not_found") throw e;
          // 404 on the object or on the whole set? Only the first means "deleted in 1C".
          const probe = await logged(link.id, "check", () => objectExists(ctx, m.object, { related }));
          if (!probe.exists) throw new ODataError(`1C has no object "${m.object}" in its OData interface (HTTP 404): fix the ${type} mapping or publish the object`, "not_found", 404, { object: m.object });
          operation = "recreate";
          const created = await logged(link.id, "recreate", () => createObject(ctx, m.object, payload, { related }));
          newKey = created.entity.Ref_Key;
          note = ` (the previous object ${refKey} was deleted in 1C)`;
        }
      } else {
        const matchValues = Object.fromEntries(m.match.map((k) => [k, payload[k]]));
        const canMatch = m.match.length > 0 && Object.values(matchValues).every((v) => v !== undefined && v !== null && v !== "");
        const found = canMatch ? (await logged(link.id, "find", () => findByFilter(ctx, m.object, matchValues, { related, select: ["Ref_Key", "DeletionMark"] }))).items : [];
        const existing = found.find((f) => f.DeletionMark !== true);
        if (existing) {
          operation = "update";
          await logged(link.id, "update", () => updateObject(ctx, m.object, existing.Ref_Key, payload, { related }));
          newKey = existing.Ref_Key;
          note = ` (an existing 1C object with the same ${m.match.join(", ")} was linked instead of creating another${found.length > 1 ? `; 1C has more than one, the first was taken` : ""})`;
        } else {
          const created = await logged(link.id, "create", () => createObject(ctx, m.object, payload, { related }));
          newKey = created.entity.Ref_Key;
          if (movedFrom) note = ` (the mapping moved it from ${movedFrom})`;
        }
      }
      if (m.post) await logged(link.id, "post", () => postDocument(ctx, m.object, newKey, { related }));
    } catch (e) {
      if (!(e instanceof ODataError)) logger.warn({ link: link.id, err: (e as Error)?.message }, "erp sync threw");
      return fail(operation, e);
    }

    // 4. remembered
    link = await db.erpLink.update({
      where: { id: link.id },
      data: { status: "synced", refKey: newKey, object: m.object, dataHash: hash, attempts: 0, nextAttemptAt: null, lastError: null, lastSyncedAt: new Date() },
    });
    const verb = { create: "Created", update: "Updated", recreate: "Created again" }[operation as "create" | "update" | "recreate"];
    return {
      ...base,
      ok: true,
      operation,
      message: `${verb} in 1C: ${m.object} ${newKey}${m.post ? ", posted" : ""}${note}`,
      link,
      dependencies,
    };
  });
}
