// Calls: click-to-call through RingCentral RingOut, the call log (synced records and the
// RingOuts started here), the numbers people can call, and "Sync now". Route handlers in
// app/api/v1/calls stay thin; RingCentral is reached through its provider module.
//
// A RingOut is a row before it is a call: the row (external id "pending:…") is written first,
// so a retried request with the same Idempotency-Key finds it instead of ringing twice; then
// RingCentral is asked, and the row becomes "ringout:<id>" with RingCentral's status. When
// RingCentral refuses, the row is deleted and the refusal answered; when the answer is lost
// (timeout, network), the row stays with status "Unknown" (the call may be ringing) and the
// request fails with 502. GET /calls/:id asks RingCentral again while the call is ringing.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Prisma, type CallLog, type Integration } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { ApiError, errors } from "@/lib/errors";
import { audit } from "@/lib/audit";
import type { Caller } from "@/lib/api";
import { decodeCursor, encodeCursor } from "@/lib/cursor";
import { withAliases } from "@/lib/compat";
import { buildContext } from "@/lib/integrations/service";
import { requestSync } from "@/lib/jobs/sync";
import { normalizePhone } from "@/lib/phone";
import { OAuthReconnectError } from "@/lib/providers/types";
import { RingCentralError, createRingOut, explain, getRingOut, type RingCentralContext, type RingOut } from "@/lib/providers/ringcentral/client";

/**
 * A RingOut is live while it rings (Starting, InProgress) and while it is connected (Success)
 * until its call-log record arrives (the call is over) or RingCentral forgets it (Finished).
 * Any other status is final (Busy, NoAnswer, Rejected …).
 */
const LIVE_STATUSES = ["Starting", "InProgress", "Success"];
/** a RingOut still live after this long is not asked about any more (the call-log sync files it) */
const LIVE_FOR_MS = 10 * 60_000;

// ───────────── views ─────────────

type Row = CallLog & {
  contact?: { id: string; firstName: string; lastName: string | null } | null;
  driver?: { id: string; name: string } | null;
};

const include = {
  contact: { select: { id: true, firstName: true, lastName: true } },
  driver: { select: { id: true, name: true } },
} as const;

export function isLive(r: Pick<CallLog, "source" | "callStatus" | "createdAt" | "result">, now = Date.now()) {
  return r.source === "ringout" && r.result === null && LIVE_STATUSES.includes(r.callStatus ?? "") && now - r.createdAt.getTime() < LIVE_FOR_MS;
}

export function serialize(r: Row) {
  return {
    id: r.id,
    integrationId: r.integrationId,
    externalId: r.externalId,
    ringOutId: r.externalId.startsWith("ringout:") ? r.externalId.slice(8) : ((r.raw as { ringout?: { id?: string } } | null)?.ringout?.id ?? null),
    sessionId: r.sessionId,
    source: r.source as "call_log" | "ringout",
    direction: r.direction as "Inbound" | "Outbound",
    fromNumber: r.fromNumber,
    fromName: r.fromName,
    toNumber: r.toNumber,
    toName: r.toName,
    contact: r.contact ? { id: r.contact.id, name: [r.contact.firstName, r.contact.lastName].filter(Boolean).join(" ") } : null,
    driver: r.driver ? { id: r.driver.id, name: r.driver.name } : null,
    startedAt: r.startedAt,
    durationSeconds: r.durationSeconds,
    result: r.result,
    callStatus: r.callStatus,
    action: r.action,
    recordingUrl: r.recordingUrl,
    live: isLive(r),
    requestedById: r.requestedById,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
export type CallView = ReturnType<typeof serialize>;

// ───────────── which RingCentral integration ─────────────

export async function ringCentralIntegrations() {
  return db.integration.findMany({
    where: { provider: "ringcentral" },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }],
    include: { oauthToken: { select: { status: true, accountName: true } } },
  });
}

/** The integration asked for, else the first enabled RingCentral one (connected ones first). */
export async function chooseIntegration(integrationId?: string | null): Promise<Integration> {
  if (integrationId) {
    const row = await db.integration.findUnique({ where: { id: integrationId } });
    if (!row || row.provider !== "ringcentral") throw errors.validation("Not a RingCentral integration", [{ path: "integrationId", message: "Unknown RingCentral integration" }]);
    if (row.status === "inactive") throw errors.unprocessable(`${row.name} is switched off`);
    return row;
  }
  const rows = (await ringCentralIntegrations()).filter((r) => r.status !== "inactive");
  const row = rows.find((r) => r.oauthToken?.status === "connected") ?? rows[0];
  if (!row) throw errors.unprocessable("No RingCentral integration is set up: an admin adds and connects one on the Integrations page");
  return row;
}

