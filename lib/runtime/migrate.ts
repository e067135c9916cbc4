// The migration runner. Prisma's own `migrate deploy` cannot run on these machines
// (see ../shared/reference/database.md), so this applies prisma/migrations/*/migration.sql
// in name order: one transaction per migration, a table of name + checksum, and a
// PostgreSQL advisory lock so several instances starting together never race.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { withAdvisoryLock } from "@/lib/locks";

const LOCK = "switchboard.migrations"; // lib/locks.ts, on the runner's own connection (Prisma may not exist yet)
const TABLE = "_switchboard_migrations";

export type Migration = { name: string; sql: string; checksum: string };

export function migrationsDir(root = process.cwd()) {
  return path.join(root, "prisma", "migrations");
}

export function readMigrations(dir = migrationsDir()): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export class MigrationChecksumError extends Error {}

export async function migrate(
  databaseUrl: string,
  opts: { dir?: string; log?: (msg: string) => void } = {},
): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const migrations = readMigrations(opts.dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await withAdvisoryLock(LOCK, async () => {
      await client.query(`create table if not exists ${TABLE} (
        name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`);
      const done = new Map<string, string>(
        (await client.query(`select name, checksum from ${TABLE}`)).rows.map((r) => [r.name, r.checksum]),
      );
      for (const m of migrations) {
        const prev = done.get(m.name);
        if (prev !== undefined) {
          if (prev !== m.checksum) {
            throw new MigrationChecksumError(
              `Migration ${m.name} was changed after it was applied (checksum ${prev.slice(0, 12)}… in the database, ` +
                `${m.checksum.slice(0, 12)}… on disk). Applied migrations are immutable: add a new migration instead.`,
            );
          }
          continue;
        }
        await client.query("begin");
        try {
          await client.query(m.sql);
          await client.query(`insert into ${TABLE} (name, checksum) values ($1, $2)`, [m.name, m.checksum]);
          await client.query("commit");
        } catch (e) {
          await client.query("rollback");
          throw new Error(`Migration ${m.name} failed: ${(e as Error).message}`, { cause: e });
        }
        applied.push(m.name);
        log(`applied migration ${m.name}`);
      }
    }, { client });
  } finally {
    await client.end();
  }
  return applied;
}
