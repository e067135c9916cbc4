// Runs the Prisma CLI (through scripts/prisma.mjs, which keeps it from downloading engines)
// and returns its stdout.
import { spawnSync } from "node:child_process";
import path from "node:path";

export function prismaCli(args: string[], env: Record<string, string> = {}, root = process.cwd()): string {
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "prisma.mjs"), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`prisma ${args.join(" ")} failed:\n${r.stderr}\n${r.stdout}`);
  return r.stdout.replace(/^Loaded Prisma config.*\n/m, "").replace(/^Prisma config detected.*\n/m, "");
}

/** SQL that builds the whole schema.prisma from an empty database. */
export function schemaSql(databaseUrl: string, schema = "prisma/schema.prisma", from?: string): string {
  return prismaCli(
    ["migrate", "diff", from ? "--from-schema-datamodel" : "--from-empty", ...(from ? [from] : []), "--to-schema-datamodel", schema, "--script"],
    { DATABASE_URL: databaseUrl },
  );
}
