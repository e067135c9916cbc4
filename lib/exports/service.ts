// Exports: a request names a type, a format and filters; the rows are counted first (too many
// → a clear 422), small exports are written at once and answered with the file, large ones run
// as a pg-boss job with progress. Either way the file goes to EXPORT_DIR under the export's id
// (never a public folder: downloads go through the API and its roles), expires after
// retention.exportTtlHours (Settings; EXPORT_TTL_HOURS by default) and is removed by the retention job.
import { createReadStream } from "node:fs";
import { chmod, mkdir, open as openFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { z } from "zod";
import pg from "pg";
import { pgPool } from "@/lib/pg";
import { env } from "@/lib/env";
import { getSettings } from "@/lib/settings";
import { logger } from "@/lib/logger";
import type { Who } from "@/lib/audit";
import { ApiError, errors } from "@/lib/errors";
import { producer, QUEUES } from "@/lib/jobs/boss";
import { EXPORT_TYPES, SOURCES, type ExportType } from "@/lib/exports/sources";
import { checkExportFilters, createExportInput } from "@/lib/exports/contract";
import { CONTENT_TYPES, writerFor, type Format } from "@/lib/exports/writers";
import { audit } from "@/lib/audit";

const pgTypes = pg.types;
/** timestamptz (oid 1184) and timestamp (1114) as text, the rest as node-postgres parses them */
const TEXT_TIMES = {
  getTypeParser: ((oid: number, format?: string) => (oid === 1184 || oid === 1114 ? (v: string) => v : pgTypes.getTypeParser(oid, format as "text"))) as typeof pgTypes.getTypeParser,
};

/** PDF is for reading, not for a million rows */
export const PDF_MAX_ROWS = 20_000;
const PAGE_ROWS = 2000;


// the request shape and the filters' check: lib/exports/contract.ts (shared with the export form)
export { createExportInput };

export function exportsDir() {
  return path.resolve(env().EXPORT_DIR ?? path.join(env().DATA_DIR, "exports"));
}
const filePath = (id: string, format: string) => path.join(exportsDir(), `${id}.${format}`);

/**
 * The exports directory, 0700: files hold business data and personal details, for this
 * service's user only. Its parents are made as usual; the directory itself is set to 0700
 * even when it already existed with a looser mode, whatever the umask.
 */
async function privateExportsDir() {
  const dir = exportsDir();
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "EEXIST") throw e;
  });
  await chmod(dir, 0o700);
  return dir;
}

/** A new file, 0600 whatever the umask (a stale one left by a crash is replaced, not reused). */
async function privateFile(file: string) {
  await rm(file, { force: true });
  const handle = await openFile(file, "wx", 0o600);
  await handle.chmod(0o600);
  return handle.createWriteStream();
}

type JobRow = {
  id: string;
  type: ExportType;
  format: Format;
  filters: Record<string, unknown>;
  status: "queued" | "running" | "completed" | "failed" | "expired";
  rowsTotal: number | null;
  rowsDone: number;
  fileName: string | null;
  sizeBytes: string | null;
  error: string | null;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  expiresAt: Date | null;
};
const COLUMNS = `id, type, format, filters, status, rows_total as "rowsTotal", rows_done as "rowsDone", file_name as "fileName",
  size_bytes as "sizeBytes", error, created_by as "createdBy", created_at as "createdAt", started_at as "startedAt",
  finished_at as "finishedAt", expires_at as "expiresAt"`;

function present(j: JobRow) {
  return {
    ...j,
    sizeBytes: j.sizeBytes === null ? null : Number(j.sizeBytes),
    progress: j.status === "completed" ? 1 : j.rowsTotal ? Math.min(1, j.rowsDone / j.rowsTotal) : 0,
    label: SOURCES[j.type]?.label ?? j.type,
  };
}
export type ExportJobView = ReturnType<typeof present>;

function parseFilters(type: ExportType, raw: Record<string, unknown>) {
  // seed 000's names (date_from, date_to) are aliases of from and to (lib/exports/sources.ts)
  const r = checkExportFilters(type, raw);
  if (!r.ok) {
    const details = r.details.map((d) => ({ ...d, path: d.path ? `filters.${d.path}` : "filters" }));
    const unknown = details.filter((d) => d.message.startsWith("Unknown field")).map((d) => `"${d.path}"`);
    throw errors.validation(unknown.length ? `The filters have ${unknown.length > 1 ? "unknown fields" : "an unknown field"}: ${unknown.join(", ")}` : "The filters are invalid", details);
  }
  return r.data;
}

/** The rows' SQL with the optional row limit (filters.limit: the first rows in the export's order). */
function limited(sql: { sql: string; params: unknown[] }, limit: unknown) {
  return typeof limit === "number" ? { sql: `${sql.sql} limit $${sql.params.length + 1}`, params: [...sql.params, limit] } : sql;
}

