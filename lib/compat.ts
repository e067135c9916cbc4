// The API's one naming policy: JSON bodies and query strings are camelCase. The snake_case
// names routes took before that policy (and the seeds' shapes they replace) stay accepted as
// explicit, documented aliases, declared here per route and nowhere else. docs/api-compat.md
// lists every one (a test keeps it in step with API_ALIASES); the OpenAPI document shows the
// camelCase names only, with a note naming the aliases.
//
// An alias is renamed to its camelCase name BEFORE the route's strict schema parses, so:
// - an unknown field is still a 400 naming it (the strict schema never sees an alias);
// - a request giving both the alias and the camelCase name is a 400 saying which one to keep;
// - validation messages name the camelCase field (the one the documentation shows).
// Core module: imports only zod.
import { z, type ZodType } from "zod";

/** One route's aliases: old (dotted) path → new (dotted) path, the same depth. */
export type RouteAliases = {
  /** where the names are read */
  in: "body" | "query";
  /** the date from which the camelCase name is the documented one and the old name an alias */
  since: string;
  /** where the old names come from */
  origin: string;
  /** old path → new path ("add_to_calendar.integration_id" → "addToCalendar.integrationId") */
  fields: Record<string, string>;
  /** the fields are those of each item of a list the body carries (tracking's positions) */
  items?: true;
};

const ISSUE_17 = "2026-12-07 (issue 17)";
const TODAY = "today's name (before issue 17)";
const ISSUE_18 = "2026-12-07 (issue 18)";

/**
 * Every alias the API accepts, by "METHOD /path" (the OpenAPI document's paths). Adding one:
 * a line here, a row in docs/api-compat.md, and the route's schema wrapped in withAliases().
 */
