// 1C:Enterprise's standard OData interface (OData 3.0) over plain HTTP through ctx.call
// (every call logged, the password scrubbed): `<infobase>/odata/standard.odata/`, Basic
// auth, `$format=json`, entity sets named Catalog_<Имя> / Document_<Имя> (percent-encoded),
// keys `(guid'…')`. See ../shared/reference/providers.md §12.
//
// Confirmed by our reference: the URL layout, Basic auth, list/by-key/create/PATCH, the
// Ref_Key/DataVersion/DeletionMark/Code/Description/Number/Date/Posted attributes, zone-less
// dates, `_Key` references with the empty GUID, POST …/Post, the error body
// {"odata.error":{"code","message":{"lang","value"}}}. UNCONFIRMED and accepted either way
// below: the status of a create (201 or 200), of a PATCH (200 with the entity or 204), of
// /Post (200 or 204); which status 1C gives an error raised in the object's module (400 or
// 500: both are surfaced with 1C's own text).
import { z } from "zod";
import { HttpError, type HttpResponse } from "@/lib/http";
import { redactBody, redactUrl, redactValue } from "@/lib/redact";
import { classifyFailure, ProviderError, type ProviderFailure } from "@/lib/providers/errors";
import type { ProviderContext } from "@/lib/providers/types";
import type { MappingConfig } from "@/lib/providers/onec/mapping";

export type OneCCredentials = { username: string; password: string };
export type OneCConfig = { timeZone: string; timeoutSeconds: number; mapping: MappingConfig };
export type OneCContext = ProviderContext<OneCCredentials, OneCConfig>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ONEC_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** One call as the ERP sync log keeps it (redacted). */
export type Exchange = {
  method: string;
  url: string;
  status: number | null;
  request?: unknown;
  response?: unknown;
  durationMs: number;
};

export type ODataErrorKind = "auth" | "not_found" | "refused" | "server" | "timeout" | "network" | "bad_response";

/** A 1C call that did not work, with 1C's own message (Russian text kept as is). */
const FAILURE: Record<ODataErrorKind, ProviderFailure> = {
  auth: "auth",
  not_found: "not_found",
  refused: "invalid_request",
  server: "provider",
  timeout: "timeout",
  network: "network",
  bad_response: "invalid_response",
};

export class ODataError extends ProviderError {
  constructor(
    message: string,
    public kind: ODataErrorKind,
    /** HTTP status; 0 when nothing came back */
    public status: number,
    public opts: { odataCode?: string; odataMessage?: string; object?: string; exchange?: Exchange; failure?: ProviderFailure; retryAfterSeconds?: number } = {},
  ) {
    super(message, {
      retryable: kind === "server" || kind === "timeout" || kind === "network",
      status: status || null,
      providerCode: opts.odataCode,
      retryAfterSeconds: opts.retryAfterSeconds,
      failure: opts.failure ?? (status === 429 ? "rate_limited" : FAILURE[kind]),
    });
    this.name = "ODataError";
  }
  /** 5xx, 429, timeouts and no answer may work next time; a refusal (4xx) will not by itself */
  override get retryable() {
    return this.kind === "server" || this.kind === "timeout" || this.kind === "network";
  }
}

/** An entity as 1C answers it: what we rely on is its Ref_Key. */
export const entitySchema = z.looseObject({ Ref_Key: z.string().regex(GUID), DataVersion: z.string().optional(), DeletionMark: z.boolean().optional() });
export type Entity = z.infer<typeof entitySchema>;
const listSchema = z.object({ value: z.array(z.looseObject({})) });

/** Cyrillic names percent-encoded: Catalog_Контрагенты → Catalog_%D0%9A… */
export const entitySet = (object: string) => encodeURIComponent(object);
export function entityPath(object: string, refKey: string) {
  if (!GUID.test(refKey)) throw new ODataError(`"${refKey}" is not a 1C Ref_Key (a GUID)`, "refused", 0, { object });
  return `${entitySet(object)}(guid'${refKey.toLowerCase()}')`;
}

/** An OData 3.0 literal: strings quoted with ' doubled, GUID refs as guid'…', 1C dates as datetime'…'. */
export function odataLiteral(attribute: string, value: unknown): string {
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return String(value);
  const s = String(value ?? "");
  if (attribute.endsWith("_Key") && GUID.test(s)) return `guid'${s}'`;
  if (ONEC_DATE.test(s)) return `datetime'${s}'`;
  return `'${s.replace(/'/g, "''")}'`;
}

/** `A eq 'x' and B eq guid'…'` */
export function eqFilter(values: Record<string, unknown>) {
  return Object.entries(values)
    .map(([k, v]) => `${k} eq ${odataLiteral(k, v)}`)
    .join(" and ");
}

function basicAuth(c: OneCCredentials) {
  // UNCONFIRMED: that 1C decodes Basic credentials as UTF-8 (Cyrillic user names such as
  // "Администратор" are common); the web server in front of it must not re-encode them
  return `Basic ${Buffer.from(`${c.username}:${c.password ?? ""}`, "utf8").toString("base64")}`;
}

