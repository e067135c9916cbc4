// What a CRM entity becomes in 1C: one OData object (catalog or document) and a field map,
// declared in the 1C integration's config.mapping and validated here. Each entity type has a
// default (DEFAULT_MAPPING); an admin's entry overrides the object, adds or renames fields,
// removes a default field (null) or replaces the default fields altogether.
//
// A field map entry is one of:
//   "name"                      a source field (the catalogue below: SOURCE_FIELDS)
//   { source, default? }        the same, with a value for when ours is empty
//   { const: "ЮрЛицо" }         a constant (an enum value, a fixed catalog ref GUID, a flag)
//   { ref: "company" }          the linked entity's 1C Ref_Key (synced first when it has none)
//
// Values are sent the way 1C's standard OData interface reads them: dates without a zone in
// the integration's time zone ("2026-01-01T09:30:00"), money as a decimal string made from
// integer minor units (never a float), references as GUIDs with the empty ref for "none".
// Pure: no database, no network (the integration form and tests import it).
import { ianaTimeZone } from "@/lib/zod-fields";
import { z } from "zod";
import { toDecimalString } from "@/lib/money";

export const ENTITY_TYPES = ["company", "driver", "application", "payment"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const ENTITY_LABELS: Record<EntityType, string> = { company: "Company", driver: "Driver", application: "Application", payment: "Payment" };

/** 1C's empty reference: what a _Key field holds when it points at nothing */
export const EMPTY_REF = "00000000-0000-0000-0000-000000000000";
/** 1C's empty date ("no date"), zone-less like every 1C date */
export const EMPTY_DATE = "0001-01-01T00:00:00";

export type Money = { minor: number; currency: string };
export type FieldKind = "text" | "int" | "datetime" | "money" | "boolean";

/** One field a mapping can read from our side. `get` reads it from the loaded row (lib/erp/sources.ts). */
export type SourceField = { path: string; label: string; kind: FieldKind; get(row: SourceRow): unknown };

/** The loaded entity with its relations (the shapes lib/erp/sources.ts loads). */
export type SourceRow = Record<string, unknown>;

const rel = (row: SourceRow, name: string) => (row[name] ?? null) as SourceRow | null;
const field = (path: string, label: string, kind: FieldKind, get?: (row: SourceRow) => unknown): SourceField => ({
  path,
  label,
  kind,
  get: get ?? ((row) => row[path]),
});
const nested = (relation: string, key: string, label: string, kind: FieldKind = "text") =>
  field(`${relation}.${key}`, label, kind, (row) => rel(row, relation)?.[key] ?? null);
const money = (minorKey: string) => (row: SourceRow) =>
  typeof row[minorKey] === "number" ? ({ minor: row[minorKey] as number, currency: String(row.currency ?? "RUB") } satisfies Money) : null;

/** Every source field per entity type, in the order the page lists them. */
export const SOURCE_FIELDS: Record<EntityType, readonly SourceField[]> = {
  company: [
    field("id", "Switchboard id", "text"),
    field("name", "Name", "text"),
    field("taxId", "Tax id (ИНН)", "text"),
    field("email", "E-mail", "text"),
    field("phone", "Phone", "text"),
    field("address", "Address", "text"),
    field("createdAt", "Created", "datetime"),
  ],
  driver: [
    field("id", "Switchboard id", "text"),
    field("name", "Name", "text"),
    field("phone", "Phone", "text"),
    field("email", "E-mail", "text"),
    field("licenseNumber", "Licence number", "text"),
    field("status", "Status", "text"),
    nested("company", "name", "Company name"),
    nested("company", "taxId", "Company tax id"),
    field("createdAt", "Created", "datetime"),
  ],
  application: [
    field("id", "Switchboard id", "text"),
    field("number", "Number", "text"),
    field("status", "Status", "text"),
    field("pickupAt", "Pickup time", "datetime"),
    field("pickupAddress", "Pickup address", "text"),
    field("dropoffAddress", "Drop-off address", "text"),
    field("route", "Route (pickup → drop-off)", "text", (row) => `${row.pickupAddress} → ${row.dropoffAddress}`),
    field("passengers", "Passengers", "int"),
    field("price", "Price", "money", money("priceMinor")),
    field("priceMinor", "Price in minor units", "int"),
    field("currency", "Currency", "text"),
    field("notes", "Notes", "text"),
    nested("company", "name", "Company name"),
    nested("company", "taxId", "Company tax id"),
    nested("driver", "name", "Driver name"),
    nested("driver", "phone", "Driver phone"),
    nested("contact", "firstName", "Contact first name"),
    nested("contact", "email", "Contact e-mail"),
    field("createdAt", "Created", "datetime"),
  ],
  payment: [
    field("id", "Switchboard id", "text"),
    field("amount", "Amount", "money", money("amountMinor")),
    field("amountMinor", "Amount in minor units", "int"),
    field("capturedAmount", "Captured amount", "money", money("capturedMinor")),
    field("refundedAmount", "Refunded amount", "money", money("refundedMinor")),
    field("currency", "Currency", "text"),
    field("status", "Status", "text"),
    field("provider", "Payment provider", "text"),
    field("providerPaymentId", "Provider's payment id", "text"),
    field("reference", "Reference (provider and id)", "text", (row) => `${row.provider} ${row.providerPaymentId ?? row.id}`),
    field("description", "Description", "text"),
    field("customerEmail", "Customer e-mail", "text"),
    field("paidAt", "Paid at (or created)", "datetime", (row) => row.succeededAt ?? row.createdAt),
    field("createdAt", "Created", "datetime"),
    nested("application", "number", "Application number"),
    nested("company", "name", "Company name"),
  ],
};

/** Which other entities an entity can point at ({ ref: … }): the relations we know. */
export const REF_TARGETS: Record<EntityType, readonly EntityType[]> = {
  company: [],
  driver: ["company"],
  application: ["company", "driver"],
  payment: ["application", "company"],
};

// ───────────── the config schema ─────────────

const SCALAR = z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.null()]);

