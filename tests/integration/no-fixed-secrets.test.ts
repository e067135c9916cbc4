// No key or secret lives in the repository: every file git knows (tracked, or new and not
// ignored) is read and refused when it holds a PEM private key with real key material, a
// provider secret written out (Stripe whsec_/sk_live_/sk_test_, SendGrid SG.…), or a long
// random-looking literal assigned to something named secret, key, token or password. Sandbox
// signing keys are made per install at first start (lib/sandbox/keys.ts), never committed.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { aadFor, decryptJson } from "@/lib/vault";
import { freePort } from "@/lib/runtime/embedded-pg";
import { ensureSandboxKeys, sandboxKeys, sandboxKeysFile, useSandboxKeys } from "@/lib/sandbox/keys";
import { sendgridSandboxPublicKey } from "@/lib/providers/sendgrid/sandbox";
import { distrustPublishedSandboxKeys, seedDemoIntegrations } from "@/lib/runtime/seed";
import { createIntegration } from "@/lib/integrations/service";
import { createHash, type KeyObject } from "node:crypto";

const root = path.resolve(__dirname, "../..");

/**
 * Files allowed to hold what the rules below would refuse, each with the reason. Keep it
 * short: a test needing a key makes one at run time.
 */
const ALLOWED: Record<string, string> = {};

type Finding = { file: string; line: number; rule: string; excerpt: string };

