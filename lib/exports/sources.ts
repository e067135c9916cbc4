// What can be exported: each type's columns (header, kind, width) and the SQL that reads its
// rows in order with its filters. Rows are read through a server-side cursor in pages
// (lib/exports/run.ts), so an export of any size keeps memory flat.
import { z } from "zod";
import type { Permission } from "@/lib/auth/roles";
import type { Scope } from "@/lib/auth/scopes";

export type ColumnKind = "text" | "int" | "number" | "datetime" | "money" | "list";
/** money columns carry their amount in minor units and name the column that holds the currency */
export type Column = { key: string; header: string; kind: ColumnKind; width: number; currencyKey?: string };

const dateRange = {
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
};
/** every type's filters may cap the rows: the export holds the first `limit` rows in its order */
const rowLimit = { limit: z.number().int("limit is a whole number").min(1, "limit is at least 1").max(10_000_000).optional() };
const statusList = <T extends string>(values: readonly [T, ...T[]]) => z.array(z.enum(values)).max(values.length).optional();

type Where = { sql: string[]; params: unknown[] };
function where(): Where {
  return { sql: [], params: [] };
}
function add(w: Where, cond: (p: string) => string, value: unknown) {
  if (value === undefined || value === null || (Array.isArray(value) && !value.length)) return;
  w.params.push(value);
  w.sql.push(cond(`$${w.params.length}`));
}
const clause = (w: Where) => (w.sql.length ? `where ${w.sql.join(" and ")}` : "");

type Sql = { sql: string; params: unknown[] };

/** what reading a type's data takes anyway (its own API's read permission and key scope) */
export type ReadAccess = { permission: Permission; scope: Scope };

export type Source<F extends z.ZodType = z.ZodType> = {
  label: string;
  /**
   * An export is a copy of its data: creating, listing, reading and downloading one also takes
   * the read permission (roles) and scope (API keys) of that data, not only the exports' own.
   */
  read: ReadAccess;
  columns: Column[];
  filters: F;
  /** the rows' SQL (select … order by …) and the count of the same rows, with their parameters */
  sql(f: z.output<F>): { query: Sql; count: Sql };
};

function source<F extends z.ZodType>(s: Source<F>) {
  return s;
}

/** select … from <from> <where> order by <order>, and the same count */
function build(select: string, from: string, w: Where, order: string) {
  return {
    query: { sql: `select ${select} from ${from} ${clause(w)} order by ${order}`, params: w.params },
    count: { sql: `select count(*)::int as n from ${from} ${clause(w)}`, params: w.params },
  };
}

const applicationsFilters = z.strictObject({
  ...rowLimit,
  ...dateRange,
  status: statusList(["new", "assigned", "in_progress", "completed", "canceled"] as const),
  driverId: z.uuid().optional(),
  companyId: z.uuid().optional(),
});
const driversFilters = z.strictObject({
  ...rowLimit, status: statusList(["active", "off_duty", "inactive"] as const), companyId: z.uuid().optional() });
const vehiclesFilters = z.strictObject({
  ...rowLimit, status: statusList(["available", "in_service", "maintenance", "retired"] as const) });
const paymentsFilters = z.strictObject({
  ...rowLimit,
  ...dateRange,
  status: statusList(["pending", "requires_action", "succeeded", "failed", "canceled", "refunded", "partially_refunded"] as const),
  provider: z.string().trim().max(40).optional(),
  currency: z.string().trim().toUpperCase().length(3).optional(),
});
const contactsFilters = z.strictObject({
  ...rowLimit, ...dateRange, source: z.string().trim().max(100).optional(), companyId: z.uuid().optional() });
const messagesFilters = z.strictObject({
  ...rowLimit,
  ...dateRange,
  status: statusList(["queued", "sent", "delivered", "undelivered", "failed"] as const),
  channel: z.enum(["sms", "whatsapp", "email", "push", "telegram"]).optional(),
});
const logsFilters = z.strictObject({
  ...rowLimit,
  ...dateRange,
  status: statusList(["success", "error"] as const),
  integrationId: z.uuid().optional(),
  provider: z.string().trim().max(40).optional(),
  direction: z.enum(["inbound", "outbound"]).optional(),
});

