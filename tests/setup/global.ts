// One embedded PostgreSQL for the whole run; a migrated template database (with pg-boss'
// schema) that every test file clones into its own database (tests/setup/file.ts).
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, ensureDatabase } from "@/lib/runtime/embedded-pg";
import { migrate } from "@/lib/runtime/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const base = path.resolve("tests/.tmp");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, "pg-"));
  const db = await startEmbeddedPostgres({ dir, password: "test", persistent: false });
  await ensureDatabase(db.url(), "sb_template");
  await migrate(db.url("sb_template"));
  process.env.DATABASE_URL = db.url("sb_template");
  const { newBoss, ensureQueues } = await import("@/lib/jobs/boss");
  const boss = newBoss("producer");
  await boss.start();
  await ensureQueues(boss);
  await boss.stop({ graceful: false, wait: true, close: true });
  delete process.env.DATABASE_URL;
  project.provide("pgAdminUrl", db.url("postgres"));
  return async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
