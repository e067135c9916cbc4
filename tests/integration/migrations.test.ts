// The migrations in prisma/migrations produce exactly the schema in prisma/schema.prisma,
// and the runner is safe: ordered, recorded, locked, checksum-guarded.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, inject } from "vitest";
import pg from "pg";
import { ensureDatabase } from "@/lib/runtime/embedded-pg";
import { migrate, MigrationChecksumError } from "@/lib/runtime/migrate";
import { schemaSql } from "@/lib/runtime/prisma-cli";

const admin = inject("pgAdminUrl");
const dbUrl = (name: string) => {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
};

async function q<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** A new empty database and a migrations folder of the test's own, removed afterwards: for the runner's own tests. */
async function withScratch(tag: string, fn: (url: string, dir: string) => Promise<void>) {
  const name = `mig_${tag}_${process.pid}`;
  await ensureDatabase(admin, name);
  const dir = mkdtempSync(path.join(tmpdir(), "mig-"));
  try {
    await fn(dbUrl(name), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes <dir>/<name>/migration.sql, as `npm run db:new-migration` lays them out. */
function writeMigration(dir: string, name: string, sql: string) {
  mkdirSync(path.join(dir, name), { recursive: true });
  writeFileSync(path.join(dir, name, "migration.sql"), sql);
}

/** Indexes written by hand in a migration because Prisma cannot express them (checked on their own below). */
const HAND_WRITTEN_INDEXES = ["alerts_one_open_per_key"];

/** Everything about the public schema that matters: columns, types, nullability, defaults, indexes, constraints, enums. */
async function describeSchema(url: string) {
  const columns = await q(url, `
    select table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length, datetime_precision
      from information_schema.columns where table_schema = 'public' and table_name <> '_switchboard_migrations'
     order by table_name, column_name`);
  const indexes = await q(url, `
    select tablename, indexname, indexdef from pg_indexes
     where schemaname = 'public' and tablename <> '_switchboard_migrations'
       and indexname <> all($1) order by tablename, indexname`, [HAND_WRITTEN_INDEXES]);
  const constraints = await q(url, `
    select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def
      from pg_constraint where connamespace = 'public'::regnamespace
       and conrelid::regclass::text <> '_switchboard_migrations' order by 1, 2`);
  const enums = await q(url, `
    select t.typname, string_agg(e.enumlabel, ',' order by e.enumsortorder) as labels
      from pg_type t join pg_enum e on e.enumtypid = t.oid
     where t.typnamespace = 'public'::regnamespace group by 1 order by 1`);
  const extensions = await q(url, `select extname from pg_extension where extname <> 'plpgsql' order by 1`);
  return { columns, indexes, constraints, enums, extensions };
}

describe("migrations", () => {
  it("produce exactly the schema in schema.prisma", async () => {
    const a = `mig_a_${process.pid}`;
    const b = `mig_b_${process.pid}`;
    await ensureDatabase(admin, a);
    await ensureDatabase(admin, b);
    await migrate(dbUrl(a));
    const sql = schemaSql(dbUrl(b));
    expect(sql).toContain("CREATE TABLE");
    await q(dbUrl(b), sql);
    const fromMigrations = await describeSchema(dbUrl(a));
    const fromSchema = await describeSchema(dbUrl(b));
    expect(fromMigrations.columns.length).toBeGreaterThan(50);
    expect(fromMigrations).toEqual(fromSchema);
  }, 120_000);

  it("keep the hand-written tuning Prisma cannot express", async () => {
    const name = `mig_f_${process.pid}`;
    await ensureDatabase(admin, name);
    await migrate(dbUrl(name));
    const [row] = await q<{ attstattarget: number }>(
      dbUrl(name),
      `select attstattarget from pg_attribute where attrelid = 'integration_logs'::regclass and attname = 'search'`,
    );
    expect(row.attstattarget).toBe(1000);
    // at most one open alert per problem: firing is an insert … on conflict on it
    const idx = await q<{ indexdef: string }>(dbUrl(name), `select indexdef from pg_indexes where indexname = 'alerts_one_open_per_key'`);
    expect(idx.map((i) => i.indexdef)).toEqual([expect.stringMatching(/UNIQUE INDEX alerts_one_open_per_key ON public\.alerts USING btree \(dedupe_key\) WHERE \(status = 'open'::text\)/)]);
  });

  it("applies each migration once, records it, and refuses an edited one", () =>
    withScratch("c", async (url, dir) => {
      writeMigration(dir, "001_one", "create table one (id int primary key);");
      writeMigration(dir, "002_two", "insert into one values (1);");
      expect(await migrate(url, { dir })).toEqual(["001_one", "002_two"]);
      expect(await migrate(url, { dir })).toEqual([]);
      expect(await q(url, "select count(*)::int as n from one")).toEqual([{ n: 1 }]);
      const recorded = await q<{ name: string }>(url, "select name from _switchboard_migrations order by name");
      expect(recorded.map((r) => r.name)).toEqual(["001_one", "002_two"]);

      writeMigration(dir, "001_one", "create table one (id bigint primary key);");
      await expect(migrate(url, { dir })).rejects.toBeInstanceOf(MigrationChecksumError);
    }));

  it("rolls back a failing migration as a whole and reports which one", () =>
    withScratch("d", async (url, dir) => {
      writeMigration(dir, "001_bad", "create table half (id int); select * from no_such_table;");
      await expect(migrate(url, { dir })).rejects.toThrow(/001_bad failed/);
      const tables = await q(url, "select 1 from information_schema.tables where table_name = 'half'");
      expect(tables).toHaveLength(0);
    }));

  it("lets several instances start together: the advisory lock applies everything exactly once", () =>
    withScratch("e", async (url, dir) => {
      cpSync("prisma/migrations", dir, { recursive: true });
      const results = await Promise.all([1, 2, 3, 4].map(() => migrate(url, { dir })));
      const applied = results.flat();
      expect(new Set(applied).size).toBe(applied.length); // nothing twice
      expect(applied.length).toBeGreaterThan(0);
      expect(results.filter((r) => r.length > 0)).toHaveLength(1); // one instance did the work
    }));
});
