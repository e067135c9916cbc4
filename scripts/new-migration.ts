// npm run db:new-migration -- <name>
// Writes prisma/migrations/<timestamp>_<name>/migration.sql: the difference between the
// schema snapshot kept with the newest migration and prisma/schema.prisma. Needs no
// database of yours: a throwaway embedded PostgreSQL serves the Prisma CLI.
import { mkdirSync, writeFileSync, copyFileSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readMigrations, migrationsDir } from "@/lib/runtime/migrate";
import { startEmbeddedPostgres } from "@/lib/runtime/embedded-pg";
import { schemaSql } from "@/lib/runtime/prisma-cli";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_").toLowerCase();
if (!name) {
  console.error("usage: npm run db:new-migration -- <name>");
  process.exit(2);
}
const dir = migrationsDir();
const existing = readMigrations(dir);
const last = existing.at(-1);
const snapshot = last ? path.join(dir, last.name, "schema.snapshot.prisma") : undefined;
if (snapshot && !existsSync(snapshot)) {
  console.error(`The newest migration ${last!.name} has no schema.snapshot.prisma to diff from.`);
  process.exit(1);
}
const tmp = mkdtempSync(path.join(tmpdir(), "sb-newmig-"));
const db = await startEmbeddedPostgres({ dir: tmp, password: "x", persistent: false });
try {
  const sql = schemaSql(db.url(), "prisma/schema.prisma", snapshot);
  if (!sql.trim() || /^-- This is an empty migration\.?\s*$/m.test(sql.trim())) {
    console.log("schema.prisma has no changes since the last migration: nothing written.");
  } else {
    const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
    const out = path.join(dir, `${stamp}_${name}`);
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "migration.sql"), sql);
    copyFileSync("prisma/schema.prisma", path.join(out, "schema.snapshot.prisma"));
    console.log(`wrote ${path.relative(process.cwd(), out)}/migration.sql`);
  }
} finally {
  await db.stop();
  rmSync(tmp, { recursive: true, force: true });
}