export const API_ALIASES = {
  "POST /api/v1/calls/ringout": {
    in: "body",
    since: ISSUE_17,
    origin: TODAY,
    fields: { contact_id: "contactId", driver_id: "driverId", integration_id: "integrationId" },
  },
  "POST /api/v1/calls/sync": { in: "body", since: ISSUE_17, origin: TODAY, fields: { integration_id: "integrationId" } },
  "GET /api/v1/calls": {
    in: "query",
    since: ISSUE_17,
    origin: TODAY,
    fields: { contact_id: "contactId", driver_id: "driverId", integration_id: "integrationId" },
  },
  "POST /api/v1/push/register-token": {
    in: "body",
    since: ISSUE_17,
    origin: "today's name; seed 000 (push-notifications.php?action=register_token)",
    fields: { device_type: "deviceType", device_name: "deviceName", user_id: "userId", driver_id: "driverId" },
  },
  "POST /api/v1/tracking/locations": {
    in: "body",
    items: true,
    since: ISSUE_17,
    origin: "today's name; seed 000 (tracking.php?action=update_location)",
    fields: { driver_id: "driverId", application_id: "applicationId", battery_level: "batteryLevel", recorded_at: "recordedAt" },
  },
  "GET /api/v1/tracking/history": {
    in: "query",
    since: ISSUE_17,
    origin: "today's name (driver_id also seed 000's tracking.php?action=history)",
    fields: { driver_id: "driverId", max_points: "maxPoints" },
  },
  "POST /api/v1/integrations/payments/stripe/intent": {
    in: "body",
    since: ISSUE_17,
    origin: "today's name; seed 000 (payment-gateway.php?action=create)",
    fields: { customer_email: "customerEmail", application_id: "applicationId" },
  },
  "POST /api/v1/integrations/payments/refund": {
    in: "body",
    since: ISSUE_17,
    origin: TODAY,
    fields: { payment_id: "paymentId" },
  },
  "POST /api/v1/integrations/payments/stripe/confirm": {
    in: "body",
    since: ISSUE_18,
    origin: "Stripe's own names for a PaymentIntent's confirmation (payment_method, return_url); seed 004 (stripe/confirm)",
    fields: { payment_id: "paymentId", payment_intent_id: "paymentIntentId", payment_method: "paymentMethod", return_url: "returnUrl" },
  },
  "POST /api/v1/integrations/payments/paypal/execute": {
    in: "body",
    since: ISSUE_18,
    origin: "seed 004 (paypal/execute)",
    fields: { payment_id: "paymentId", order_id: "orderId" },
  },
  "GET /api/v1/payments/invoices": {
    in: "query",
    since: ISSUE_18,
    origin: "seed 000's customer_email (payment-gateway.php)",
    fields: { customer_email: "customerEmail", customer_id: "customerId", integration_id: "integrationId" },
  },
  "POST /api/v1/meetings": {
    in: "body",
    since: ISSUE_17,
    origin: "today's name (Zoom's own names for the recurrence)",
    fields: {
      integration_id: "integrationId",
      start_time: "startTime",
      application_id: "applicationId",
      calendar_event_id: "calendarEventId",
      add_to_calendar: "addToCalendar",
      "add_to_calendar.integration_id": "addToCalendar.integrationId",
      "recurrence.repeat_interval": "recurrence.repeatInterval",
      "recurrence.weekly_days": "recurrence.weeklyDays",
      "recurrence.monthly_day": "recurrence.monthlyDay",
      "recurrence.monthly_week": "recurrence.monthlyWeek",
      "recurrence.monthly_week_day": "recurrence.monthlyWeekDay",
      "recurrence.end_times": "recurrence.endTimes",
      "recurrence.end_date_time": "recurrence.endDateTime",
    },
  },
  "GET /api/v1/meetings": {
    in: "query",
    since: ISSUE_17,
    origin: TODAY,
    fields: { integration_id: "integrationId", application_id: "applicationId", calendar_event_id: "calendarEventId", include_deleted: "includeDeleted" },
  },
  "POST /api/v1/erp/sync": {
    in: "body",
    since: ISSUE_17,
    origin: "today's name; seed 000 (erp-sync.php: entity_type, entity_id)",
    fields: { entity_type: "entityType", entity_id: "entityId", integration_id: "integrationId" },
  },
  "GET /api/v1/erp/sync/status": {
    in: "query",
    since: ISSUE_17,
    origin: "today's name; seed 000 (erp-sync.php: entity_type, entity_id)",
    fields: { entity_type: "entityType", entity_id: "entityId", integration_id: "integrationId" },
  },
  "GET /api/v1/erp/links": {
    in: "query",
    since: ISSUE_17,
    origin: TODAY,
    fields: { entity_type: "entityType", entity_id: "entityId", integration_id: "integrationId" },
  },
  "GET /api/v1/erp/mapping": { in: "query", since: ISSUE_17, origin: TODAY, fields: { integration_id: "integrationId" } },
  "GET /api/v1/erp/entities": { in: "query", since: ISSUE_17, origin: TODAY, fields: { entity_type: "entityType" } },
  "GET /api/v1/calendar/google/events": {
    in: "query",
    since: ISSUE_17,
    origin: TODAY,
    fields: { integration_id: "integrationId", application_id: "applicationId", include_deleted: "includeDeleted" },
  },
  "GET /api/v1/calendar/google/calendars": { in: "query", since: ISSUE_17, origin: TODAY, fields: { integration_id: "integrationId" } },
  "POST /api/v1/contacts": {
    in: "body",
    since: ISSUE_17,
    origin: "the website's contact form (snake_case)",
    fields: { first_name: "firstName", last_name: "lastName", service_interest: "serviceInterest" },
  },
  "GET /api/oauth/{provider}/start": {
    in: "query",
    since: ISSUE_17,
    origin: TODAY,
    fields: { integration_id: "integrationId", return_to: "returnTo" },
  },
} as const satisfies Record<string, RouteAliases>;

export type AliasedRoute = keyof typeof API_ALIASES;

/** Every alias as one row: what docs/api-compat.md lists. */
export function aliasRows(table: Record<string, RouteAliases> = API_ALIASES): { route: string; in: string; old: string; new: string; since: string; origin: string }[] {
  return Object.entries(table).flatMap(([route, a]) =>
    Object.entries(a.fields).map(([old, neu]) => ({ route, in: a.in, old, new: neu, since: a.since, origin: a.origin })),
  );
}