/** 1C's message from an odata.error body, or the start of whatever else came back. */
export function odataErrorOf(text: string): { code?: string; message?: string } {
  try {
    const b = JSON.parse(text) as { "odata.error"?: { code?: unknown; message?: { value?: unknown } | string } };
    const e = b["odata.error"];
    if (e) {
      const m = typeof e.message === "string" ? e.message : e.message?.value;
      return { code: e.code === undefined ? undefined : String(e.code), message: typeof m === "string" ? m : undefined };
    }
  } catch {
    /* not JSON (an HTML error page from the web server, XML) */
  }
  const plain = text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
  return { message: plain ? plain.slice(0, 300) : undefined };
}

type Req = {
  action: string;
  method: "GET" | "POST" | "PATCH";
  /** relative to the service root, already encoded */
  path: string;
  /** more query options, already encoded ($format=json is always added) */
  query?: string;
  body?: Record<string, unknown>;
  object: string;
  /** lib/http.ts may repeat it after a 5xx or a timeout (never a create: it could make a duplicate) */
  idempotent?: boolean;
  related?: { type: string; id: string };
  /** what was being done, for messages: "create", "update", "read" … */
  what: string;
  /** answers that are this call's designed outcome (a lookup by key: 404 = no such object), logged as expected */
  expect?: readonly number[];
};

function urlOf(ctx: OneCContext, r: Req) {
  return `${ctx.baseUrl.replace(/\/+$/, "")}/${r.path}?$format=json${r.query ? `&${r.query}` : ""}`;
}

/** One OData call: the answer (2xx) with its exchange, or an ODataError that says what happened. */
export async function odata(ctx: OneCContext, r: Req): Promise<{ res: HttpResponse; exchange: Exchange }> {
  const url = urlOf(ctx, r);
  const started = Date.now();
  const exchange: Exchange = {
    method: r.method,
    url: redactUrl(url, ctx.secrets),
    status: null,
    ...(r.body ? { request: redactValue(r.body, ctx.secrets) } : {}),
    durationMs: 0,
  };
  let res: HttpResponse;
  try {
    res = await ctx.call(
      r.action,
      // (lib/http.ts sends Accept: application/json)
      { method: r.method, url, headers: { Authorization: basicAuth(ctx.credentials) }, body: r.body, idempotent: r.idempotent },
      { timeoutMs: (ctx.config.timeoutSeconds ?? 30) * 1000, ...(r.related ? { related: r.related } : {}), ...(r.expect ? { expect: r.expect } : {}) },
    );
  } catch (e) {
    exchange.durationMs = Date.now() - started;
    if (e instanceof HttpError) {
      const c = classifyFailure(e, { name: "1C", secrets: ctx.secrets });
      const timeout = c.failure === "timeout";
      exchange.response = { error: timeout ? "timeout" : c.detail };
      const message = timeout
        ? `1C did not answer within ${ctx.config.timeoutSeconds ?? 30} s (${r.what} ${r.object})`
        : c.failure === "cancelled"
          ? `${c.message} (${r.what} ${r.object})`
          : c.message;
      throw new ODataError(message, timeout ? "timeout" : "network", 0, { object: r.object, exchange, failure: c.failure });
    }
    throw e;
  }
  exchange.status = res.status;
  exchange.durationMs = res.durationMs;
  exchange.response = redactBody(res.text, res.headers.get("content-type"), ctx.secrets);
  if (res.ok) return { res, exchange };

  const err = odataErrorOf(res.text);
  const said = err.message ? `: ${err.message}` : "";
  const c = classifyFailure(res, { name: "1C", during: `during ${r.what} ${r.object}` });
  const opts = { odataCode: err.code, odataMessage: err.message, object: r.object, exchange, failure: c.failure };
  if (c.failure === "auth") {
    throw new ODataError(
      `1C rejected the user "${ctx.credentials.username}" (HTTP ${res.status}): check the user name and password and that the user may use the OData interface${said}`,
      "auth",
      res.status,
      opts,
    );
  }
  if (res.status === 404) {
    // by key: that one object is gone; on the set itself: the object is not published
    const keyed = r.path.includes("(guid'");
    throw new ODataError(
      keyed
        ? `1C has no ${r.object} with this Ref_Key (HTTP 404)${said}`
        : `1C has no object "${r.object}" in its OData interface (HTTP 404): fix the mapping or publish the object (SetStandardODataInterfaceContent)${said}`,
      "not_found",
      404,
      opts,
    );
  }
  if (c.failure === "rate_limited" || c.failure === "provider") {
    // in the words every provider uses, with the call it was and Retry-After
    throw new ODataError(`${c.message}${said}`, "server", res.status, { ...opts, retryAfterSeconds: c.retryAfterSeconds });
  }
  throw new ODataError(`1C refused to ${r.what} ${r.object} (HTTP ${res.status})${said}`, "refused", res.status, opts);
}