const PEM = new RegExp(`-{5}BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-{5}([\\s\\S]*?)-{5}END \\1PRIVATE KEY-{5}`, "g");
/** Secrets in a provider's own recognisable format, written out in full. */
const FORMATS: { rule: string; re: RegExp }[] = [
  { rule: "Stripe webhook secret (whsec_…)", re: /whsec_[A-Za-z0-9+/=]{16,}/g },
  { rule: "Stripe API key (sk_/rk_ live or test)", re: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{20,}/g },
  { rule: "SendGrid API key (SG.…)", re: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{20,}/g },
  { rule: "AWS access key id", re: /\bAKIA[0-9A-Z]{16}\b/g },
  { rule: "GitHub token", re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g },
  { rule: "Slack token", re: /\bxox[abprs]-[A-Za-z0-9-]{20,}/g },
];
/** name = "long literal", name: 'long literal', "name": "long literal" */
const ASSIGNED = /([A-Za-z_$][\w$]*(?:secret|key|token|password)[\w$]*)["']?\s*[:=]\s*(["'`])([A-Za-z0-9+/=_.-]{32,})\2/gi;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PEM body that decodes to a plausible key (not "not a key" in a test of the refusal). */
function realKeyMaterial(body: string) {
  const b64 = body
    .replace(/\\[rn]/g, "\n") // a PEM inside a JSON or JS string ("…\\n…")
    .split("\n")
    .filter((l) => !/^[\w-]+:/.test(l.trim())) // Proc-Type / DEK-Info headers of encrypted PEM
    .join("")
    .replace(/\s+/g, "");
  return b64.length >= 40 && /^[A-Za-z0-9+/]+={0,2}$/.test(b64) && Buffer.from(b64, "base64").length >= 30;
}

/** A literal a person wrote to be read ("test-session-secret-…"), not key material: two or more lowercase words. */
function readable(v: string) {
  return v.split(/[-_.]/).filter((w) => /^[a-z]{3,}$/.test(w)).length >= 2;
}

function scan(file: string, text: string): Finding[] {
  const found: Finding[] = [];
  const lineOf = (i: number) => text.slice(0, i).split("\n").length;
  const add = (i: number, rule: string, s: string) => found.push({ file, line: lineOf(i), rule, excerpt: `${s.slice(0, 24)}…` });
  for (const m of text.matchAll(PEM)) if (realKeyMaterial(m[2])) add(m.index!, "PEM private key", m[0]);
  for (const { rule, re } of FORMATS) for (const m of text.matchAll(re)) add(m.index!, rule, m[0]);
  for (const m of text.matchAll(ASSIGNED)) {
    const v = m[3];
    if (UUID.test(v) || readable(v)) continue;
    add(m.index!, `literal assigned to ${m[1]}`, m[0]);
  }
  return found;
}

/** Every file git knows here: tracked, and new ones not ignored (a key is caught before its commit). */
function repositoryFiles(): string[] {
  if (!existsSync(path.join(root, ".git"))) return walk(""); // a copy without its history
  const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return [...new Set(out.split("\0").filter(Boolean))];
}

/** Without git: every file but the ignored folders (.gitignore's). */
const IGNORED = new Set(["node_modules", ".next", ".data", "generated", "test-results", "playwright-report", ".git", "tests/.tmp", "bench/.tmp"]);
function walk(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((d) => {
    const rel = dir ? `${dir}/${d.name}` : d.name;
    if (IGNORED.has(rel) || IGNORED.has(d.name)) return [];
    return d.isDirectory() ? walk(rel) : d.isFile() && !/^\.env(\.|$)/.test(d.name) ? [rel] : [];
  });
}

describe("no fixed secrets in the repository", () => {
  it("finds them when they are there (the detector works)", () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const b64 = randomBytes(32).toString("base64");
    const hex = randomBytes(24).toString("hex");
    const text = [
      `const KEY_PEM = \`${pem}\`;`,
      `const other = "${rsa.replace(/\n/g, "\\n")}";`,
      `export const webhookSecret = "whsec_${randomBytes(24).toString("hex")}";`,
      `const stripe = { secretKey: "sk_test_${randomBytes(16).toString("hex")}" };`,
      `const SIGNING_KEY =\n  "${b64}";`,
      `{ "apiToken": "${hex}" }`,
    ].join("\n");
    const rules = scan("example.ts", text).map((f) => f.rule);
    expect(rules.filter((r) => r === "PEM private key")).toHaveLength(2);
    expect(rules).toContain("Stripe webhook secret (whsec_…)");
    expect(rules).toContain("Stripe API key (sk_/rk_ live or test)");
    expect(rules).toContain("literal assigned to SIGNING_KEY");
    expect(rules).toContain("literal assigned to apiToken");
    // what is not a secret: a refused "key" in a test, generated values, words, ids
    const fine = [
      'private_key: "-----BEGIN PRIVATE KEY-----\\nnot a key\\n-----END PRIVATE KEY-----\\n"',
      "const secret = `whsec_${randomBytes(24).toString(\"base64\")}`;",
      'NEXTAUTH_SECRET = "test-session-secret-0123456789abcdef"',
      'Ref_Key: "6f3a8f0e-1111-4c5d-9e2a-7b9f0c1d2e3f"',
      'redactBody(body, "application/json", ["sk_live_SECRETVALUE"])',
    ].join("\n");
    expect(scan("fine.ts", fine)).toEqual([]);
  });

  it("no tracked file holds a private key or a fixed secret", () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(100);
    const findings: Finding[] = [];
    for (const f of files) {
      if (ALLOWED[f]) continue;
      const full = path.join(root, f);
      if (!existsSync(full) || !statSync(full).isFile() || statSync(full).size > 5 * 1024 * 1024) continue;
      const buf = readFileSync(full);
      if (buf.subarray(0, 8000).includes(0)) continue; // binary
      findings.push(...scan(f, buf.toString("utf8")));
    }
    expect(findings.map((x) => `${x.file}:${x.line} ${x.rule} (${x.excerpt})`)).toEqual([]);
  });
});