export const SOURCES = {
  applications: source({
    label: "Orders (applications)",
    // orders, drivers and vehicles have no API of their own: the tracking API is the one that
    // reads them (drivers, their vehicles and current orders)
    read: { permission: "tracking.read", scope: "tracking:read" },
    filters: applicationsFilters,
    columns: [
      { key: "number", header: "Number", kind: "text", width: 12 },
      { key: "status", header: "Status", kind: "text", width: 12 },
      { key: "pickup_at", header: "Pickup at", kind: "datetime", width: 18 },
      { key: "pickup_address", header: "Pickup", kind: "text", width: 32 },
      { key: "dropoff_address", header: "Drop-off", kind: "text", width: 32 },
      { key: "passengers", header: "Passengers", kind: "int", width: 10 },
      { key: "price_minor", header: "Price", kind: "money", width: 12, currencyKey: "currency" },
      { key: "currency", header: "Currency", kind: "text", width: 8 },
      { key: "company", header: "Company", kind: "text", width: 24 },
      { key: "contact", header: "Contact", kind: "text", width: 22 },
      { key: "driver", header: "Driver", kind: "text", width: 22 },
      { key: "vehicle", header: "Vehicle", kind: "text", width: 12 },
      { key: "created_at", header: "Created", kind: "datetime", width: 18 },
    ],
    sql: applications,
  }),
  drivers: source({
    label: "Drivers",
    read: { permission: "tracking.read", scope: "tracking:read" },
    filters: driversFilters,
    columns: [
      { key: "name", header: "Name", kind: "text", width: 24 },
      { key: "phone", header: "Phone", kind: "text", width: 16 },
      { key: "email", header: "Email", kind: "text", width: 26 },
      { key: "license_number", header: "License", kind: "text", width: 16 },
      { key: "status", header: "Status", kind: "text", width: 10 },
      { key: "vehicle", header: "Vehicle", kind: "text", width: 12 },
      { key: "company", header: "Company", kind: "text", width: 24 },
      { key: "created_at", header: "Created", kind: "datetime", width: 18 },
    ],
    sql: drivers,
  }),
  vehicles: source({
    label: "Vehicles",
    read: { permission: "tracking.read", scope: "tracking:read" },
    filters: vehiclesFilters,
    columns: [
      { key: "plate_number", header: "Plate", kind: "text", width: 12 },
      { key: "make", header: "Make", kind: "text", width: 14 },
      { key: "model", header: "Model", kind: "text", width: 14 },
      { key: "year", header: "Year", kind: "int", width: 8 },
      { key: "seats", header: "Seats", kind: "int", width: 8 },
      { key: "color", header: "Color", kind: "text", width: 10 },
      { key: "status", header: "Status", kind: "text", width: 12 },
      { key: "driver", header: "Driver", kind: "text", width: 22 },
    ],
    sql: vehicles,
  }),
  payments: source({
    label: "Payments",
    read: { permission: "payments.read", scope: "payments:read" },
    filters: paymentsFilters,
    columns: [
      { key: "created_at", header: "Created", kind: "datetime", width: 18 },
      { key: "id", header: "Payment", kind: "text", width: 36 },
      { key: "provider", header: "Provider", kind: "text", width: 10 },
      { key: "status", header: "Status", kind: "text", width: 18 },
      { key: "amount_minor", header: "Amount", kind: "money", width: 12, currencyKey: "currency" },
      { key: "captured_minor", header: "Captured", kind: "money", width: 12, currencyKey: "currency" },
      { key: "refunded_minor", header: "Refunded", kind: "money", width: 12, currencyKey: "currency" },
      { key: "currency", header: "Currency", kind: "text", width: 8 },
      { key: "description", header: "Description", kind: "text", width: 30 },
      { key: "customer_email", header: "Customer e-mail", kind: "text", width: 26 },
      { key: "order_number", header: "Order", kind: "text", width: 12 },
      { key: "provider_payment_id", header: "Provider id", kind: "text", width: 28 },
    ],
    sql: payments,
  }),
  contacts: source({
    label: "Contacts",
    read: { permission: "contacts.read", scope: "contacts:read" },
    filters: contactsFilters,
    columns: [
      { key: "first_name", header: "First name", kind: "text", width: 16 },
      { key: "last_name", header: "Last name", kind: "text", width: 16 },
      { key: "email", header: "Email", kind: "text", width: 26 },
      { key: "phone", header: "Phone", kind: "text", width: 16 },
      { key: "company", header: "Company", kind: "text", width: 24 },
      { key: "source", header: "Source", kind: "text", width: 12 },
      { key: "tags", header: "Tags", kind: "list", width: 18 },
      { key: "created_at", header: "Created", kind: "datetime", width: 18 },
    ],
    sql: contacts,
  }),
  messages: source({
    label: "Messages",
    read: { permission: "messages.read", scope: "messages:read" },
    filters: messagesFilters,
    columns: [
      { key: "created_at", header: "Created", kind: "datetime", width: 18 },
      { key: "channel", header: "Channel", kind: "text", width: 10 },
      { key: "status", header: "Status", kind: "text", width: 12 },
      { key: "recipient", header: "To", kind: "text", width: 24 },
      { key: "provider", header: "Provider", kind: "text", width: 10 },
      { key: "subject", header: "Subject", kind: "text", width: 30 },
      { key: "attempts", header: "Attempts", kind: "int", width: 9 },
      { key: "error", header: "Error", kind: "text", width: 30 },
      { key: "delivered_at", header: "Delivered", kind: "datetime", width: 18 },
    ],
    sql: messages,
  }),
  logs: source({
    label: "Integration logs",
    read: { permission: "logs.read", scope: "logs:read" },
    filters: logsFilters,
    columns: [
      { key: "created_at", header: "Time", kind: "datetime", width: 18 },
      { key: "provider", header: "Provider", kind: "text", width: 12 },
      { key: "action", header: "Action", kind: "text", width: 24 },
      { key: "direction", header: "Direction", kind: "text", width: 10 },
      { key: "status", header: "Status", kind: "text", width: 8 },
      { key: "method", header: "Method", kind: "text", width: 8 },
      { key: "url", header: "URL", kind: "text", width: 40 },
      { key: "status_code", header: "HTTP", kind: "int", width: 6 },
      { key: "duration_ms", header: "ms", kind: "int", width: 7 },
      { key: "error", header: "Error", kind: "text", width: 30 },
    ],
    sql: logs,
  }),
} as const;

