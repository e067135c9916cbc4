// Test data made through the same services the app uses.
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { hashPassword } from "@/lib/auth/password";
import { generateApiKey } from "@/lib/auth/api-keys";
import { createIntegration, type CreateIntegrationInput } from "@/lib/integrations/service";
import type { Role } from "@/lib/auth/roles";
import { sessionCookie } from "./http";
import type { startSandboxServer } from "@/lib/sandbox/server";

export const system = { actor: { type: "system" as const, label: "test" } };

export function sandbox() {
  return (globalThis as unknown as { __sandbox: Awaited<ReturnType<typeof startSandboxServer>> }).__sandbox;
}

let n = 0;
export async function createUser(role: Role, opts: { password?: string; active?: boolean } = {}) {
  n++;
  const user = await db.user.create({
    data: {
      email: `${role}${n}-${randomBytes(3).toString("hex")}@example.test`,
      name: `${role} ${n}`,
      role,
      active: opts.active ?? true,
      passwordHash: opts.password ? await hashPassword(opts.password) : null,
    },
  });
  return { ...user, cookie: await sessionCookie(user) };
}

export async function createKey(scopes: string[], opts: { rateLimitPerMinute?: number; expiresAt?: Date; revokedAt?: Date; driverId?: string } = {}) {
  const { key, prefix, hash } = generateApiKey();
  const row = await db.apiKey.create({
    data: { name: `key ${prefix}`, prefix, keyHash: hash, scopes, rateLimitPerMinute: opts.rateLimitPerMinute ?? 1000, expiresAt: opts.expiresAt, revokedAt: opts.revokedAt, driverId: opts.driverId },
  });
  return { key, row };
}

export function botToken(id = 7000000000 + Math.floor(Math.random() * 999_999)) {
  return `${id}:AA${randomBytes(30).toString("base64url").replace(/[^A-Za-z0-9]/g, "x").slice(0, 33)}`;
}

export async function telegramIntegration(overrides: Partial<CreateIntegrationInput> = {}) {
  const token = botToken();
  const row = await createIntegration(
    { provider: "telegram", name: `Bot ${++n}`, mode: "sandbox", credentials: { botToken: token }, config: {}, ...overrides },
    system,
  );
  return { row, token };
}

export async function webhookIntegration(overrides: Partial<CreateIntegrationInput> = {}) {
  const secret = randomBytes(32).toString("base64url");
  const row = await createIntegration(
    { provider: "generic-webhook", name: `Hook ${++n}`, mode: "sandbox", credentials: { signingSecret: secret }, config: { scheme: "hmac-sha256" }, ...overrides },
    system,
  );
  return { row, secret };
}

export async function fault(body: Record<string, unknown>) {
  const res = await fetch(`${sandbox().url}/__control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`fault not set: ${res.status}`);
}

/** A Zoom (Server-to-Server OAuth) integration against the sandbox, with fresh app credentials. */
export async function zoomIntegration(overrides: Partial<CreateIntegrationInput> & { credentials?: Record<string, unknown> } = {}) {
  const id = () => randomBytes(16).toString("base64url").replace(/[^A-Za-z0-9]/g, "x");
  const credentials = { accountId: id(), clientId: id(), clientSecret: randomBytes(16).toString("hex"), webhookSecretToken: id(), ...overrides.credentials };
  const row = await createIntegration({ provider: "zoom", name: `Zoom ${++n}`, mode: "sandbox", config: {}, ...overrides, credentials }, system);
  return { row, ...(credentials as { accountId: string; clientId: string; clientSecret: string; webhookSecretToken: string }) };
}
