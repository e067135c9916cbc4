// Website contact submissions (POST /api/v1/contacts). A submission is a row before anything
// else happens (with the client's IP and user agent); then, in API mode, the worker's
// dispatcher (./sync.ts) hands it to SuiteDash, or in Import mode an admin exports it as a CSV
// (./import.ts). Statuses: pending → synced | failed (retried with backoff) | exported.
import { z } from "zod";
import { withAliases } from "@/lib/compat";
import { Prisma, type ContactSubmission, type Integration } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { errors } from "@/lib/errors";
import { audit, type RequestMeta, type Who } from "@/lib/audit";
import { consume } from "@/lib/rate-limit";
import { decodeCursor, encodeCursor } from "@/lib/cursor";
import { getProvider } from "@/lib/providers/registry";
import { storedSchema } from "@/lib/providers/stored";
import type { SuiteDashConfig } from "@/lib/providers/suitedash/client";
import { SUBMISSION_STATUSES, type SubmissionStatus } from "@/lib/suitedash/contract";

/** "" and whitespace-only optional fields count as absent */
const optionalText = (max: number, what: string) =>
  z.preprocess((v) => (typeof v === "string" && !v.trim() ? undefined : v), z.string().trim().max(max, `${what}: at most ${max} characters`).optional());

/** camelCase; the website's snake_case (first_name, last_name, service_interest) are aliases (lib/compat.ts) */
export const submissionInput = withAliases(
  "POST /api/v1/contacts",
  z.object({
    firstName: z.string().trim().min(1, "First name is required").max(100),
    lastName: z.string().trim().min(1, "Last name is required").max(100),
    email: z.string().trim().toLowerCase().pipe(z.email("Not a valid e-mail address").max(254)),
    phone: z.preprocess(
      (v) => (typeof v === "string" && !v.trim() ? undefined : v),
      z.string().trim().max(40).regex(/^\+?[0-9 ()./-]{5,40}$/, "Digits, spaces, + ( ) - . / only").optional(),
    ),
    company: optionalText(200, "Company"),
    serviceInterest: optionalText(200, "Service interest"),
    message: optionalText(5000, "Message"),
    source: optionalText(100, "Source"),
    tags: z.array(z.string().trim().min(1).max(50)).max(20, "At most 20 tags").default([]),
  }).strict(),
);
export type SubmissionInput = z.input<typeof submissionInput>;

export function serialize(r: ContactSubmission & { export?: { fileName: string } | null }, opts: { withClient?: boolean } = {}) {
  return {
    id: r.id,
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    phone: r.phone,
    company: r.company,
    serviceInterest: r.serviceInterest,
    message: r.message,
    source: r.source,
    tags: r.tags,
    status: r.status as SubmissionStatus,
    externalId: r.externalId,
    integrationId: r.integrationId,
    error: r.error,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    syncedAt: r.syncedAt,
    exportId: r.exportId,
    exportFileName: r.export?.fileName ?? null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(opts.withClient ? { ip: r.ip, userAgent: r.userAgent } : {}),
  };
}
export type SubmissionView = ReturnType<typeof serialize>;

/** The SuiteDash integration submissions go to: the first enabled one by priority. */
export async function activeSuiteDash(): Promise<{ row: Integration; config: SuiteDashConfig } | null> {
  const row = await db.integration.findFirst({
    where: { provider: "suitedash", status: { not: "inactive" } },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }],
  });
  if (!row) return null;
  const def = getProvider("suitedash");
  const parsed = def && storedSchema(def.config).safeParse(row.config ?? {});
  if (!parsed?.success) return null;
  return { row, config: parsed.data as SuiteDashConfig };
}

/**
 * Stores a submission. Anonymous callers (the website's visitors) are limited to
 * CONTACT_SUBMISSIONS_PER_HOUR per IP (429 with Retry-After); API keys have their own limit.
 */
