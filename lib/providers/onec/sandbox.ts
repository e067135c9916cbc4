// Emulator of 1C:Enterprise's standard OData interface (OData 3.0), one in-memory infobase
// per path segment: /onec/<infobase>/odata/standard.odata/…
//   GET    /                                   service document (the entity sets in use)
//   GET    <Object>?$format=json&$filter=…&$top=&$skip=&$select=   {"odata.metadata", "value":[…]}
//   GET    <Object>(guid'…')?$format=json      the object | 404 odata.error
//   POST   <Object>?$format=json               201 with the new object (Ref_Key, DataVersion …)
//   PATCH  <Object>(guid'…')?$format=json      200 with the object (DataVersion bumped)
//   POST   Document_X(guid'…')/Post            posts the document (Posted: true), 200
// Catalogs and documents exist on first use when the name is one of 1C's kinds
// (Catalog_, Document_, InformationRegister_ …); any other name answers 404 like an object
// missing from the OData composition. $filter takes `eq` joined by `and` on simple
// attributes ('text' with '' escapes, guid'…', datetime'…', numbers, true/false).
// Errors come in 1C's format {"odata.error":{"code","message":{"lang":"ru","value"}}}; the
// codes and Russian wording are ours (UNCONFIRMED), the shape is 1C's. A JSON answer needs
// $format=json (otherwise Atom XML, as 1C does). Document dates must be zone-less.
// Basic auth: users registered per infobase by the provider's sandboxConnect
// (POST /onec/__users). Control routes (no auth) for tests and people:
//   POST   /onec/__users    {infobase, username, password}
//   GET    /onec/__objects?infobase=&object=          every stored object
//   POST   /onec/__reject   {infobase, object, message, status?, code?, whenEmpty?, on?, times?}
//          writes to the object answer a business error (only when `whenEmpty` is empty, if given)
//   DELETE /onec/__reject?infobase=
//   POST   /onec/__delete   {infobase, object, refKey}   someone deleted it in 1C
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import type { SandboxModule } from "@/lib/sandbox/kit";

type Row = Record<string, unknown> & { Ref_Key: string };
type Reject = { object: string; message: string; status: number; code: string; whenEmpty?: string; on: "write" | "post"; remaining: number };
type Infobase = { users: Map<string, string>; objects: Map<string, Map<string, Row>>; counters: Map<string, number>; versions: number; rejects: Reject[] };
type State = { infobases: Map<string, Infobase> };

const KINDS = /^(Catalog|Document|InformationRegister|AccumulationRegister|ChartOfCharacteristicTypes|ChartOfAccounts|ChartOfCalculationTypes|ExchangePlan|BusinessProcess|Task|Constant)_[\p{L}\p{N}_]+$/u;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ONEC_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

export const odataErrorBody = (code: string, value: string) => ({ "odata.error": { code, message: { lang: "ru", value } } });

