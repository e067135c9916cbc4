// The CRM side of the 1C sync: loading an entity with the relations its mapping may read,
// the entities changed since a cursor (the automatic sync), a search for the "Sync now"
// picker and labels for the links table.
import { db } from "@/lib/db";
import { formatMoney } from "@/lib/money";
import type { EntityType, SourceRow } from "@/lib/providers/onec/mapping";

export type Source = {
  row: SourceRow;
  /** the ids of the entities it points at ({ ref: … } in a mapping) */
  refs: Partial<Record<EntityType, string | null>>;
  status: string | null;
  label: string;
};

const paymentLabel = (p: { amountMinor: number; currency: string; status: string }) => `Payment ${formatMoney(p.amountMinor, p.currency)} (${p.status})`;

/** The entity with what its mapping may read, or null when it does not exist (any more). */
export async function loadSource(type: EntityType, id: string): Promise<Source | null> {
  switch (type) {
    case "company": {
      const c = await db.company.findUnique({ where: { id } });
      return c && { row: c, refs: {}, status: null, label: c.name };
    }
    case "driver": {
      const d = await db.driver.findUnique({ where: { id }, include: { company: true } });
      return d && { row: d, refs: { company: d.companyId }, status: d.status, label: d.name };
    }
    case "application": {
      const a = await db.application.findUnique({ where: { id }, include: { company: true, driver: true, contact: true } });
      return a && { row: a, refs: { company: a.companyId, driver: a.driverId }, status: a.status, label: `Application ${a.number}` };
    }
    case "payment": {
      const p = await db.payment.findUnique({ where: { id } });
      if (!p) return null;
      // payments keep the application's id without a foreign key: it may be gone
      const a = p.applicationId ? await db.application.findUnique({ where: { id: p.applicationId }, include: { company: true } }) : null;
      return { row: { ...p, application: a, company: a?.company ?? null }, refs: { application: a?.id ?? null, company: a?.companyId ?? null }, status: p.status, label: paymentLabel(p) };
    }
  }
}

export type Cursor = { at: string; id: string };

/** Ids of entities changed after the cursor, oldest change first (keyset on updated_at, id). */
export async function changedSince(type: EntityType, cursor: Cursor | null, limit: number): Promise<{ id: string; updatedAt: Date }[]> {
  const where = cursor
    ? { OR: [{ updatedAt: { gt: new Date(cursor.at) } }, { updatedAt: new Date(cursor.at), id: { gt: cursor.id } }] }
    : {};
  const args = { where, orderBy: [{ updatedAt: "asc" as const }, { id: "asc" as const }], take: limit, select: { id: true, updatedAt: true } };
  switch (type) {
    case "company":
      return db.company.findMany(args);
    case "driver":
      return db.driver.findMany(args);
    case "application":
      return db.application.findMany(args);
    case "payment":
      return db.payment.findMany(args);
  }
}

export type Found = { id: string; label: string; detail: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The "Sync now" picker: entities whose name, number, tax id, phone … contain `q`. */
export async function searchEntities(type: EntityType, q: string, limit: number): Promise<Found[]> {
  const s = q.trim();
  const has = (field: string) => ({ [field]: { contains: s, mode: "insensitive" as const } });
  const byId = UUID.test(s) ? [{ id: s }] : [];
  switch (type) {
    case "company": {
      const rows = await db.company.findMany({ where: s ? { OR: [has("name"), has("taxId"), has("email"), ...byId] } : {}, orderBy: { name: "asc" }, take: limit });
      return rows.map((r) => ({ id: r.id, label: r.name, detail: r.taxId ? `ИНН ${r.taxId}` : r.email }));
    }
    case "driver": {
      const rows = await db.driver.findMany({ where: s ? { OR: [has("name"), has("phone"), has("email"), ...byId] } : {}, orderBy: { name: "asc" }, take: limit });
      return rows.map((r) => ({ id: r.id, label: r.name, detail: r.phone }));
    }
    case "application": {
      const rows = await db.application.findMany({
        where: s ? { OR: [has("number"), has("pickupAddress"), has("dropoffAddress"), ...byId] } : {},
        orderBy: { pickupAt: "desc" },
        take: limit,
      });
      return rows.map((r) => ({ id: r.id, label: `Application ${r.number}`, detail: `${r.pickupAddress} → ${r.dropoffAddress}` }));
    }
    case "payment": {
      const rows = await db.payment.findMany({
        where: s ? { OR: [has("description"), has("providerPaymentId"), has("customerEmail"), ...byId] } : {},
        orderBy: { createdAt: "desc" },
        take: limit,
      });
      return rows.map((r) => ({ id: r.id, label: paymentLabel(r), detail: [r.provider, r.description].filter(Boolean).join(" · ") || null }));
    }
  }
}

/** Labels for a page of links: "ООО Ромашка", "Application A-1001" (null when the entity is gone). */
export async function entityLabels(items: { entityType: string; entityId: string }[]): Promise<Map<string, string>> {
  const ids = (t: string) => [...new Set(items.filter((i) => i.entityType === t).map((i) => i.entityId))];
  const out = new Map<string, string>();
  const [companies, drivers, applications, payments] = await Promise.all([
    ids("company").length ? db.company.findMany({ where: { id: { in: ids("company") } }, select: { id: true, name: true } }) : [],
    ids("driver").length ? db.driver.findMany({ where: { id: { in: ids("driver") } }, select: { id: true, name: true } }) : [],
    ids("application").length ? db.application.findMany({ where: { id: { in: ids("application") } }, select: { id: true, number: true } }) : [],
    ids("payment").length ? db.payment.findMany({ where: { id: { in: ids("payment") } }, select: { id: true, amountMinor: true, currency: true, status: true } }) : [],
  ]);
  for (const c of companies) out.set(`company:${c.id}`, c.name);
  for (const d of drivers) out.set(`driver:${d.id}`, d.name);
  for (const a of applications) out.set(`application:${a.id}`, `Application ${a.number}`);
  for (const p of payments) out.set(`payment:${p.id}`, paymentLabel(p));
  return out;
}