/** The phone lines people can call from: RingCentral integrations, without anything secret. */
export async function listLines() {
  const rows = await ringCentralIntegrations();
  const jobs = await db.syncJob.findMany({
    where: { integrationId: { in: rows.map((r) => r.id) }, type: "call_log" },
    orderBy: { createdAt: "desc" },
    distinct: ["integrationId"],
    select: { id: true, integrationId: true, status: true, error: true, createdAt: true, finishedAt: true, processed: true, created: true },
  });
  return {
    items: rows.map((r) => {
      const sub = (r.state as { subscription?: { status?: string; expiresAt?: string | null; lastError?: string | null } } | null)?.subscription;
      return {
        id: r.id,
        name: r.name,
        code: r.code,
        mode: r.mode,
        status: r.status,
        enabled: r.status !== "inactive",
        fromNumber: ((r.config ?? {}) as { fromNumber?: string }).fromNumber ?? null,
        connected: r.oauthToken?.status === "connected",
        needsReconnect: r.oauthToken?.status === "needs_reconnect",
        account: r.oauthToken?.accountName ?? null,
        autoSync: r.autoSync,
        syncIntervalMinutes: r.syncIntervalMinutes,
        lastSyncAt: r.lastSyncAt,
        lastSync: jobs.find((j) => j.integrationId === r.id) ?? null,
        subscription: sub ? { status: sub.status ?? null, expiresAt: sub.expiresAt ?? null, lastError: sub.lastError ?? null } : null,
      };
    }),
  };
}

// ───────────── RingOut ─────────────

/** camelCase; the old snake_case names are aliases (lib/compat.ts). "" and null count as absent. */
export const ringOutInput = z.preprocess(
  (v) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    for (const k of Object.keys(out)) if (out[k] === "" || out[k] === null) delete out[k];
    return out;
  },
  withAliases(
    "POST /api/v1/calls/ringout",
    z
      .object({
        to: z.string().trim().min(1).max(40).optional(),
        contactId: z.uuid("Not a valid contact id").optional(),
        driverId: z.uuid("Not a valid driver id").optional(),
        integrationId: z.uuid("Not a valid integration id").optional(),
      })
      .strict()
      .refine((b) => !!(b.to || b.contactId || b.driverId), { message: "Give a number to call (to), or a contactId or driverId", path: ["to"] }),
  ),
);
export type RingOutInput = z.output<typeof ringOutInput>;

/** Who is called: the number (given, or the driver's / contact's) in E.164, and whom it belongs to. */
async function resolveTarget(input: RingOutInput) {
  let contact: { id: string; firstName: string; lastName: string | null; phone: string | null } | null = null;
  let driver: { id: string; name: string; phone: string } | null = null;
  if (input.driverId) {
    driver = await db.driver.findUnique({ where: { id: input.driverId }, select: { id: true, name: true, phone: true } });
    if (!driver) throw errors.validation("No such driver", [{ path: "driverId", message: "No driver with this id" }]);
  }
  if (input.contactId) {
    contact = await db.contact.findUnique({ where: { id: input.contactId }, select: { id: true, firstName: true, lastName: true, phone: true } });
    if (!contact) throw errors.validation("No such contact", [{ path: "contactId", message: "No contact with this id" }]);
  }
  const raw = input.to ?? driver?.phone ?? contact?.phone;
  if (!raw) throw errors.validation("This contact has no phone number", [{ path: "contactId", message: "The contact has no phone number" }]);
  const n = normalizePhone(raw);
  if (!n.ok) throw errors.validation(n.reason, [{ path: input.to ? "to" : driver ? "driverId" : "contactId", message: n.reason }]);
  // a number typed in also links the call to whoever has it
  if (!driver && !contact) {
    driver = await db.driver.findFirst({ where: { phone: n.value }, select: { id: true, name: true, phone: true }, orderBy: { updatedAt: "desc" } });
    contact = await db.contact.findFirst({ where: { phone: n.value }, select: { id: true, firstName: true, lastName: true, phone: true }, orderBy: { updatedAt: "desc" } });
  }
  const name = driver?.name ?? (contact ? [contact.firstName, contact.lastName].filter(Boolean).join(" ") : null);
  return { to: n.value, name, contactId: contact?.id ?? null, driverId: driver?.id ?? null };
}

function ringOutError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof OAuthReconnectError) {
    return errors.unprocessable(`RingCentral must be connected again before calls can be made: ${e.message}`, { code: "needs_reconnect" });
  }
  if (e instanceof RingCentralError) {
    const details = { code: e.opts.errorCode ?? null, status: e.status };
    if (e.status === 429) {
      const s = e.opts.retryAfterSeconds ?? 60;
      return new ApiError(429, "rate_limited", e.message, { ...details, retryAfterSeconds: s }, { "Retry-After": String(s) });
    }
    if (e.status === 400 && e.opts.parameter?.startsWith("to")) return errors.validation(e.message, [{ path: "to", message: e.message }]);
    if (e.status !== null && e.status >= 400 && e.status < 500 && e.status !== 401) return errors.unprocessable(e.message, details);
    return errors.provider(e.message, details);
  }
  return errors.provider(`The call could not be started: ${explain(e)}`);
}