/** a 1C attribute name: letters (Cyrillic too), digits, underscores; not one 1C manages itself */
const ATTRIBUTE = /^[\p{L}_][\p{L}\p{N}_]{0,79}$/u;
function attributeProblem(k: string): string | null {
  if (!ATTRIBUTE.test(k)) return `"${k}" is not a 1C attribute name: letters, digits and _ (e.g. Description, ИНН, Контрагент_Key)`;
  if (k === "Ref_Key" || k === "DataVersion") return `${k} is 1C's own: it cannot be mapped`;
  return null;
}
const attribute = z.string().superRefine((k, ctx) => {
  const p = attributeProblem(k);
  if (p) ctx.addIssue({ code: "custom", message: p });
});

/** Catalog_Контрагенты, Document_ЗаказКлиента, InformationRegister_… */
export const objectName = z
  .string()
  .trim()
  .regex(/^[A-Za-z]+_[\p{L}\p{N}_]+$/u, "An OData object name such as Catalog_Контрагенты or Document_ЗаказКлиента");

export const fieldSpec = z.union([
  z.string().trim().min(1).max(100),
  z.object({ source: z.string().trim().min(1).max(100), default: SCALAR.optional() }).strict(),
  z.object({ const: SCALAR }).strict(),
  z.object({ ref: z.enum(ENTITY_TYPES) }).strict(),
]);
export type FieldSpec = z.infer<typeof fieldSpec>;

export const entityMappingInput = z
  .object({
    /** false: this entity type is not sent to 1C */
    enabled: z.boolean().optional(),
    object: objectName.optional(),
    /** merged over the default fields; null removes a default field */
    fields: z.record(z.string(), fieldSpec.nullable()).optional(),
    /** true: only `fields`, none of the defaults */
    replaceFields: z.boolean().optional(),
    /** before creating, look for an existing 1C object whose these attributes equal ours (adopt it instead of a duplicate) */
    match: z.array(attribute).max(5).optional(),
    /** documents: post (провести) after writing */
    post: z.boolean().optional(),
    /** only entities whose status is one of these are sent (e.g. succeeded payments) */
    statuses: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
  })
  .strict();
export type EntityMappingInput = z.infer<typeof entityMappingInput>;

