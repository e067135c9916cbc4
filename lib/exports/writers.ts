// The four formats, each a writer that takes rows page by page and streams them into a file:
// CSV (csv-stringify: UTF-8 with BOM, ";" by default, quoting, formula-injection protection),
// XLSX (exceljs' streaming WorkbookWriter: typed number and date cells, header row, column
// widths, frozen header; rows are committed as they come, so memory stays flat), PDF (pdfkit:
// title, the filters used, a table repeated page by page, page numbers; DejaVu Sans so Cyrillic
// prints) and JSON (a streamed array).
import path from "node:path";
import type { Writable } from "node:stream";
import { csvRecords, neutralize } from "@/lib/csv";
import type ExcelJS from "exceljs";
import { currencyDigits, toDecimalString } from "@/lib/money";
import type { Column } from "@/lib/exports/sources";

import { FORMATS } from "@/lib/exports/contract";
export { FORMATS };
export type Format = (typeof FORMATS)[number];
export const CONTENT_TYPES: Record<Format, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pdf: "application/pdf",
  json: "application/json; charset=utf-8",
};

/** a row as node-postgres gives it: an array (rowMode "array", columns resolved to `at`) or an object */
export type Row = unknown[] | Record<string, unknown>;
/** a column with its place in an array row */
export type Placed = Column & { at?: number; currencyAt?: number };
const get = (r: Row, c: Placed): unknown => (c.at !== undefined ? (r as unknown[])[c.at] : (r as Record<string, unknown>)[c.key]);
const currencyOf = (r: Row, c: Placed): unknown => (c.currencyAt !== undefined ? (r as unknown[])[c.currencyAt] : (r as Record<string, unknown>)[c.currencyKey!]);
export type WriterContext = { columns: Placed[]; title: string; subtitle: string; delimiter: string };
export interface RowWriter {
  /** one page of rows (already in order) */
  write(rows: Row[]): Promise<void>;
  /** finishes the file; resolves when every byte is flushed */
  end(): Promise<void>;
}

/** Writes and waits for the stream to drain when it asks to. */
function put(out: Writable, chunk: string | Buffer): Promise<void> | void {
  if (!out.write(chunk)) return new Promise((resolve, reject) => {
    const done = () => {
      out.off("drain", done);
      out.off("error", fail);
      resolve();
    };
    const fail = (e: Error) => {
      out.off("drain", done);
      reject(e);
    };
    out.once("drain", done);
    out.once("error", fail);
  });
}
function finish(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once("finish", resolve);
    out.once("error", reject);
    out.end();
  });
}

const utc = (d: Date) => d.toISOString().replace("T", " ").slice(0, 19);
const money = (row: Row, c: Placed) => {
  const v = get(row, c);
  const cur = String(currencyOf(row, c) ?? "");
  return v === null || v === undefined || !cur ? null : { minor: Number(v), currency: cur };
};

/** The value as plain text (CSV, PDF): money as a decimal in its currency, times in UTC. */
function text(row: Row, c: Placed, decimalComma: boolean): string {
  const v = get(row, c);
  if (v === null || v === undefined) return "";
  switch (c.kind) {
    case "money": {
      const m = money(row, c);
      if (!m) return "";
      const s = toDecimalString(m.minor, m.currency);
      return decimalComma ? s.replace(".", ",") : s;
    }
    case "datetime":
      // PostgreSQL's own text in UTC ("2026-01-02 03:04:05.123+00") or a Date
      return typeof v === "string" ? v.slice(0, 19) : utc(v instanceof Date ? v : new Date(String(v)));
    case "list":
      return Array.isArray(v) ? v.join(", ") : String(v);
    case "number":
      return decimalComma ? String(v).replace(".", ",") : String(v);
    default:
      return String(v);
  }
}

function headerText(c: Column) {
  return c.kind === "datetime" ? `${c.header} (UTC)` : c.header;
}

function csvWriter(out: Writable, ctx: WriterContext): RowWriter {
  // with ";" Excel in RU/EU locales also expects a decimal comma
  const decimalComma = ctx.delimiter === ";";
  let first = true;
  return {
    async write(rows) {
      const records = rows.map((r) => ctx.columns.map((c) => (c.kind === "text" || c.kind === "list" ? neutralize(text(r, c, decimalComma)) : text(r, c, decimalComma))));
      if (first) records.unshift(ctx.columns.map(headerText));
      const chunk = csvRecords(records, { delimiter: ctx.delimiter, bom: first });
      first = false;
      await put(out, chunk);
    },
    async end() {
      if (first) await put(out, csvRecords([ctx.columns.map(headerText)], { delimiter: ctx.delimiter, bom: true }));
      await finish(out);
    },
  };
}