function localNow() {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

// ───────────── $filter: eq joined by and ─────────────

type Literal = string | number | boolean;

/** "A eq 'x' and B eq guid'…'" → [[A, 'x'], [B, '…']]; null when it is more than we emulate */
export function parseEqFilter(f: string): [string, Literal][] | null {
  const out: [string, Literal][] = [];
  let i = 0;
  const ws = () => {
    while (f[i] === " ") i++;
  };
  for (;;) {
    ws();
    const name = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(f.slice(i));
    if (!name) return null;
    i += name[0].length;
    ws();
    if (f.slice(i, i + 3) !== "eq ") return null;
    i += 3;
    ws();
    let value: Literal;
    const prefixed = /^(guid|datetime)'/.exec(f.slice(i));
    if (prefixed || f[i] === "'") {
      i += prefixed ? prefixed[0].length : 1;
      let s = "";
      for (;;) {
        if (i >= f.length) return null;
        if (f[i] === "'") {
          if (f[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += f[i++];
      }
      value = s;
    } else {
      const tok = /^(true|false|-?\d+(\.\d+)?)/.exec(f.slice(i));
      if (!tok) return null;
      i += tok[0].length;
      value = tok[0] === "true" ? true : tok[0] === "false" ? false : Number(tok[0]);
    }
    out.push([name[0], value]);
    ws();
    if (i >= f.length) return out;
    if (f.slice(i, i + 4) !== "and ") return null;
    i += 4;
  }
}

const onec: SandboxModule = {
  id: "onec",
  faultBody: (status) => odataErrorBody("-1", status === 429 ? "Слишком много запросов" : `Внутренняя ошибка сервера (HTTP ${status})`),
  mount(app, kit) {
    const st = () => kit.state<State>("onec", () => ({ infobases: new Map() }));
    const base = (name: string): Infobase => {
      const s = st();
      let ib = s.infobases.get(name);
      if (!ib) {
        ib = { users: new Map(), objects: new Map(), counters: new Map(), versions: 0, rejects: [] };
        s.infobases.set(name, ib);
      }
      return ib;
    };
    const table = (ib: Infobase, object: string) => {
      let t = ib.objects.get(object);
      if (!t) {
        t = new Map();
        ib.objects.set(object, t);
      }
      return t;
    };
    const fail = (c: Context, status: number, message: string, code = "-1") =>
      c.body(JSON.stringify(odataErrorBody(code, message)), status as 400, { "content-type": "application/json;charset=utf-8" });
    const body = async (c: Context) => (await c.req.json().catch(() => null)) as Record<string, unknown> | null;

    // ── control routes ──
    app.post("/__users", async (c) => {
      const b = await body(c);
      if (!b || typeof b.infobase !== "string" || typeof b.username !== "string") return c.json({ error: "infobase and username are required" }, 400);
      base(b.infobase).users.set(b.username, typeof b.password === "string" ? b.password : "");
      return c.body(null, 204);
    });
    app.get("/__objects", (c) => {
      const ib = st().infobases.get(c.req.query("infobase") ?? "");
      const object = c.req.query("object");
      const items = object ? [...(ib?.objects.get(object)?.values() ?? [])] : [...(ib?.objects.entries() ?? [])].flatMap(([o, t]) => [...t.values()].map((r) => ({ object: o, ...r })));
      return c.json({ items });
    });
    app.post("/__reject", async (c) => {
      const b = await body(c);
      if (!b || typeof b.infobase !== "string" || typeof b.object !== "string" || typeof b.message !== "string") {
        return c.json({ error: "infobase, object and message are required" }, 400);
      }
      base(b.infobase).rejects.push({
        object: b.object,
        message: b.message,
        status: typeof b.status === "number" ? b.status : 400,
        code: typeof b.code === "string" ? b.code : "-1",
        whenEmpty: typeof b.whenEmpty === "string" ? b.whenEmpty : undefined,
        on: b.on === "post" ? "post" : "write",
        remaining: typeof b.times === "number" ? b.times : Number.POSITIVE_INFINITY,
      });
      return c.body(null, 201);
    });
    app.delete("/__reject", (c) => {
      const ib = st().infobases.get(c.req.query("infobase") ?? "");
      if (ib) ib.rejects = [];
      return c.body(null, 204);
    });
    app.post("/__delete", async (c) => {
      const b = await body(c);
      const ok = st().infobases.get(String(b?.infobase ?? ""))?.objects.get(String(b?.object ?? ""))?.delete(String(b?.refKey ?? ""));
      return c.body(null, ok ? 204 : 404);
    });

    // ── the OData service ──
    const serve = async (c: Context) => {
      const url = new URL(c.req.url);
      const m = /^\/onec\/([^/]+)\/odata\/standard\.odata(\/.*)?$/.exec(url.pathname);
      if (!m) return fail(c, 404, "Не найден ресурс");
      const infobase = decodeURIComponent(m[1]);
      const ib = st().infobases.get(infobase);

      // Basic auth against the users registered for this infobase
      const auth = /^Basic\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
      const decoded = auth ? Buffer.from(auth[1], "base64").toString("utf8") : "";
      const colon = decoded.indexOf(":");
      const user = colon >= 0 ? decoded.slice(0, colon) : "";
      if (!ib || colon < 0 || !ib.users.has(user) || ib.users.get(user) !== decoded.slice(colon + 1)) {
        return c.body(null, 401, { "WWW-Authenticate": 'Basic realm="1C:Enterprise"' });
      }
      const root = `${url.origin}/onec/${m[1]}/odata/standard.odata`;
      if (url.searchParams.get("$format") !== "json") {
        return c.body(`<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>sandbox: add $format=json</title></feed>`, 200, {
          "content-type": "application/atom+xml;type=feed;charset=utf-8",
        });
      }
      const rest = (m[2] ?? "/").replace(/^\//, "");
      if (!rest) {
        if (c.req.method !== "GET") return fail(c, 405, "Метод не поддерживается");
        return c.json({ "odata.metadata": `${root}/$metadata`, value: [...ib.objects.keys()].map((name) => ({ name, url: name })) });
      }
      const seg = /^([^(/]+)(?:\(guid'([^']*)'\))?(?:\/([A-Za-z]+))?$/.exec(rest);
      if (!seg) return fail(c, 400, `Неверный адрес ресурса: ${decodeURIComponent(rest)}`);
      const object = decodeURIComponent(seg[1]);
      const key = seg[2];
      const action = seg[3];
      if (object === "$metadata") return fail(c, 501, "sandbox: $metadata is not emulated");
      if (!KINDS.test(object)) return fail(c, 404, `Не найден объект ${object}`, "9");
      if (key !== undefined && !GUID.test(key)) return fail(c, 400, `Неверное значение ключа: ${key}`);
      const rows = table(ib, object);
      const isDoc = object.startsWith("Document_");
      const answer = (row: Row, status = 200) => c.json({ "odata.metadata": `${root}/$metadata#${object}/@Element`, ...row }, status as 200);
      const bump = () => {
        const b = Buffer.alloc(8);
        b.writeUInt32BE(++ib.versions, 0);
        return b.toString("base64");
      };
      const rejected = (on: "write" | "post", merged: Record<string, unknown>) => {
        const r = ib.rejects.find((x) => x.object === object && x.on === on && x.remaining > 0 && (!x.whenEmpty || merged[x.whenEmpty] === undefined || merged[x.whenEmpty] === ""));
        if (!r) return null;
        r.remaining--;
        return fail(c, r.status, r.message, r.code);
      };
      /** what 1C itself checks about the values: GUID refs, zone-less dates, unique numbers/codes */
      const invalid = (b: Record<string, unknown>, self: string | null) => {
        for (const [k, v] of Object.entries(b)) {
          if (k.endsWith("_Key") && (typeof v !== "string" || !GUID.test(v))) return fail(c, 400, `Неверное значение ссылки ${k}: ${JSON.stringify(v)}`);
          if (k === "Date" && (typeof v !== "string" || !ONEC_DATE.test(v))) return fail(c, 400, `Неверный формат даты Date: ${JSON.stringify(v)} (ожидается ГГГГ-ММ-ДДTчч:мм:сс)`);
        }
        for (const unique of ["Number", "Code"] as const) {
          const v = b[unique];
          if (typeof v === "string" && v && [...rows.values()].some((r) => r.Ref_Key !== self && r[unique] === v && r.DeletionMark !== true)) {
            return fail(c, 400, unique === "Number" ? `Номер документа "${v}" не уникален` : `Код "${v}" не уникален`);
          }
        }
        return null;
      };

      if (c.req.method === "GET" && key === undefined && !action) {
        const p = url.searchParams;
        let list = [...rows.values()];
        const filter = p.get("$filter");
        if (filter) {
          const eqs = parseEqFilter(filter);
          if (!eqs) return fail(c, 400, `Неподдерживаемое выражение $filter: ${filter} (sandbox: eq joined by and)`);
          // GUIDs compare without regard to case
          const same = (k: string, a: unknown, b: Literal) => a === b || (k.endsWith("_Key") && typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase());
          list = list.filter((r) => eqs.every(([k, v]) => same(k, r[k], v)));
        }
        const skip = Number(p.get("$skip") ?? 0) || 0;
        const top = p.has("$top") ? Number(p.get("$top")) : undefined;
        list = list.slice(skip, top === undefined ? undefined : skip + top);
        const select = p.get("$select")?.split(",").map((s) => s.trim()).filter(Boolean);
        const value = select?.length ? list.map((r) => Object.fromEntries(select.map((k) => [k, r[k]]))) : list;
        return c.json({ "odata.metadata": `${root}/$metadata#${object}`, value });
      }
      if (c.req.method === "GET" && key !== undefined && !action) {
        const row = rows.get(key.toLowerCase());
        return row ? answer(row) : fail(c, 404, `Объект не найден: ${object}(guid'${key}')`);
      }
      if (c.req.method === "POST" && key === undefined && !action) {
        const b = await body(c);
        if (!b || typeof b !== "object" || Array.isArray(b)) return fail(c, 400, "Неверный формат тела запроса (ожидается JSON-объект)");
        if ("Ref_Key" in b) return fail(c, 400, "Ref_Key назначается 1С");
        const bad = invalid(b, null) ?? rejected("write", b);
        if (bad) return bad;
        const n = (ib.counters.get(object) ?? 0) + 1;
        ib.counters.set(object, n);
        const row: Row = {
          Ref_Key: randomUUID(),
          DataVersion: bump(),
          DeletionMark: false,
          ...(isDoc ? { Number: String(n).padStart(9, "0"), Date: localNow(), Posted: false } : { Code: String(n).padStart(9, "0"), Description: "", Predefined: false, PredefinedDataName: "" }),
          ...b,
        };
        rows.set(row.Ref_Key, row);
        // UNCONFIRMED: 201 Created (OData's own rule); 1C may answer 200
        return answer(row, 201);
      }
      if (c.req.method === "PATCH" && key !== undefined && !action) {
        const row = rows.get(key.toLowerCase());
        if (!row) return fail(c, 404, `Объект не найден: ${object}(guid'${key}')`);
        const b = await body(c);
        if (!b || typeof b !== "object" || Array.isArray(b)) return fail(c, 400, "Неверный формат тела запроса (ожидается JSON-объект)");
        const { Ref_Key: _ignored, DataVersion: _v, ...patch } = b;
        const bad = invalid(patch, row.Ref_Key) ?? rejected("write", { ...row, ...patch });
        if (bad) return bad;
        Object.assign(row, patch, { DataVersion: bump() });
        return answer(row);
      }
      if (c.req.method === "POST" && key !== undefined && action === "Post") {
        if (!isDoc) return fail(c, 400, `Проведение возможно только для документов: ${object}`);
        const row = rows.get(key.toLowerCase());
        if (!row) return fail(c, 404, `Объект не найден: ${object}(guid'${key}')`);
        if (row.DeletionMark === true) return fail(c, 400, "Помеченный на удаление документ не может быть проведен");
        const bad = rejected("post", row);
        if (bad) return bad;
        Object.assign(row, { Posted: true, DataVersion: bump() });
        return c.body(null, 200);
      }
      return fail(c, 405, `Метод ${c.req.method} не поддерживается для ${object}${action ? `/${action}` : ""}`);
    };
    app.all("/:infobase/odata/standard.odata", serve);
    app.all("/:infobase/odata/standard.odata/*", serve);
  },
};

export default onec;