function describe(type: ExportType, filters: Record<string, unknown>) {
  const parts = Object.entries(filters)
    .filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`);
  return parts.length ? `Filters: ${parts.join("; ")}` : "Filters: none (everything)";
}

export async function createExport(raw: z.input<typeof createExportInput>, who: Who) {
  const input = createExportInput.parse(raw);
  const filters = parseFilters(input.type, input.filters);
  const src = SOURCES[input.type];
  const { limit, ...where } = filters;
  const { count } = src.sql(where as never);
  const matching = (await pgPool().query<{ n: number }>(count.sql, count.params)).rows[0].n;
  const rows = typeof limit === "number" ? Math.min(matching, limit) : matching;
  const max = input.format === "pdf" ? Math.min(PDF_MAX_ROWS, env().EXPORT_MAX_ROWS) : env().EXPORT_MAX_ROWS;
  if (rows > max) {
    throw errors.unprocessable(
      input.format === "pdf" && rows <= env().EXPORT_MAX_ROWS
        ? `${rows.toLocaleString("en")} rows are too many for a PDF (at most ${max.toLocaleString("en")}): narrow the filters or choose CSV or XLSX`
        : `${rows.toLocaleString("en")} rows match, more than the ${max.toLocaleString("en")} an export may hold: narrow the filters`,
      { rows, maxRows: max },
    );
  }
  const stored = { ...filters, ...(input.delimiter ? { delimiter: input.delimiter } : {}) };
  const r = await pgPool().query<JobRow>(
    `insert into export_jobs (type, format, filters, rows_total, created_by_id, created_by) values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
    [input.type, input.format, JSON.stringify(stored), rows, who.actor.type === "user" ? who.actor.id : null, who.actor.label ?? who.actor.type],
  );
  const job = r.rows[0];
  await audit(who.actor, "export.create", "export", job.id, { type: input.type, format: input.format, filters: stored, rows }, who.meta);
  if (rows <= env().EXPORT_INLINE_ROWS) {
    await runExport(job.id);
    return { inline: true as const, job: await getExport(job.id) };
  }
  try {
    await (await producer()).send(QUEUES.export, { exportId: job.id });
  } catch (e) {
    await pgPool().query("update export_jobs set status = 'failed', error = $2, finished_at = now() where id = $1", [job.id, `Could not queue the export: ${(e as Error).message}`]);
    throw e;
  }
  return { inline: false as const, job: present(job) };
}

function fileNameFor(j: JobRow) {
  const at = new Date().toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  return `${j.type}-${at}.${j.format}`;
}