export async function createSubmission(input: z.output<typeof submissionInput>, meta: RequestMeta, opts: { limitByIp: boolean }) {
  if (opts.limitByIp) {
    const limit = await consume("contact", meta.ip ?? "unknown", env().CONTACT_SUBMISSIONS_PER_HOUR, 3600);
    if (!limit.allowed) throw errors.rateLimited(limit.retryAfterSeconds);
  }
  const sd = await activeSuiteDash();
  const row = await db.contactSubmission.create({
    data: {
      firstName: input.firstName,
      lastName: input.lastName,
      email: input.email,
      phone: input.phone ?? null,
      company: input.company ?? null,
      serviceInterest: input.serviceInterest ?? null,
      message: input.message ?? null,
      source: input.source ?? null,
      tags: [...new Set(input.tags)],
      integrationId: sd?.row.id ?? null,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
    },
  });
  return serialize(row);
}

const iso = z.iso.datetime({ offset: true });
export const listSubmissionsQuery = z.strictObject({
  status: z.enum(SUBMISSION_STATUSES).optional(),
  q: z.string().trim().max(200).optional(),
  from: iso.optional(),
  to: iso.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

function where(f: z.output<typeof listSubmissionsQuery>): Prisma.ContactSubmissionWhereInput {
  const words = (f.q ?? "").split(/\s+/).filter(Boolean).slice(0, 5);
  return {
    status: f.status,
    createdAt: f.from || f.to ? { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.to ? { lt: new Date(f.to) } : {}) } : undefined,
    // every word must match the first name, the last name or the e-mail
    AND: words.map((w) => ({
      OR: [
        { firstName: { contains: w, mode: "insensitive" as const } },
        { lastName: { contains: w, mode: "insensitive" as const } },
        { email: { contains: w, mode: "insensitive" as const } },
      ],
    })),
  };
}

export async function listSubmissions(q: z.output<typeof listSubmissionsQuery>) {
  const base = where(q);
  const c = q.cursor ? decodeCursor(q.cursor) : null;
  const rows = await db.contactSubmission.findMany({
    where: c ? { AND: [base, { OR: [{ createdAt: { lt: c.at } }, { createdAt: c.at, id: { lt: c.id } }] }] } : base,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    include: { export: { select: { fileName: true } } },
  });
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map((r) => serialize(r));
  const last = items.at(-1);
  const grouped = await db.contactSubmission.groupBy({ by: ["status"], _count: { _all: true } });
  const counts = Object.fromEntries(SUBMISSION_STATUSES.map((s) => [s, grouped.find((g) => g.status === s)?._count._all ?? 0]));
  return { items, nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null, counts };
}

export async function getSubmission(id: string) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Submission");
  const r = await db.contactSubmission.findUnique({ where: { id }, include: { export: { select: { fileName: true } } } });
  if (!r) throw errors.notFound("Submission");
  const logs = await db.integrationLog.findMany({
    where: { relatedType: "contact_submission", relatedId: id },
    orderBy: { createdAt: "asc" },
    take: 100,
    select: { id: true, createdAt: true, action: true, method: true, url: true, statusCode: true, durationMs: true, status: true, error: true },
  });
  return { ...serialize(r, { withClient: true }), logs: logs.map((l) => ({ ...l, id: String(l.id) })) };
}

/** A failed submission back to pending with a fresh set of attempts (audited). */
export async function retrySubmission(id: string, who: Who) {
  if (!z.uuid().safeParse(id).success) throw errors.notFound("Submission");
  const sd = await activeSuiteDash();
  const n = await db.contactSubmission.updateMany({
    where: { id, status: "failed" },
    data: { status: "pending", attempts: 0, nextAttemptAt: null, error: null, ...(sd ? { integrationId: sd.row.id } : {}) },
  });
  if (!n.count) {
    const r = await db.contactSubmission.findUnique({ where: { id }, select: { status: true } });
    if (!r) throw errors.notFound("Submission");
    throw errors.conflict(`Only a failed submission can be retried (this one is ${r.status})`);
  }
  await audit(who.actor, "contact.retry", "contact_submission", id, undefined, who.meta);
  return getSubmission(id);
}