export type ExportType = keyof typeof SOURCES;
export const EXPORT_TYPES = Object.keys(SOURCES) as ExportType[];

function applications(f: z.output<typeof applicationsFilters>) {
  const w = where();
  add(w, (p) => `a.pickup_at >= ${p}`, f.from);
  add(w, (p) => `a.pickup_at < ${p}`, f.to);
  add(w, (p) => `a.status = any(${p}::"ApplicationStatus"[])`, f.status);
  add(w, (p) => `a.driver_id = ${p}`, f.driverId);
  add(w, (p) => `a.company_id = ${p}`, f.companyId);
  return build(
    `a.number, a.status, a.pickup_at, a.pickup_address, a.dropoff_address, a.passengers, a.price_minor, a.currency,
     c.name as company, nullif(concat_ws(' ', ct.first_name, ct.last_name), '') as contact, d.name as driver, v.plate_number as vehicle, a.created_at`,
    `applications a left join companies c on c.id = a.company_id left join contacts ct on ct.id = a.contact_id
     left join drivers d on d.id = a.driver_id left join vehicles v on v.id = a.vehicle_id`,
    w,
    "a.pickup_at, a.id",
  );
}
function drivers(f: z.output<typeof driversFilters>) {
  const w = where();
  add(w, (p) => `d.status = any(${p}::"DriverStatus"[])`, f.status);
  add(w, (p) => `d.company_id = ${p}`, f.companyId);
  return build(
    `d.name, d.phone, d.email, d.license_number, d.status, v.plate_number as vehicle, c.name as company, d.created_at`,
    `drivers d left join vehicles v on v.id = d.vehicle_id left join companies c on c.id = d.company_id`,
    w,
    "d.name, d.id",
  );
}
function vehicles(f: z.output<typeof vehiclesFilters>) {
  const w = where();
  add(w, (p) => `v.status = any(${p}::"VehicleStatus"[])`, f.status);
  return build(`v.plate_number, v.make, v.model, v.year, v.seats, v.color, v.status, d.name as driver`, `vehicles v left join drivers d on d.vehicle_id = v.id`, w, "v.plate_number");
}
function payments(f: z.output<typeof paymentsFilters>) {
  const w = where();
  add(w, (p) => `p.created_at >= ${p}`, f.from);
  add(w, (p) => `p.created_at < ${p}`, f.to);
  add(w, (p) => `p.status = any(${p}::"PaymentStatus"[])`, f.status);
  add(w, (p) => `p.provider = ${p}`, f.provider);
  add(w, (p) => `p.currency = ${p}`, f.currency);
  return build(
    `p.created_at, p.id, p.provider, p.status, p.amount_minor, p.captured_minor, p.refunded_minor, p.currency, p.description,
     p.customer_email, a.number as order_number, p.provider_payment_id`,
    `payments p left join applications a on a.id = p.application_id`,
    w,
    "p.created_at, p.id",
  );
}
function contacts(f: z.output<typeof contactsFilters>) {
  const w = where();
  add(w, (p) => `ct.created_at >= ${p}`, f.from);
  add(w, (p) => `ct.created_at < ${p}`, f.to);
  add(w, (p) => `ct.source = ${p}`, f.source);
  add(w, (p) => `ct.company_id = ${p}`, f.companyId);
  return build(
    `ct.first_name, ct.last_name, ct.email, ct.phone, c.name as company, ct.source, ct.tags, ct.created_at`,
    `contacts ct left join companies c on c.id = ct.company_id`,
    w,
    "ct.created_at, ct.id",
  );
}
function messages(f: z.output<typeof messagesFilters>) {
  const w = where();
  add(w, (p) => `m.created_at >= ${p}`, f.from);
  add(w, (p) => `m.created_at < ${p}`, f.to);
  add(w, (p) => `m.status::text = any(${p}::text[])`, f.status);
  add(w, (p) => `m.channel::text = ${p}`, f.channel);
  return build(`m.created_at, m.channel, m.status, m.recipient, m.provider, m.subject, m.attempts, m.error, m.delivered_at`, `messages m`, w, "m.created_at, m.id");
}
function logs(f: z.output<typeof logsFilters>) {
  const w = where();
  add(w, (p) => `l.created_at >= ${p}`, f.from);
  add(w, (p) => `l.created_at < ${p}`, f.to);
  add(w, (p) => `l.status::text = any(${p}::text[])`, f.status);
  add(w, (p) => `l.integration_id = ${p}`, f.integrationId);
  add(w, (p) => `l.provider = ${p}`, f.provider);
  add(w, (p) => `l.direction::text = ${p}`, f.direction);
  return build(`l.created_at, l.provider, l.action, l.direction, l.status, l.method, l.url, l.status_code, l.duration_ms, l.error`, `integration_logs l`, w, "l.created_at, l.id");
}

