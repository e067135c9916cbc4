// 1C:Enterprise through its standard OData interface (OData 3.0, Basic auth): the CRM's
// companies, drivers, applications and payments written to configurable catalogs and
// documents (./mapping.ts; lib/erp: sync with a link per entity, retries). 1C is self-hosted, so
// live mode needs the endpoint: http(s)://<server>/<infobase>/odata/standard.odata.
// Test connection: one `<object>?$top=1` per mapped object (are we let in, is each object
// published?). The automatic sync (types all / per entity) sends what changed since the last
// run plus failed entities whose retry is due.
import { z } from "zod";
import { defineProvider } from "@/lib/providers/types";
import { ENTITY_TYPES, effectiveMapping, mappingConfig, timeZone, type MappingConfig } from "@/lib/providers/onec/mapping";
import { ODataError, objectExists, type OneCContext } from "@/lib/providers/onec/client";
import { demo } from "./demo";

const credentials = z.strictObject({
  username: z
    .string()
    .trim()
    .min(1, "The 1C user the sync writes as")
    .max(200)
    .meta({ title: "User name", description: "A 1C user allowed to use the OData interface (e.g. Администратор or a dedicated integration user)" }),
  password: z.string().max(500).default("").meta({ title: "Password", secret: true, description: "That user's 1C password (sent with Basic auth)" }),
});

const config = z.strictObject({
  timeZone: timeZone.default("Europe/Moscow").meta({
    title: "Time zone of the infobase",
    description: "1C dates carry no zone: pickup times and payment dates are written as local time in this zone (IANA name)",
  }),
  timeoutSeconds: z.number().int().min(1).max(300).default(30).meta({ title: "Timeout (seconds)", description: "How long to wait for 1C to answer one call" }),
  mapping: mappingConfig.default({}).meta({
    title: "Mapping",
    description:
      "Entity → 1C object and fields, over the defaults (company → Catalog_Контрагенты, driver → Catalog_ФизическиеЛица, application → Document_ЗаказКлиента, payment → Document_ПоступлениеБезналичныхДенежныхСредств). The effective mapping is shown on the 1C sync page.",
  }),
});

export default defineProvider({
  id: "onec",
  name: "1C:Enterprise (OData)",
  category: "erp",
  description:
    "Companies, drivers, applications and payments to 1C catalogs and documents through the standard OData interface, with the 1C Ref_Key remembered per entity, a sync log and retries.",
  docsUrl: "https://v8.1c.ru/platforma/protokol-odata/",
  capabilities: ["erp.sync"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { sandbox: "/onec/{code}/odata/standard.odata" },
  // 1C runs on the customer's own network: private addresses are its normal place
  network: "private-allowed",

  async testConnection(rawCtx) {
    const ctx = rawCtx as unknown as OneCContext;
    if (!ctx.baseUrl) return { ok: false, message: "Set the endpoint: http(s)://<server>/<infobase>/odata/standard.odata" };
    const objects = [...new Set(ENTITY_TYPES.map((t) => effectiveMapping(ctx.config.mapping as MappingConfig, t)).filter((m) => m.enabled).map((m) => m.object))];
    const published: Record<string, boolean> = {};
    try {
      for (const o of objects) published[o] = (await objectExists(ctx, o)).exists;
    } catch (e) {
      return { ok: false, message: e instanceof ODataError ? e.message : `The 1C call failed: ${(e as Error).message}` };
    }
    const missing = objects.filter((o) => !published[o]);
    const who = `as "${ctx.credentials.username}"`;
    return missing.length
      ? {
          ok: false,
          message: `Connected to 1C ${who}, but it does not publish ${missing.join(", ")}: fix the mapping or add ${missing.length === 1 ? "it" : "them"} to the OData interface`,
          details: { published },
        }
      : { ok: true, message: `Connected to 1C ${who}: ${objects.length} mapped object${objects.length === 1 ? "" : "s"} published`, details: { published }, state: { checkedObjects: objects } };
  },

  sync: {
    types: [
      { id: "all", label: "Everything", description: "Companies, drivers, applications and payments changed since the last run, and failed ones due for a retry" },
      { id: "company", label: "Companies", description: "Companies changed since the last run → 1C counterparties" },
      { id: "driver", label: "Drivers", description: "Drivers changed since the last run → 1C individuals" },
      { id: "application", label: "Applications", description: "Applications changed since the last run → 1C customer orders" },
      { id: "payment", label: "Payments", description: "Payments changed since the last run → 1C receipts" },
    ],
    // run by lib/erp (its bindings.ts): the links between the CRM's rows and 1C's objects are its tables
  },

  async sandboxConnect(rawCtx) {
    // what an admin does in 1C: create the user the integration signs in as
    const ctx = rawCtx as unknown as OneCContext;
    const m = /^(.*)\/onec\/([^/]+)\/odata\/standard\.odata\/?$/.exec(ctx.baseUrl);
    if (!m) return;
    await ctx.call("onec.sandbox.user", {
      method: "POST",
      url: `${m[1]}/onec/__users`,
      body: { infobase: decodeURIComponent(m[2]), username: ctx.credentials.username, password: ctx.credentials.password },
      idempotent: true,
    });
  },
  sandbox: () => import("./sandbox"),
  demo,
});
