import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  decrypt, encrypt, encryptJson, decryptJson, envelopeKeyId, generateKey, keyRing, mask, parseKeyRing, VaultError,
  writeKeyringFile, ensureKeyringFile, readKeyringFile, formatKeyRing,
} from "@/lib/vault";
import { rotateAll, keyUsage } from "@/lib/vault-rotate";
import { db } from "@/lib/db";
import { buildContext, getIntegrationRow } from "@/lib/integrations/service";
import { telegramIntegration } from "../helpers/fixtures";

describe("vault", () => {
  const k1 = generateKey();
  const k2 = generateKey();

  it("round-trips and names the key it used", () => {
    const env = encrypt("s3cret", "t.c:1", [k1]);
    expect(env.startsWith(`sbv1:${k1.id}:`)).toBe(true);
    expect(env).not.toContain("s3cret");
    expect(envelopeKeyId(env)).toBe(k1.id);
    expect(decrypt(env, "t.c:1", [k1])).toBe("s3cret");
    expect(decryptJson(encryptJson({ a: [1, "x"] }, "aad", [k1]), "aad", [k1])).toEqual({ a: [1, "x"] });
  });

  it("uses a fresh IV every time", () => {
    expect(encrypt("same", "a", [k1])).not.toBe(encrypt("same", "a", [k1]));
  });

  it("binds a secret to its row: a ciphertext moved to another row does not decrypt", () => {
    const env = encrypt("token", "integrations.credentials:row-1", [k1]);
    expect(() => decrypt(env, "integrations.credentials:row-2", [k1])).toThrow(VaultError);
  });

  it("detects tampering", () => {
    const env = encrypt("token", "a", [k1]);
    const parts = env.split(":");
    const ct = Buffer.from(parts[4], "base64url");
    ct[0] ^= 1;
    parts[4] = ct.toString("base64url");
    expect(() => decrypt(parts.join(":"), "a", [k1])).toThrow(/tampered/);
  });

  it("explains a key missing from the ring", () => {
    const env = encrypt("x", "a", [k1]);
    expect(() => decrypt(env, "a", [k2])).toThrow(new RegExp(`${k1.id}.*not in this process's key ring`));
    expect(() => decrypt("garbage", "a", [k1])).toThrow(/Not a vault envelope/);
  });

  it("encrypts with the newest key and decrypts with any key of the ring", () => {
    const old = encrypt("x", "a", [k1]);
    const ring = [k2, k1];
    expect(decrypt(old, "a", ring)).toBe("x");
    expect(envelopeKeyId(encrypt("y", "a", ring))).toBe(k2.id);
  });

  it("rejects malformed key rings with a clear message", () => {
    expect(() => parseKeyRing("")).toThrow(/empty/);
    expect(() => parseKeyRing("nokey")).toThrow(/<id>:<base64 key>/);
    expect(() => parseKeyRing(`a:${Buffer.alloc(16).toString("base64")}`)).toThrow(/32 bytes/);
    expect(() => parseKeyRing(`bad id:${Buffer.alloc(32).toString("base64")}`)).toThrow(/may only contain/);
    expect(() => parseKeyRing(`${formatKeyRing([k1])},${formatKeyRing([k1])}`)).toThrow(/unique/);
    expect(parseKeyRing(formatKeyRing([k2, k1])).map((k) => k.id)).toEqual([k2.id, k1.id]);
  });

  it("keeps the zero-config key ring in a 0600 file and re-reads it when it changes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ring-"));
    const saved = process.env.SWITCHBOARD_ENCRYPTION_KEYS;
    const savedDir = process.env.DATA_DIR;
    try {
      delete process.env.SWITCHBOARD_ENCRYPTION_KEYS;
      process.env.DATA_DIR = dir;
      expect(() => keyRing()).toThrow(/No encryption keys/);
      const ring = ensureKeyringFile(path.join(dir, "keyring.json"));
      expect(ring).toHaveLength(1);
      const { statSync } = await import("node:fs");
      expect(statSync(path.join(dir, "keyring.json")).mode & 0o777).toBe(0o600);
      expect(keyRing()[0].id).toBe(ring[0].id);
      await new Promise((r) => setTimeout(r, 20)); // a real clock: the key ring file's mtime must change for the cache to reload it
      writeKeyringFile([k2, ...ring], path.join(dir, "keyring.json"));
      expect(keyRing().map((k) => k.id)).toEqual([k2.id, ring[0].id]);
      expect(readKeyringFile(path.join(dir, "keyring.json"))).toHaveLength(2);
    } finally {
      process.env.SWITCHBOARD_ENCRYPTION_KEYS = saved;
      process.env.DATA_DIR = savedDir;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("masks: never more than the last four characters, nothing of short values", () => {
    expect(mask("123456789:ABCDEFGHIJKLMNOP")).toBe("••••••••MNOP");
    expect(mask("short")).toBe("••••••••");
    expect(mask("")).toBeNull();
    expect(mask(null)).toBeNull();
  });
});

describe("keys:rotate", () => {
  it("re-encrypts every stored secret with the newest key; the old key can then be dropped", async () => {
    const { row, token } = await telegramIntegration();
    const before = await getIntegrationRow(row.id);
    const oldRing = keyRing();
    expect(envelopeKeyId(before.credentials!)).toBe(oldRing[0].id);

    const fresh = generateKey();
    const report = await rotateAll(process.env.DATABASE_URL!, [fresh, ...oldRing]);
    expect(report.reencrypted).toBeGreaterThanOrEqual(1);
    expect(report.byColumn["integrations.credentials"]).toBeGreaterThanOrEqual(1);
    expect(await keyUsage(process.env.DATABASE_URL!)).toEqual({ [fresh.id]: report.reencrypted });

    // a second run has nothing to do
    expect((await rotateAll(process.env.DATABASE_URL!, [fresh, ...oldRing])).reencrypted).toBe(0);

    // with only the new key, the integration still decrypts
    const saved = process.env.SWITCHBOARD_ENCRYPTION_KEYS;
    process.env.SWITCHBOARD_ENCRYPTION_KEYS = formatKeyRing([fresh]);
    try {
      const ctx = buildContext(await getIntegrationRow(row.id));
      expect(ctx.credentials.botToken).toBe(token);
      const stored = await db.integration.findUniqueOrThrow({ where: { id: row.id } });
      expect(stored.credentials).not.toContain(token);
    } finally {
      process.env.SWITCHBOARD_ENCRYPTION_KEYS = saved;
    }
  });
});