describe("sandbox signing keys are made per install", () => {
  it("at first start, into DATA_DIR/sandbox-keys.json (0600 whatever the umask), then read back", () => {
    const a = mkdtempSync(path.join(os.tmpdir(), "sb-keys-"));
    const b = mkdtempSync(path.join(os.tmpdir(), "sb-keys-"));
    const old = process.umask(0);
    try {
      const first = ensureSandboxKeys(sandboxKeysFile(a));
      expect((statSync(sandboxKeysFile(a)).mode & 0o777).toString(8)).toBe("600");
      expect(ensureSandboxKeys(sandboxKeysFile(a))).toEqual(first); // a restart keeps them
      const other = ensureSandboxKeys(sandboxKeysFile(b));
      expect(other.sendgrid.publicKey).not.toBe(first.sendgrid.publicKey); // another install, other keys
      expect(other.sendgrid.privateKeyPem).not.toBe(first.sendgrid.privateKeyPem);
      expect(readdirSync(a)).toEqual(["sandbox-keys.json"]); // nothing left aside
    } finally {
      process.umask(old);
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  it("the seed trusts the key this install's sandbox signs with, and the sandbox process reads the same file", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sb-install-"));
    const before = sandboxKeys();
    const port = await freePort();
    // `npm run sandbox` for an install whose data lives in `dir`
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, PORT: String(port), LOG_LEVEL: "silent" };
    delete env.SANDBOX_KEYS_FILE;
    const proc = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/sandbox.ts")], { cwd: root, env, stdio: ["ignore", "ignore", "inherit", "ipc"] });
    try {
      await new Promise<void>((resolve, reject) => {
        proc.once("message", () => resolve());
        proc.once("exit", (code) => reject(new Error(`scripts/sandbox.ts exited with ${code}`)));
      });
      // what npm start does: the same file for the sandbox and the seed (SANDBOX_KEYS_FILE)
      const install = ensureSandboxKeys(sandboxKeysFile(dir));
      useSandboxKeys(install);
      expect(sendgridSandboxPublicKey()).toBe(install.sendgrid.publicKey);

      // the separate sandbox process shows the same public key as SendGrid's dashboard would
      const apiKey = `SG.${randomBytes(16).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
      const signed = await fetch(`http://127.0.0.1:${port}/sendgrid/v3/user/webhooks/event/settings/signed`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(await signed.json()).toEqual({ enabled: true, public_key: install.sendgrid.publicKey });

      // the seed's SendGrid integration trusts exactly that key
      const ids = await seedDemoIntegrations();
      const row = (await db.integration.findMany({ where: { id: { in: ids }, provider: "sendgrid" } }))[0];
      const creds = decryptJson<{ webhookPublicKey: string }>(row.credentials!, aadFor.integrationCredentials(row.id));
      expect(creds.webhookPublicKey).toBe(install.sendgrid.publicKey);
    } finally {
      useSandboxKeys(before);
      proc.kill("SIGTERM");
      if (proc.exitCode === null) await new Promise((r) => proc.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("installs seeded before keys were made per install", () => {
  it("stop trusting a published sandbox key at start: sandbox integrations take the install's key, live ones none", async () => {
    const spki = (k: { publicKey: KeyObject }) => k.publicKey.export({ type: "spki", format: "der" }).toString("base64");
    // stands for the key pair that was in the repository (its fingerprint is in lib/runtime/seed.ts)
    const published = spki(generateKeyPairSync("ec", { namedCurve: "prime256v1" }));
    const own = spki(generateKeyPairSync("ec", { namedCurve: "prime256v1" }));
    const fingerprint = createHash("sha256").update(Buffer.from(published, "base64")).digest("hex");
    const system = { actor: { type: "system" as const, label: "test" } };
    const sg = (name: string, mode: "sandbox" | "live", webhookPublicKey: string) =>
      createIntegration(
        { provider: "sendgrid", name, mode, credentials: { apiKey: `SG.${randomBytes(16).toString("base64url")}.${randomBytes(32).toString("base64url")}`, webhookPublicKey }, config: { fromEmail: "noreply@example.com" } },
        system,
      );
    const demo = await sg("Old demo", "sandbox", published);
    const live = await sg("Live, pasted the demo key", "live", published);
    const mine = await sg("Own key", "sandbox", own);
    const creds = async (id: string) => {
      const row = await db.integration.findUniqueOrThrow({ where: { id } });
      return decryptJson<{ apiKey: string; webhookPublicKey?: string }>(row.credentials!, aadFor.integrationCredentials(id));
    };
    const apiKeys = { demo: (await creds(demo.id)).apiKey, live: (await creds(live.id)).apiKey };

    expect(await distrustPublishedSandboxKeys([fingerprint])).toBe(2);
    expect(await creds(demo.id)).toEqual({ apiKey: apiKeys.demo, webhookPublicKey: sendgridSandboxPublicKey() });
    expect(await creds(live.id)).toEqual({ apiKey: apiKeys.live });
    expect((await creds(mine.id)).webhookPublicKey).toBe(own);
    // not kept as a "previous" key either (rotation's grace period would still accept it)
    for (const id of [demo.id, live.id]) expect((await db.integration.findUniqueOrThrow({ where: { id } })).webhookSecret).toBeNull();
    const trail = await db.auditLog.findMany({ where: { entityId: { in: [demo.id, live.id] }, action: "integration.update" } });
    expect(trail).toHaveLength(2);
    expect(await distrustPublishedSandboxKeys([fingerprint])).toBe(0); // once
  });
});
