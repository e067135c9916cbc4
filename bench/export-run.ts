// One measured export for bench/exports.ts, in its own process so its peak memory is its own:
//   copy <sql-file>    PostgreSQL's COPY (…) TO STDOUT (FORMAT csv, HEADER) into a file (the floor)
//   export <job-id>    our export of the job's rows (runExport: cursor → writer → file)
// Prints {ms, maxRssMb, bytes}.
import { createWriteStream, readFileSync, statSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";

const [mode, arg, out] = process.argv.slice(2);
let t: number;
let bytes: number;
if (mode === "copy") {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  t = performance.now();
  const sql = readFileSync(arg, "utf8");
  await pipeline(client.query(copyTo(`copy (${sql}) to stdout with (format csv, header)`)), createWriteStream(out));
  await client.end();
  bytes = statSync(out).size;
} else {
  const { runExport, exportsDir } = await import("@/lib/exports/service");
  const { pgPool } = await import("@/lib/pg");
  await pgPool().query("select 1"); // connected, like the floor's client
  t = performance.now(); // the export itself, not loading the code
  await runExport(arg);
  const r = await pgPool().query<{ status: string; format: string; error: string | null; size_bytes: string }>("select status, format, error, size_bytes from export_jobs where id = $1", [arg]);
  if (r.rows[0].status !== "completed") throw new Error(`export ${r.rows[0].status}: ${r.rows[0].error}`);
  bytes = statSync(path.join(exportsDir(), `${arg}.${r.rows[0].format}`)).size;
  await pgPool().end();
}
const ms = performance.now() - t;
console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, bytes }));
