// API keys for machine clients: `Authorization: Bearer sb_<prefix>_<secret>`. Shown once at
// creation, stored as a SHA-256 hash, scoped, revocable, optionally expiring, rate limited.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import type { Scope } from "@/lib/auth/scopes";
import { z } from "zod";
import { errors } from "@/lib/errors";
import { audit, type Who } from "@/lib/audit";
import { createApiKeyInput } from "@/lib/auth/api-key-contract";
import { env } from "@/lib/env";

export type ApiKeyPrincipal = { id: string; name: string; prefix: string; scopes: string[]; rateLimitPerMinute: number; /** a driver's device key */ driverId: string | null };

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const KEY_RE = /^sb_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const prefix = Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join("");
  const secret = randomBytes(32).toString("base64url"); // 43 chars
  const key = `sb_${prefix}_${secret}`;
  return { key, prefix, hash: sha256(key) };
}

type KeyRow = Pick<ApiKeyPrincipal, "id" | "name" | "prefix" | "scopes" | "rateLimitPerMinute" | "driverId"> & {
  keyHash: string; expiresAt: Date | null; lastUsedAt: Date | null; lastUsedIp: string | null; revokedAt: Date | null;
};

export type KeyCheck =
  | { ok: true; key: ApiKeyPrincipal }
  | { ok: false; reason: "malformed" | "unknown" | "revoked" | "expired" };

export async function verifyApiKey(presented: string, ip?: string): Promise<KeyCheck> {
  const m = KEY_RE.exec(presented);
  if (!m) return { ok: false, reason: "malformed" };
  // node-postgres rather than Prisma: every API request passes here
  const { rows } = await pgPool().query<KeyRow>(
    `select id, name, prefix, key_hash as "keyHash", scopes, rate_limit_per_minute as "rateLimitPerMinute",
            expires_at as "expiresAt", last_used_at as "lastUsedAt", last_used_ip as "lastUsedIp", revoked_at as "revokedAt",
            driver_id as "driverId"
       from api_keys where prefix = $1`,
    [m[1]],
  );
  const row = rows[0];
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
    await pgPool().query("update api_keys set last_used_at = now(), last_used_ip = $2 where id = $1", [row.id, ip ?? null]);
  }
  return {
    ok: true,
    key: { id: row.id, name: row.name, prefix: row.prefix, scopes: row.scopes, rateLimitPerMinute: row.rateLimitPerMinute, driverId: row.driverId },
  };
}

export function hasScope(key: ApiKeyPrincipal, scope: Scope): boolean {
  return key.scopes.includes(scope);
}

// ───────────── management (admins) ─────────────

// the request shape: lib/auth/api-key-contract.ts (shared with the New API key dialog)

export function publicApiKey(k: {
  id: string; name: string; prefix: string; scopes: string[]; rateLimitPerMinute: number; createdAt: Date;
  expiresAt: Date | null; lastUsedAt: Date | null; lastUsedIp: string | null; revokedAt: Date | null; driverId?: string | null;
}) {
  return {
    id: k.id,
    name: k.name,
    prefix: `sb_${k.prefix}_…`,
    scopes: k.scopes,
    rateLimitPerMinute: k.rateLimitPerMinute,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUsedAt,
    lastUsedIp: k.lastUsedIp,
    revokedAt: k.revokedAt,
    driverId: k.driverId ?? null,
    status: k.revokedAt ? "revoked" : k.expiresAt && k.expiresAt <= new Date() ? "expired" : "active",
  };
}

export async function createApiKey(input: z.input<typeof createApiKeyInput>, who: Who) {
  const data = createApiKeyInput.parse(input);
  if (data.driverId && !(await db.driver.findUnique({ where: { id: data.driverId }, select: { id: true } }))) {
    throw errors.validation("Unknown driver", [{ path: "driverId", message: "No driver with this id" }]);
  }
  const { key, prefix, hash } = generateApiKey();
  const row = await db.apiKey.create({
    data: {
      name: data.name,
      prefix,
      keyHash: hash,
      scopes: [...new Set(data.scopes)],
      rateLimitPerMinute: data.rateLimitPerMinute ?? env().API_KEY_DEFAULT_RATE_LIMIT,
      expiresAt: data.expiresInDays ? new Date(Date.now() + data.expiresInDays * 86400_000) : null,
      createdById: who.actor.type === "user" ? who.actor.id : null,
      driverId: data.driverId ?? null,
    },
  });
  await audit(who.actor, "api_key.create", "api_key", row.id, { name: row.name, scopes: row.scopes, rateLimitPerMinute: row.rateLimitPerMinute, driverId: row.driverId }, who.meta);
  return { key, apiKey: publicApiKey(row) };
}

export async function listApiKeys() {
  const rows = await db.apiKey.findMany({ orderBy: [{ revokedAt: { sort: "asc", nulls: "first" } }, { createdAt: "desc" }] });
  return rows.map(publicApiKey);
}

export async function revokeApiKey(id: string, who: Who) {
  const row = await db.apiKey.findUnique({ where: { id } });
  if (!row) throw errors.notFound("API key");
  if (row.revokedAt) return publicApiKey(row);
  const updated = await db.apiKey.update({
    where: { id },
    data: { revokedAt: new Date(), revokedById: who.actor.type === "user" ? who.actor.id : null },
  });
  await audit(who.actor, "api_key.revoke", "api_key", id, { name: row.name }, who.meta);
  return publicApiKey(updated);
}