function jsonWriter(out: Writable, ctx: WriterContext): RowWriter {
  let first = true;
  const value = (r: Row, c: Placed) => {
    const v = get(r, c);
    if (v === null || v === undefined) return null;
    if (c.kind === "money") return money(r, c) ? toDecimalString(Number(v), String(currencyOf(r, c))) : null;
    if (c.kind === "datetime") return (v instanceof Date ? v : new Date(String(v))).toISOString();
    return v;
  };
  return {
    async write(rows) {
      if (!rows.length) return;
      const body = rows.map((r) => JSON.stringify(Object.fromEntries(ctx.columns.map((c) => [c.key, value(r, c)])))).join(",\n");
      await put(out, (first ? "[\n" : ",\n") + body);
      first = false;
    },
    async end() {
      await put(out, first ? "[]\n" : "\n]\n");
      await finish(out);
    },
  };
}

// exceljs and pdfkit are loaded when a file of theirs is made: real lazy loading of two large
// libraries (CSV needs neither), not a way around an import cycle
async function xlsxWriter(out: Writable, ctx: WriterContext): Promise<RowWriter> {
  const { default: Excel } = await import("exceljs");
  const wb = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = "Switchboard";
  const ws = wb.addWorksheet(ctx.title.slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = ctx.columns.map((c) => ({
    header: headerText(c),
    key: c.key,
    width: c.width,
    // only the columns that need a number format carry a style: exceljs resolves a style per styled cell
    ...(c.kind === "datetime" ? { style: { numFmt: "yyyy-mm-dd hh:mm:ss" } } : c.kind === "money" ? { style: { numFmt: "#,##0.00" } } : {}),
  }));
  ws.getRow(1).font = { bold: true };
  // One style object per column, shared by its cells: exceljs caches a style by object identity,
  // so a shared object is resolved once instead of once per cell (most of the time otherwise).
  const styles = ctx.columns.map((c) =>
    Object.freeze(c.kind === "datetime" ? { numFmt: "yyyy-mm-dd hh:mm:ss" } : c.kind === "money" ? { numFmt: "#,##0.00" } : {}),
  ) as Partial<ExcelJS.Style>[];
  const formats = new Map<number, Partial<ExcelJS.Style>>();
  const fmt = (digits: number) => {
    if (!formats.has(digits)) formats.set(digits, Object.freeze({ numFmt: digits ? `#,##0.${"0".repeat(digits)}` : "#,##0" }));
    return formats.get(digits)!;
  };
  return {
    async write(rows) {
      for (const r of rows) {
        // values in column order (cheaper for exceljs than an object by key)
        const values: unknown[] = new Array(ctx.columns.length);
        let odd: [number, Partial<ExcelJS.Style>][] | undefined;
        for (let i = 0; i < ctx.columns.length; i++) {
          const c = ctx.columns[i];
          const v = get(r, c);
          if (v === null || v === undefined) continue;
          if (c.kind === "money") {
            const m = money(r, c);
            if (!m) continue;
            const d = currencyDigits(m.currency);
            values[i] = m.minor / 10 ** d; // a number cell: the exact value is minor / 10^digits
            if (d !== 2) (odd ??= []).push([i + 1, fmt(d)]);
          } else if (c.kind === "datetime") values[i] = v instanceof Date ? v : new Date(String(v));
          else if (c.kind === "int" || c.kind === "number") values[i] = Number(v);
          else if (c.kind === "list") values[i] = Array.isArray(v) ? v.join(", ") : String(v);
          else values[i] = v;
        }
        const row = ws.addRow(values);
        for (let i = 0; i < styles.length; i++) if (values[i] !== undefined) row.getCell(i + 1).style = styles[i];
        if (odd) for (const [col, style] of odd) row.getCell(col).style = style;
        row.commit();
      }
      // exceljs hands each full 64 KB of sheet XML to the zip entry without waiting: wait here
      // until the compressor has taken it, or the XML piles up in memory (~0.6 KB a row)
      // (the entry is a readable-stream v2 PassThrough: its state is in _writableState)
      const entry = (ws as unknown as { stream?: { pipes?: (Writable & { _writableState?: { needDrain?: boolean } })[] } }).stream?.pipes?.[0];
      if (entry?._writableState?.needDrain) await new Promise((r) => entry.once("drain", r));
      if (out.writableNeedDrain) await new Promise((r) => out.once("drain", r));
    },
    async end() {
      ws.commit();
      await wb.commit();
      if (!out.writableFinished) await new Promise<void>((resolve, reject) => {
        out.once("finish", resolve);
        out.once("error", reject);
      });
    },
  };
}

// the dejavu-fonts-ttf package's files, found from the project root at run time (a bundler
// would turn a require.resolve here into a module id)
const fontFile = (name: string) => path.join(process.cwd(), "node_modules", "dejavu-fonts-ttf", "ttf", name);

async function pdfWriter(out: Writable, ctx: WriterContext): Promise<RowWriter> {
  const { default: PDFDocument } = await import("pdfkit");
  const doc = new PDFDocument({ size: "A4", layout: "landscape", margin: 32, info: { Title: ctx.title, Creator: "Switchboard" } });
  doc.registerFont("body", fontFile("DejaVuSans.ttf"));
  doc.registerFont("bold", fontFile("DejaVuSans-Bold.ttf"));
  doc.pipe(out);
  const left = doc.page.margins.left;
  const usable = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  // points per column: times and amounts need their full width, text shares the rest
  const natural = ctx.columns.map((c) => (c.kind === "datetime" ? 70 : c.kind === "int" ? 34 : c.kind === "money" ? 52 : Math.max(50, c.width * 3.4)));
  const total = natural.reduce((a, w) => a + w, 0);
  const widths = natural.map((w) => (w / total) * usable);
  const size = 6.5;
  const lineH = size + 4;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  let page = 1;
  let y = 0;
  const fit = (s: string, w: number) => {
    if (doc.widthOfString(s) <= w - 3) return s;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (doc.widthOfString(s.slice(0, mid) + "…") <= w - 3) lo = mid;
      else hi = mid - 1;
    }
    return s.slice(0, lo) + "…";
  };
  const footer = () => {
    // in the bottom margin: lift the margin while writing, or pdfkit would start a new page
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font("body").fontSize(7).fillColor("#666666");
    doc.text(`Page ${page}`, left, doc.page.height - margin + 8, { width: usable, align: "right", lineBreak: false });
    doc.fillColor("#000000");
    doc.page.margins.bottom = margin;
  };
  const headerRow = () => {
    doc.font("bold").fontSize(size);
    let x = left;
    for (const [i, c] of ctx.columns.entries()) {
      doc.text(fit(headerText(c), widths[i]), x, y, { width: widths[i], lineBreak: false });
      x += widths[i];
    }
    y += lineH;
    doc.moveTo(left, y - 2).lineTo(left + usable, y - 2).lineWidth(0.5).stroke();
    doc.font("body").fontSize(size);
  };
  // first page: title and the filters used
  doc.font("bold").fontSize(14).text(ctx.title, left, doc.page.margins.top);
  doc.font("body").fontSize(8).fillColor("#444444").text(ctx.subtitle, { width: usable });
  doc.fillColor("#000000");
  y = doc.y + 8;
  headerRow();
  return {
    async write(rows) {
      for (const r of rows) {
        if (y + lineH > bottom()) {
          footer();
          doc.addPage();
          page++;
          y = doc.page.margins.top;
          headerRow();
        }
        let x = left;
        for (const [i, c] of ctx.columns.entries()) {
          const s = text(r, c, false);
          if (s) doc.text(fit(s, widths[i]), x, y, { width: widths[i], lineBreak: false });
          x += widths[i];
        }
        y += lineH;
      }
      if (out.writableNeedDrain) await new Promise((r) => out.once("drain", r));
    },
    async end() {
      footer();
      const done = new Promise<void>((resolve, reject) => {
        out.once("finish", resolve);
        out.once("error", reject);
      });
      doc.end();
      await done;
    },
  };
}

export async function writerFor(format: Format, out: Writable, ctx: WriterContext): Promise<RowWriter> {
  switch (format) {
    case "csv":
      return csvWriter(out, ctx);
    case "json":
      return jsonWriter(out, ctx);
    case "xlsx":
      return xlsxWriter(out, ctx);
    case "pdf":
      return pdfWriter(out, ctx);
  }
}