/** Writes the export's file. Safe to call twice: only a queued export is taken. */
export async function runExport(id: string): Promise<void> {
  const pool = pgPool();
  const claimed = await pool.query<JobRow>(`update export_jobs set status = 'running', started_at = now() where id = $1 and status = 'queued' returning ${COLUMNS}`, [id]);
  const job = claimed.rows[0];
  if (!job) return;
  const part = `${filePath(id, job.format)}.part`;
  const { delimiter, limit, ...filters } = job.filters as Record<string, unknown> & { delimiter?: string };
  const src = SOURCES[job.type];
  const q = limited(src.sql(filters as never).query, limit);
  let out: Awaited<ReturnType<typeof privateFile>>;
  try {
    await privateExportsDir();
    out = await privateFile(part);
  } catch (e) {
    logger.error({ exportId: id, err: (e as Error).message }, "export file could not be created");
    await pool.query("update export_jobs set status = 'failed', error = $2, finished_at = now() where id = $1", [id, `The export file could not be created: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
    return;
  }
  const d = (delimiter ?? env().EXPORT_CSV_DELIMITER) as string;
  let writer: Awaited<ReturnType<typeof writerFor>> | undefined;
  /** the writer, once the first page says where each column is in a row */
  const open = (fields: { name: string }[]) => {
    const at = (key: string) => {
      const i = fields.findIndex((f) => f.name === key);
      if (i < 0) throw new Error(`the ${job.type} query has no column ${key}`);
      return i;
    };
    return writerFor(job.format, out, {
      columns: src.columns.map((c) => ({ ...c, at: at(c.key), ...(c.currencyKey ? { currencyAt: at(c.currencyKey) } : {}) })),
      title: src.label,
      subtitle: `${describe(job.type, limit === undefined ? filters : { ...filters, limit })} · ${job.rowsTotal ?? 0} rows · made ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC by ${job.createdBy ?? "system"}`,
      delimiter: d === "tab" ? "\t" : d,
    });
  };
  const client = await pool.connect();
  let done = 0;
  let reported = Date.now();
  try {
    // one snapshot for the whole file, read through a cursor a page at a time
    await client.query("begin isolation level repeatable read read only");
    await client.query("set local time zone 'UTC'");
    await client.query(`declare export_rows no scroll cursor for ${q.sql}`, q.params);
    // text formats take times as PostgreSQL prints them (UTC): no Date per cell
    // rows as arrays (no object per row), times as text for the text formats (no Date per cell)
    const fetchPage = () =>
      client.query<unknown[]>({ text: `fetch ${PAGE_ROWS} from export_rows`, rowMode: "array", ...(job.format === "csv" || job.format === "pdf" ? { types: TEXT_TIMES } : {}) });
    // the next page is read while this one is written
    let next = fetchPage();
    for (;;) {
      const page = await next;
      writer ??= await open(page.fields);
      if (!page.rows.length) break;
      next = fetchPage();
      done += page.rows.length;
      if (done > env().EXPORT_MAX_ROWS) throw new ApiError(422, "unprocessable", `More than ${env().EXPORT_MAX_ROWS} rows, more than an export may hold: narrow the filters`);
      await writer!.write(page.rows);
      if (Date.now() - reported > 300) {
        reported = Date.now();
        await pool.query("update export_jobs set rows_done = $2 where id = $1", [id, done]);
      }
    }
    await client.query("commit");
    client.release();
    await writer!.end();
    await rename(part, filePath(id, job.format));
    const size = (await stat(filePath(id, job.format))).size;
    await pool.query(
      `update export_jobs set status = 'completed', rows_done = $2, rows_total = $2, size_bytes = $3, file_name = $4, finished_at = now(),
              expires_at = now() + make_interval(secs => $5) where id = $1`,
      [id, done, size, fileNameFor(job), (await getSettings()).retention.exportTtlHours * 3600],
    );
  } catch (e) {
    await client.query("rollback").catch(() => {});
    client.release();
    out.destroy();
    await rm(part, { force: true });
    const message = e instanceof ApiError ? e.message : `The export failed: ${(e as Error).message}`;
    logger.error({ exportId: id, err: (e as Error).message }, "export failed");
    await pool.query("update export_jobs set status = 'failed', error = $2, rows_done = $3, finished_at = now() where id = $1", [id, message, done]);
  }
}

export const listExportsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/**
 * What an export of this type takes besides the exports' own permission: the read permission
 * and scope of the data it copies (lib/exports/sources), and the words for a refusal.
 */
export function exportNeeds(type: ExportType) {
  const src = SOURCES[type];
  return { access: src.read, neededFor: `exports of ${src.label.toLowerCase()}` };
}

/** The newest exports of the given types (the ones the caller may read). */
export async function listExports(q: z.output<typeof listExportsQuery>, types: readonly ExportType[] = EXPORT_TYPES) {
  const r = await pgPool().query<JobRow>(`select ${COLUMNS} from export_jobs where type = any($2::text[]) order by created_at desc limit $1`, [q.limit, types]);
  return { items: r.rows.map(present) };
}

export async function getExport(id: string) {
  const r = await pgPool().query<JobRow>(`select ${COLUMNS} from export_jobs where id = $1`, [id]);
  if (!r.rows[0]) throw errors.notFound("Export");
  return present(r.rows[0]);
}

/**
 * The file as a download response; 409 while it is being made, 410 once expired. Audited as
 * export.download (files hold business data), except without `who`: the file answering its own
 * creation (a small export), already audited as export.create.
 */
export async function downloadExport(id: string, who?: Who): Promise<Response> {
  const j = await getExport(id);
  if (j.status === "expired" || (j.expiresAt && j.expiresAt.getTime() <= Date.now())) throw new ApiError(410, "conflict", "This export has expired: run it again");
  if (j.status !== "completed") throw errors.conflict(j.status === "failed" ? `This export failed: ${j.error}` : "This export is not finished yet");
  const file = filePath(id, j.format);
  const size = await stat(file).then((s) => s.size).catch(() => null);
  if (size === null) throw new ApiError(410, "conflict", "The file is gone (expired or removed): run the export again");
  const name = j.fileName ?? `${j.type}.${j.format}`;
  if (who) await audit(who.actor, "export.download", "export", id, { type: j.type, format: j.format, fileName: name, rows: j.rowsTotal }, who.meta);
  return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
    headers: {
      "content-type": CONTENT_TYPES[j.format],
      "content-length": String(size),
      "content-disposition": `attachment; filename="${name.replace(/[^\w.-]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "cache-control": "private, no-store",
    },
  });
}

export async function deleteExport(id: string, who: Who) {
  const j = await getExport(id);
  await rm(filePath(id, j.format), { force: true });
  await pgPool().query("delete from export_jobs where id = $1", [id]);
  await audit(who.actor, "export.delete", "export", id, { type: j.type, format: j.format }, who.meta);
}

/** Retention: expired files removed, their exports marked expired. */
export async function expireExports(): Promise<number> {
  const r = await pgPool().query<{ id: string; format: string }>(
    `update export_jobs set status = 'expired' where status = 'completed' and expires_at <= now() returning id, format`,
  );
  for (const x of r.rows) await rm(filePath(x.id, x.format), { force: true });
  return r.rowCount ?? 0;
}
