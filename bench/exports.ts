// 1,000,000 orders exported to CSV and to XLSX through runExport (a cursor, a page at a time,
// straight into the file), side by side with PostgreSQL's own COPY (…) TO STDOUT (FORMAT csv)
// of the same rows (the same select, joins included) into a file: the physical floor. Each runs
// in its own process; peak memory is that process's maximum resident set. Targets: CSV within
// 3× of COPY, XLSX within 10×, peak memory under 300 MB for both.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "./lib";

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
type Run = { ms: number; maxRssMb: number; bytes: number };

function measure(...args: string[]): Run {
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each run
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const out = execFileSync(process.execPath, ["--import", "tsx", ...prof, path.join(root, "bench/export-run.ts"), ...args], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: process.env });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

export async function benchExports() {
  // the files (COPY's two and ours, ~700 MB at a million rows) go when the benchmark ends
  const dir = mkdtempSync(path.join(os.tmpdir(), "sb-bench-exports-"));
  try {
    return await benchExportsIn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchExportsIn(dir: string) {
  process.env.EXPORT_DIR = dir;
  process.env.EXPORT_MAX_ROWS = String(ROWS + 1000);
  const { resetEnvCache } = await import("@/lib/env");
  resetEnvCache();
  const { pgPool } = await import("@/lib/pg");
  const { seedDemoData } = await import("@/lib/runtime/seed");
  const { SOURCES } = await import("@/lib/exports/sources");
  await seedDemoData();
  const t = Date.now();
  // orders spread over companies, contacts, drivers and vehicles, as real ones are
  await pgPool().query(
    `insert into applications (number, status, company_id, contact_id, driver_id, vehicle_id, pickup_address, dropoff_address, pickup_at, passengers, price_minor, currency, notes, updated_at)
     select 'B-' || g, (array['completed','canceled','assigned','new'])[1 + g % 4]::"ApplicationStatus",
            c.id, ct.id, d.id, d.vehicle_id, 'Sheremetyevo, terminal ' || chr(65 + g % 5), 'Москва, Тверская ' || (g % 300), now() - g * interval '1 minute',
            1 + g % 4, 150000 + (g % 90) * 10000, 'RUB', 'bench', now()
       from generate_series(1, $1) g
       join lateral (select id from companies order by id offset (g % 4) limit 1) c on true
       join lateral (select id from contacts order by id offset (g % 10) limit 1) ct on true
       join lateral (select id, vehicle_id from drivers order by id offset (g % 10) limit 1) d on true`,
    [ROWS],
  );
  const total = (await pgPool().query<{ n: number }>("select count(*)::int as n from applications")).rows[0].n;
  console.log(`\nExports: ${total.toLocaleString("en")} orders (seeded in ${((Date.now() - t) / 1000).toFixed(0)} s)`);

  const q = SOURCES.applications.sql({}).query;
  const sqlFile = path.join(dir, "select.sql");
  writeFileSync(sqlFile, q.sql);
  const job = async (format: string) =>
    (await pgPool().query<{ id: string }>(`insert into export_jobs (type, format, filters, rows_total) values ('applications', $1, '{}', $2) returning id`, [format, total])).rows[0].id;

  const copy1 = measure("copy", sqlFile, path.join(dir, "copy1.csv"));
  const csv = measure("export", await job("csv"));
  const xlsx = measure("export", await job("xlsx"));
  const copy2 = measure("copy", sqlFile, path.join(dir, "copy2.csv"));
  const floor = (copy1.ms + copy2.ms) / 2;
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
  console.log(`  COPY … TO STDOUT (csv), before/after: ${(copy1.ms / 1000).toFixed(1)} / ${(copy2.ms / 1000).toFixed(1)} s, ${mb(copy1.bytes)}, peak ${copy1.maxRssMb.toFixed(0)} MB`);
  console.log(`  CSV:  ${(csv.ms / 1000).toFixed(1)} s (${(total / (csv.ms / 1000)).toFixed(0)} rows/s), ${mb(csv.bytes)}, peak ${csv.maxRssMb.toFixed(0)} MB · ${(csv.ms / floor).toFixed(2)}× COPY (target ≤ 3×)`);
  console.log(`  XLSX: ${(xlsx.ms / 1000).toFixed(1)} s (${(total / (xlsx.ms / 1000)).toFixed(0)} rows/s), ${mb(xlsx.bytes)}, peak ${xlsx.maxRssMb.toFixed(0)} MB · ${(xlsx.ms / floor).toFixed(2)}× COPY (target ≤ 10×)`);
  const ok = csv.ms / floor <= 3 && xlsx.ms / floor <= 10 && csv.maxRssMb < 300 && xlsx.maxRssMb < 300;
  console.log(`  → ${ok ? "ok" : "MISSED"} (memory target < 300 MB for both)`);
  return { ok };
}