function parseEntity(res: HttpResponse, exchange: Exchange, object: string, what: string): Entity {
  let body: unknown;
  try {
    body = res.json();
  } catch {
    throw new ODataError(`1C answered the ${what} of ${object} with something that is not JSON (is $format=json supported?)`, "bad_response", res.status, { object, exchange });
  }
  const e = entitySchema.safeParse(body);
  if (!e.success) throw new ODataError(`1C accepted the ${what} of ${object} but its answer has no Ref_Key`, "bad_response", res.status, { object, exchange });
  return e.data;
}

type Opts = { related?: { type: string; id: string } };

/** POST <object>: the new object with its Ref_Key (201 or 200: UNCONFIRMED which 1C sends). */
export async function createObject(ctx: OneCContext, object: string, body: Record<string, unknown>, o: Opts = {}) {
  const { res, exchange } = await odata(ctx, { action: "onec.create", method: "POST", path: entitySet(object), body, object, what: "create", related: o.related });
  return { entity: parseEntity(res, exchange, object, "create"), exchange };
}

/** PATCH <object>(guid'…'): the object as 1C now has it, or null when 1C answers 204 (UNCONFIRMED which). */
export async function updateObject(ctx: OneCContext, object: string, refKey: string, body: Record<string, unknown>, o: Opts = {}) {
  const { res, exchange } = await odata(ctx, {
    action: "onec.update",
    method: "PATCH",
    path: entityPath(object, refKey),
    body,
    object,
    what: "update",
    // the same body twice leaves the same object: safe to repeat after a lost answer
    idempotent: true,
    related: o.related,
  });
  return { entity: res.status === 204 || !res.text.trim() ? null : parseEntity(res, exchange, object, "update"), exchange };
}

/** GET <object>(guid'…'): the object, or null when 1C has no such object (404). */
export async function getByKey(ctx: OneCContext, object: string, refKey: string, o: Opts & { select?: string[] } = {}) {
  try {
    const { res, exchange } = await odata(ctx, {
      action: "onec.get",
      method: "GET",
      path: entityPath(object, refKey),
      query: o.select?.length ? `$select=${o.select.map(encodeURIComponent).join(",")}` : undefined,
      object,
      what: "read",
      related: o.related,
      // "is it still there?": a 404 is an answer (null), not a failure
      expect: [404],
    });
    return { entity: parseEntity(res, exchange, object, "read"), exchange };
  } catch (e) {
    if (e instanceof ODataError && e.kind === "not_found") return { entity: null, exchange: e.opts.exchange! };
    throw e;
  }
}

/** GET <object>?$filter=A eq '…' and …: the matching objects (at most `top`). */
export async function findByFilter(ctx: OneCContext, object: string, eq: Record<string, unknown>, o: Opts & { top?: number; select?: string[] } = {}) {
  const query = [`$filter=${encodeURIComponent(eqFilter(eq))}`, `$top=${o.top ?? 2}`, ...(o.select?.length ? [`$select=${o.select.map(encodeURIComponent).join(",")}`] : [])].join("&");
  const { res, exchange } = await odata(ctx, { action: "onec.find", method: "GET", path: entitySet(object), query, object, what: "search", related: o.related });
  let body: unknown;
  try {
    body = res.json();
  } catch {
    throw new ODataError(`1C answered a search in ${object} with something that is not JSON`, "bad_response", res.status, { object, exchange });
  }
  const list = listSchema.safeParse(body);
  if (!list.success) throw new ODataError(`1C answered a search in ${object} without a "value" list`, "bad_response", res.status, { object, exchange });
  return { items: list.data.value.map((v) => entitySchema.safeParse(v)).flatMap((r) => (r.success ? [r.data] : [])), exchange };
}

/** GET <object>?$top=1: does 1C publish this object (false on 404)? The cheapest call there is. */
export async function objectExists(ctx: OneCContext, object: string, o: Opts = {}) {
  try {
    const { exchange } = await odata(ctx, { action: "onec.probe", method: "GET", path: entitySet(object), query: "$top=1&$select=Ref_Key", object, what: "read", related: o.related });
    return { exists: true, exchange };
  } catch (e) {
    if (e instanceof ODataError && e.kind === "not_found") return { exists: false, exchange: e.opts.exchange! };
    throw e;
  }
}

/**
 * POST Document_X(guid'…')/Post: posts (проводит) the document. 1C also takes
 * ?PostingModeOperational=true|false; we leave its default (UNCONFIRMED which that is).
 * 200 or 204 (UNCONFIRMED).
 */
export async function postDocument(ctx: OneCContext, object: string, refKey: string, o: Opts = {}) {
  const { exchange } = await odata(ctx, {
    action: "onec.post",
    method: "POST",
    path: `${entityPath(object, refKey)}/Post`,
    object,
    what: "post",
    // posting an already posted document posts it again: repeating it is harmless
    idempotent: true,
    related: o.related,
  });
  return { exchange };
}

/** PATCH {"DeletionMark": true|false}: 1C's soft delete (objects are removed by its own cleanup). */
export async function setDeletionMark(ctx: OneCContext, object: string, refKey: string, mark: boolean, o: Opts = {}) {
  return updateObject(ctx, object, refKey, { DeletionMark: mark }, o);
}