function checkEntry(type: EntityType, entry: EntityMappingInput, ctx: z.RefinementCtx) {
  const paths = new Set(SOURCE_FIELDS[type].map((f) => f.path));
  for (const [attr, spec] of Object.entries(entry.fields ?? {})) {
    const bad = attributeProblem(attr);
    if (bad) ctx.addIssue({ code: "custom", path: ["fields", attr], message: bad });
    if (spec === null) continue;
    const src = typeof spec === "string" ? spec : "source" in spec ? spec.source : null;
    if (src !== null && !paths.has(src)) {
      ctx.addIssue({ code: "custom", path: ["fields", attr], message: `Unknown ${type} field "${src}": one of ${[...paths].join(", ")}` });
    }
    if (typeof spec === "object" && "ref" in spec && !REF_TARGETS[type].includes(spec.ref)) {
      ctx.addIssue({
        code: "custom",
        path: ["fields", attr],
        message: REF_TARGETS[type].length ? `A ${type} can point at: ${REF_TARGETS[type].join(", ")}` : `A ${type} points at no other entity`,
      });
    }
  }
  if (entry.post && !(entry.object ?? DEFAULT_MAPPING[type].object).startsWith("Document_")) {
    ctx.addIssue({ code: "custom", path: ["post"], message: "Only documents (Document_…) can be posted" });
  }
}

/** each entity type's entry, checked against that type's source fields and relations */
const entryFor = (type: EntityType) => entityMappingInput.superRefine((e, ctx) => checkEntry(type, e, ctx)).optional();

export const mappingConfig = z
  .object({ company: entryFor("company"), driver: entryFor("driver"), application: entryFor("application"), payment: entryFor("payment") })
  .strict();
export type MappingConfig = z.infer<typeof mappingConfig>;

/** An IANA zone this runtime knows (1C dates carry none: we write them in this zone) */
export const timeZone = ianaTimeZone;

// ───────────── defaults ─────────────

export type EffectiveMapping = {
  type: EntityType;
  enabled: boolean;
  object: string;
  fields: Record<string, FieldSpec>;
  match: string[];
  post: boolean;
  statuses: string[] | null;
  /** what differs from the default, for the page */
  customized: boolean;
};

type Default = Omit<EffectiveMapping, "type" | "customized" | "enabled">;

// Object and attribute names of 1C:ERP 2.x's standard configuration. UNCONFIRMED against a
// live infobase: attribute names differ between configurations (ERP/УТ: ЮрФизЛицо with
// "ЮрЛицо"; Бухгалтерия: ЮридическоеФизическоеЛицо with "ЮридическоеЛицо"), which is why every
// one of them can be overridden in config.mapping.
export const DEFAULT_MAPPING: Record<EntityType, Default> = {
  company: {
    object: "Catalog_Контрагенты",
    fields: { Description: "name", НаименованиеПолное: "name", ИНН: "taxId", ЮрФизЛицо: { const: "ЮрЛицо" } },
    // an existing counterparty with the same ИНН is adopted instead of created twice
    match: ["ИНН"],
    post: false,
    statuses: null,
  },
  driver: {
    object: "Catalog_ФизическиеЛица",
    // contact details live in a tabular section (КонтактнаяИнформация): not mapped by default
    fields: { Description: "name" },
    match: [],
    post: false,
    statuses: null,
  },
  application: {
    object: "Document_ЗаказКлиента",
    fields: { Date: "pickupAt", Number: "number", Контрагент_Key: { ref: "company" }, СуммаДокумента: "price", Комментарий: "route" },
    match: ["Number"],
    // posting a customer order needs much more than we have (goods, warehouse, agreement)
    post: false,
    statuses: null,
  },
  payment: {
    // UNCONFIRMED: the document a card/online payment becomes differs between configurations
    // (ERP/УТ: ПоступлениеБезналичныхДенежныхСредств; Бухгалтерия: ПоступлениеНаРасчетныйСчет)
    object: "Document_ПоступлениеБезналичныхДенежныхСредств",
    fields: { Date: "paidAt", СуммаДокумента: "amount", Контрагент_Key: { ref: "company" }, НазначениеПлатежа: "description", Комментарий: "reference" },
    match: [],
    post: false,
    // money that has not arrived is not booked
    statuses: ["succeeded", "partially_refunded", "refunded"],
  },
};