/**
 * Idempotency-Key (route() with lib/idempotency.ts): a RingOut whose outcome RingCentral did not
 * confirm is kept as the key's answer, so a retry does not ring the phone a second time.
 */
export const ringOutOutcomeUnknown = (e: ApiError) => e.status === 502 && typeof (e.details as { callId?: unknown } | undefined)?.callId === "string";

/** Starts a RingOut: RingCentral rings the integration's "from" phone, then connects the number. */
export async function startRingOut(input: RingOutInput, caller: Caller) {
  const target = await resolveTarget(input);
  const row = await chooseIntegration(input.integrationId);
  const id = randomUUID();
  const ctx = buildContext(row, { related: { type: "call", id } }) as RingCentralContext;
  const from = ctx.config.fromNumber;
  if (!from) throw errors.unprocessable(`${row.name} has no 'From number': an admin sets the phone RingCentral rings first in the integration's settings`);

  const placeholder = {
    id,
    integrationId: row.id,
    externalId: `pending:${id}`,
    source: "ringout",
    direction: "Outbound",
    fromNumber: from,
    fromName: caller.kind === "user" ? caller.user.name || caller.user.email : (caller.actor.label ?? null),
    toNumber: target.to,
    toName: target.name,
    contactId: target.contactId,
    driverId: target.driverId,
    startedAt: new Date(),
    callStatus: "Starting",
    action: "RingOut",
    raw: {} as Prisma.InputJsonObject,
    requestedById: caller.kind === "user" ? caller.user.id : null,
  };
  await db.callLog.create({ data: placeholder });

  let ringOut: RingOut;
  try {
    ringOut = await createRingOut(ctx, { from, to: target.to, playPrompt: ctx.config.playPrompt });
  } catch (e) {
    const unknown = e instanceof RingCentralError && e.status === null && e.opts.kind !== "aborted";
    if (unknown) {
      // the request may have reached RingCentral: the phone may be ringing. Keep the row.
      await db.callLog.update({ where: { id }, data: { callStatus: "Unknown", result: "Not confirmed by RingCentral", raw: { ...placeholder.raw, error: e.message } } });
      throw errors.provider(`${e.message}: the call may still ring; it appears in the call log after the next sync`, { callId: id });
    }
    await db.callLog.delete({ where: { id } }).catch(() => {});
    throw ringOutError(e);
  }
  const updated = await db.callLog.update({
    where: { id },
    data: {
      externalId: `ringout:${ringOut.id}`,
      callStatus: ringOut.status.callStatus,
      raw: { ...placeholder.raw, ringout: ringOut as unknown as Prisma.InputJsonObject },
    },
    include,
  });
  await audit(caller.actor, "call.ringout", "call", id, { to: target.to, integration: row.code, ringOutId: ringOut.id }, caller.meta);
  return serialize(updated);
}

/** One call; a RingOut still ringing is asked about at RingCentral first. */
export async function getCall(id: string, opts: { refresh?: boolean } = {}) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Call");
  const row = await db.callLog.findUnique({ where: { id }, include });
  if (!row) throw errors.notFound("Call");
  if (opts.refresh === false || !isLive(row) || !row.externalId.startsWith("ringout:")) return { ...serialize(row), refreshError: null };
  const integration = await db.integration.findUnique({ where: { id: row.integrationId } });
  if (!integration) return { ...serialize(row), refreshError: null };
  let status: string;
  let ringOut: RingOut | null = null;
  try {
    ringOut = await getRingOut(buildContext(integration, { related: { type: "call", id } }) as RingCentralContext, row.externalId.slice(8));
    status = ringOut.status.callStatus;
  } catch (e) {
    // RingCentral forgets a RingOut once the call is over (UNCONFIRMED how soon)
    if (e instanceof RingCentralError && e.status === 404) status = "Finished";
    else return { ...serialize(row), refreshError: explain(e) };
  }
  const raw = { ...((row.raw ?? {}) as Record<string, unknown>), ...(ringOut ? { ringout: ringOut } : { ringoutGone: true }) } as Prisma.InputJsonObject;
  // only if nothing newer was written meanwhile (the call-log sync may have just filed it)
  await db.callLog.updateMany({ where: { id, updatedAt: row.updatedAt }, data: { callStatus: status, raw } });
  const fresh = await db.callLog.findUniqueOrThrow({ where: { id }, include });
  return { ...serialize(fresh), refreshError: null };
}

