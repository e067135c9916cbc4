#!/usr/bin/env node
// Runs the Prisma CLI without letting it download native engines (unreachable here):
// both engine paths point at an existing empty file, the CLI uses its Wasm engine.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stub = path.join(root, "node_modules", ".cache", "switchboard", "no-engine");
if (!existsSync(stub)) {
  mkdirSync(path.dirname(stub), { recursive: true });
  writeFileSync(stub, "");
}
const env = {
  ...process.env,
  PRISMA_QUERY_ENGINE_LIBRARY: stub,
  PRISMA_SCHEMA_ENGINE_BINARY: stub,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
const r = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { env, stdio: "inherit", cwd: root });
process.exit(r.status ?? 1);
