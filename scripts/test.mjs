#!/usr/bin/env node
// `npm test`: the whole suite. Installs and builds what is missing (the build type-checks
// everything, tests included), runs the unit and integration tests (vitest, real PostgreSQL
// and sandboxes) and the browser tests (Playwright in Debian's chromium against the
// production build), and ends with one line: "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
process.env.NEXT_TELEMETRY_DISABLED = "1";

const { prepare } = await import("./lib/prepare.mjs");
prepare({ build: true });

const results = path.join(root, "test-results");
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const bin = (p) => path.join(root, "node_modules", ...p.split("/"));

function run(label, cmd, args) {
  console.log(`\n━━ ${label} ━━`);
  return spawnSync(process.execPath, [cmd, ...args], { stdio: "inherit", env: process.env }).status;
}

const only = process.argv[2]; // "unit" | "e2e" | undefined
let passed = 0;
let failed = 0;

if (only !== "e2e") {
  const file = path.join(results, "unit-results.json");
  const code = run("unit and integration tests (vitest)", bin("vitest/vitest.mjs"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`]);
  if (existsSync(file)) {
    const r = JSON.parse(readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    // a file that failed to load has no tests to count: count it as a failure
    failed += r.testResults.filter((t) => t.status === "failed" && t.assertionResults.length === 0).length;
  } else if (code !== 0) failed += 1;
}

if (only !== "unit") {
  const file = path.join(results, "e2e-results.json");
  const code = run("browser tests (Playwright)", bin("@playwright/test/cli.js"), ["test"]);
  if (existsSync(file)) {
    const s = JSON.parse(readFileSync(file, "utf8")).stats;
    passed += s.expected + s.flaky;
    failed += s.unexpected;
    if (code !== 0 && s.unexpected === 0) failed += 1; // e.g. global setup failed
  } else if (code !== 0) failed += 1;
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