// ───────────── the list ─────────────

const iso = z.iso.datetime({ offset: true });
export const listCallsQuery = withAliases("GET /api/v1/calls", z.strictObject({
  direction: z.enum(["Inbound", "Outbound"]).optional(),
  result: z.string().trim().min(1).max(100).optional(),
  source: z.enum(["call_log", "ringout"]).optional(),
  contactId: z.uuid().optional(),
  driverId: z.uuid().optional(),
  integrationId: z.uuid().optional(),
  from: iso.optional(),
  until: iso.optional(),
  /** a number (any part of it, digits only count) or a name */
  q: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
}));
export type ListCallsQuery = z.output<typeof listCallsQuery>;

function where(q: ListCallsQuery): Prisma.CallLogWhereInput {
  const and: Prisma.CallLogWhereInput[] = [];
  if (q.q) {
    const digits = q.q.replace(/\D/g, "");
    const text = { contains: q.q, mode: "insensitive" as const };
    and.push({
      OR: [
        ...(digits.length >= 3 ? [{ fromNumber: { contains: digits } }, { toNumber: { contains: digits } }] : []),
        { fromName: text },
        { toName: text },
        { contact: { OR: [{ firstName: text }, { lastName: text }] } },
        { driver: { name: text } },
      ],
    });
  }
  return {
    direction: q.direction,
    result: q.result ? { equals: q.result, mode: "insensitive" } : undefined,
    source: q.source,
    contactId: q.contactId,
    driverId: q.driverId,
    integrationId: q.integrationId,
    startedAt: q.from || q.until ? { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.until ? { lt: new Date(q.until) } : {}) } : undefined,
    AND: and,
  };
}

export async function listCalls(q: ListCallsQuery) {
  const base = where(q);
  const c = q.cursor ? decodeCursor(q.cursor) : null;
  const rows = await db.callLog.findMany({
    where: c ? { AND: [base, { OR: [{ startedAt: { lt: c.at } }, { startedAt: c.at, id: { lt: c.id } }] }] } : base,
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    include,
  });
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map(serialize);
  const last = items.at(-1);
  // the results the log holds, for the filter (first page only)
  const results = c
    ? undefined
    : (
        await db.callLog.groupBy({ by: ["result"], where: { result: { not: null } }, _count: { _all: true }, orderBy: { _count: { result: "desc" } }, take: 30 })
      ).map((g) => ({ result: g.result!, count: g._count._all }));
  return { items, nextCursor: more && last ? encodeCursor(last.startedAt, last.id) : null, ...(results ? { facets: { results } } : {}) };
}

// ───────────── whom to call ─────────────

export const directoryQuery = z.strictObject({ q: z.string().trim().max(100).optional(), limit: z.coerce.number().int().min(1).max(50).default(20) });

/** Drivers and contacts with a phone number, by name or number, for the call dialog. */
export async function directory(q: z.output<typeof directoryQuery>) {
  const text = q.q ? { contains: q.q, mode: "insensitive" as const } : undefined;
  const digits = q.q?.replace(/\D/g, "") ?? "";
  const byNumber = digits.length >= 3 ? [{ phone: { contains: digits } }] : [];
  const [drivers, contacts] = await Promise.all([
    db.driver.findMany({
      where: text ? { OR: [{ name: text }, ...byNumber] } : {},
      select: { id: true, name: true, phone: true, status: true },
      orderBy: { name: "asc" },
      take: q.limit,
    }),
    db.contact.findMany({
      where: { phone: { not: null }, ...(text ? { OR: [{ firstName: text }, { lastName: text }, { email: text }, ...byNumber] } : {}) },
      select: { id: true, firstName: true, lastName: true, phone: true, company: { select: { name: true } } },
      orderBy: [{ firstName: "asc" }, { lastName: "asc" }],
      take: q.limit,
    }),
  ]);
  return {
    drivers: drivers.map((d) => ({ id: d.id, name: d.name, phone: d.phone, status: d.status })),
    contacts: contacts.map((c) => ({ id: c.id, name: [c.firstName, c.lastName].filter(Boolean).join(" "), phone: c.phone!, company: c.company?.name ?? null })),
  };
}

// ───────────── sync now ─────────────

export const syncInput = z.preprocess((v) => v ?? {}, withAliases("POST /api/v1/calls/sync", z.object({ integrationId: z.uuid().optional() }).strict()));

export async function syncNow(input: z.output<typeof syncInput>, caller: Caller) {
  const row = await chooseIntegration(input.integrationId);
  return requestSync(row.id, { type: "call_log", trigger: caller.kind === "api_key" ? "api" : "manual", actor: caller.actor, meta: caller.meta });
}