/** The mapping actually used for one entity type: the admin's entry over the default. */
export function effectiveMapping(config: MappingConfig | undefined, type: EntityType): EffectiveMapping {
  const d = DEFAULT_MAPPING[type];
  const entry = config?.[type];
  const fields: Record<string, FieldSpec> = entry?.replaceFields ? {} : { ...d.fields };
  for (const [k, v] of Object.entries(entry?.fields ?? {})) {
    if (v === null) delete fields[k];
    else fields[k] = v;
  }
  return {
    type,
    enabled: entry?.enabled ?? true,
    object: entry?.object ?? d.object,
    fields,
    match: entry?.match ?? (entry?.object && entry.object !== d.object ? [] : d.match),
    post: entry?.post ?? d.post,
    statuses: entry?.statuses ?? d.statuses,
    customized: !!entry && Object.keys(entry).length > 0,
  };
}

// ───────────── building the payload ─────────────

const dtf = new Map<string, Intl.DateTimeFormat>();
/** A moment as 1C writes it: local time in `tz`, no zone ("2026-01-01T09:30:00"). */
export function toOneCDate(d: Date, tz: string): string {
  let f = dtf.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
    dtf.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/** One source value in 1C's wire form; empty values become 1C's empty value of the kind. */
export function toOneCValue(kind: FieldKind, value: unknown, tz: string): string | number | boolean {
  const empty = value === null || value === undefined || value === "";
  switch (kind) {
    case "datetime":
      return empty ? EMPTY_DATE : toOneCDate(value instanceof Date ? value : new Date(String(value)), tz);
    case "money":
      // UNCONFIRMED: 1C answers numbers as JSON numbers; OData 3.0 writes Edm.Decimal as a
      // string and we never make a float, so amounts go as decimal strings ("1500.00")
      return empty ? "0" : toDecimalString((value as Money).minor, (value as Money).currency);
    case "int":
      return empty ? 0 : Number(value);
    case "boolean":
      return empty ? false : Boolean(value);
    default:
      return empty ? "" : String(value);
  }
}

/** The refs a mapping needs: entity types it points at. */
export function refsNeeded(m: EffectiveMapping): EntityType[] {
  return [...new Set(Object.values(m.fields).flatMap((s) => (typeof s === "object" && s && "ref" in s ? [s.ref] : [])))];
}

/**
 * The JSON body for 1C. `refKeys` holds the Ref_Key of every entity the mapping points at
 * (null: the entity has no such relation → the empty ref).
 */
export function buildPayload(m: EffectiveMapping, row: SourceRow, tz: string, refKeys: Partial<Record<EntityType, string | null>>) {
  const byPath = new Map(SOURCE_FIELDS[m.type].map((f) => [f.path, f]));
  const out: Record<string, unknown> = {};
  for (const [attr, spec] of Object.entries(m.fields)) {
    if (typeof spec === "string" || "source" in spec) {
      const path = typeof spec === "string" ? spec : spec.source;
      const f = byPath.get(path);
      if (!f) throw new Error(`Unknown ${m.type} field "${path}"`);
      const v = f.get(row);
      const fallback = typeof spec === "object" ? spec.default : undefined;
      out[attr] = (v === null || v === undefined || v === "") && fallback !== undefined ? fallback : toOneCValue(f.kind, v, tz);
    } else if ("const" in spec) {
      out[attr] = spec.const;
    } else {
      out[attr] = refKeys[spec.ref] ?? EMPTY_REF;
    }
  }
  return out;
}

/** How a field map entry reads for people: "name", "const ЮрЛицо", "→ company Ref_Key". */
export function describeSpec(spec: FieldSpec): string {
  if (typeof spec === "string") return spec;
  if ("source" in spec) return spec.default !== undefined ? `${spec.source} (default ${JSON.stringify(spec.default)})` : spec.source;
  if ("const" in spec) return `constant ${JSON.stringify(spec.const)}`;
  return `Ref_Key of the ${spec.ref}`;
}