/** What the Exports page offers per type: its statuses (the status filter) and whether it has a date range. */
export function exportTypeInfo() {
  return EXPORT_TYPES.map((id) => {
    const shape = (SOURCES[id].filters as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
    const status = shape.status as z.ZodOptional<z.ZodArray<z.ZodEnum>> | undefined;
    return {
      id,
      label: SOURCES[id].label,
      statuses: status ? (status.unwrap().element.options as string[]) : [],
      dates: "from" in shape,
    };
  });
}
export type ExportTypeInfo = ReturnType<typeof exportTypeInfo>[number];

/**
 * Seed 000's export filter names, accepted as aliases (its `POST /api/export.php` body):
 * `date_from` and `date_to` are dates (YYYY-MM-DD, whole days in UTC; a full ISO date-time is
 * taken as it is) for `from` (inclusive) and `to` (exclusive: date_to names the last day
 * included, so it becomes the next day's start); `limit` is a filter of every type already.
 * Only types with a date range take them; elsewhere, and together with the field they stand
 * for, they are refused like any unknown field.
 */
export const SEED_FILTER_ALIASES = { date_from: "from", date_to: "to" } as const;

export type AliasProblem = { path: string; message: string };

export function fromSeedFilters(type: ExportType, filters: Record<string, unknown>): { filters: Record<string, unknown>; problems: AliasProblem[] } {
  const shape = (SOURCES[type].filters as unknown as z.ZodObject).shape as Record<string, unknown>;
  const out: Record<string, unknown> = { ...filters };
  const problems: AliasProblem[] = [];
  for (const [alias, field] of Object.entries(SEED_FILTER_ALIASES)) {
    if (!(alias in out) || !(field in shape)) continue;
    const v = out[alias];
    delete out[alias];
    if (field in out) {
      problems.push({ path: alias, message: `${alias} is another name for ${field}: send one of them` });
      continue;
    }
    if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
      const day = Date.parse(`${v}T00:00:00Z`);
      if (Number.isNaN(day)) {
        problems.push({ path: alias, message: `${alias} is a date as YYYY-MM-DD` });
        continue;
      }
      out[field] = new Date(alias === "date_to" ? day + 86_400_000 : day).toISOString();
    } else {
      out[field] = v; // a full date-time (or anything else: the field's own rule answers)
    }
  }
  return { filters: out, problems };
}
