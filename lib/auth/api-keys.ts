// API keys for machine clients: `Authorization: Bearer sb_<prefix>_<secret>`. Shown once at
// creation, stored as a SHA-256 hash, scoped, revocable, optionally expiring, rate limited.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { db } from "@/lib/db";
import type { Scope } from "@/lib/auth/scopes";

export type ApiKeyPrincipal = { id: string; name: string; prefix: string; scopes: string[]; rateLimitPerMinute: number };

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const KEY_RE = /^sb_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const prefix = Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join("");
  const secret = randomBytes(32).toString("base64url"); // 43 chars
  const key = `sb_${prefix}_${secret}`;
  return { key, prefix, hash: sha256(key) };
}

export type KeyCheck =
  | { ok: true; key: ApiKeyPrincipal }
  | { ok: false; reason: "malformed" | "unknown" | "revoked" | "expired" };

export async function verifyApiKey(presented: string, ip?: string): Promise<KeyCheck> {
  const m = KEY_RE.exec(presented);
  if (!m) return { ok: false, reason: "malformed" };
  const row = await db.apiKey.findUnique({ where: { prefix: m[1] } });
  const hash = Buffer.from(sha256(presented), "hex");
  if (!row) {
    timingSafeEqual(hash, hash); // same work either way
    return { ok: false, reason: "unknown" };
  }
  if (!timingSafeEqual(hash, Buffer.from(row.keyHash, "hex"))) return { ok: false, reason: "unknown" };
  if (row.revokedAt) return { ok: false, reason: "revoked" };
  if (row.expiresAt && row.expiresAt <= new Date()) return { ok: false, reason: "expired" };
  // one write a minute at most, not one per request
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000 || row.lastUsedIp !== (ip ?? null)) {
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date(), lastUsedIp: ip ?? null } });
  }
  return {
    ok: true,
    key: { id: row.id, name: row.name, prefix: row.prefix, scopes: row.scopes, rateLimitPerMinute: row.rateLimitPerMinute },
  };
}

export function hasScope(key: ApiKeyPrincipal, scope: Scope): boolean {
  return key.scopes.includes(scope);
}