/** The table docs/api-compat.md shows (a test keeps the file equal to it). */
export function aliasMarkdownTable(): string {
  const lines = ["| Route | In | Old name (alias) | New name | Alias since | Old name from |", "|---|---|---|---|---|---|"];
  for (const r of aliasRows()) lines.push(`| \`${r.route}\` | ${r.in} | \`${r.old}\` | \`${r.new}\` | ${r.since} | ${r.origin} |`);
  return lines.join("\n");
}

/** "contact_id → contactId, driver_id → driverId": for a route's description. */
export function aliasNote(route: string): string | undefined {
  const a = (API_ALIASES as Record<string, RouteAliases>)[route];
  if (!a) return undefined;
  const pairs = Object.entries(a.fields).map(([o, n]) => `\`${o}\` → \`${n}\``);
  return `Old snake_case names are accepted as aliases in the ${a.in === "query" ? "query string" : "body"} (${pairs.join(", ")}): see docs/api-compat.md. Sending both names of a field is a 400.`;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);

/** A route's aliases as a tree: the renames at one level, and the levels below by their new name. */
type Level = { renames: Map<string, string>; below: Map<string, Level> };

function compile(fields: Record<string, string>): Level {
  const root: Level = { renames: new Map(), below: new Map() };
  for (const [oldPath, newPath] of Object.entries(fields)) {
    const oldParts = oldPath.split(".");
    const newParts = newPath.split(".");
    let level = root;
    for (const key of newParts.slice(0, -1)) {
      let next = level.below.get(key);
      if (!next) level.below.set(key, (next = { renames: new Map(), below: new Map() }));
      level = next;
    }
    level.renames.set(oldParts[oldParts.length - 1], newParts[newParts.length - 1]);
  }
  return root;
}

/**
 * One object with a level's aliases renamed: a new object built in one pass, keys in their
 * order (never `delete`, which would slow every later read of it), or the object itself when
 * nothing at this level or below needs renaming. Both names of a field: `problem`, naming the
 * old one.
 */
function applyLevel(value: Obj, level: Level, at: string[], problem: (path: string[], message: string) => void): Obj {
  let changed = false;
  for (const k in value) {
    if (level.renames.has(k) || (level.below.has(level.renames.get(k) ?? k) && isObj(value[k]))) {
      changed = true;
      break;
    }
  }
  if (!changed) return value;
  const out: Obj = {};
  for (const k of Object.keys(value)) {
    const neu = level.renames.get(k);
    if (neu !== undefined && Object.prototype.hasOwnProperty.call(value, neu)) {
      problem([...at, k], `Both "${neu}" and its old name "${k}" were sent: keep "${neu}" and leave out "${k}"`);
      continue;
    }
    const name = neu ?? k;
    const below = level.below.get(name);
    const v = value[k];
    out[name] = below && isObj(v) ? applyLevel(v, below, [...at, name], problem) : v;
  }
  return out;
}

/**
 * Renames a route's aliases in one object (the input is left alone). Each conflict (the old
 * and the new name both given) is reported through `problem` with the path to leave out.
 */
export function renameAliases(value: unknown, fields: Record<string, string>, problem: (path: string[], message: string) => void): unknown {
  return isObj(value) ? applyLevel(value, compile(fields), [], problem) : value;
}

/**
 * The route's schema, reading its declared aliases first (API_ALIASES[route]). The result is a
 * zod preprocess: the OpenAPI document (io "input") shows the inner schema, camelCase only.
 */
export function withAliases<T extends ZodType>(route: AliasedRoute, schema: T) {
  const level = compile((API_ALIASES[route] as RouteAliases).fields);
  return z.preprocess((value, ctx) => {
    if (!isObj(value)) return value;
    let failed = false;
    const out = applyLevel(value, level, [], (path, message) => {
      failed = true;
      ctx.addIssue({ code: "custom", path, message, input: value });
    });
    return failed ? value : out;
  }, schema);
}
