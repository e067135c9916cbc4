// Webhook-secret rotation: when an admin replaces a secret the provider signs with (Stripe's
// whsec_, Zoom's secret token, the custom integration's signing secret …), the old value is
// kept, encrypted, in integrations.webhook_secret and still accepted for
// WEBHOOK_SECRET_GRACE_HOURS, so deliveries signed before the provider switched are not lost.
import type { Integration } from "@/generated/prisma/client";
import { decryptJson, encryptJson, aadFor } from "@/lib/vault";
import { env } from "@/lib/env";

export type RetiredSecret = { field: string; value: string; expiresAt: string };

export function retiredSecrets(row: Pick<Integration, "id" | "webhookSecret">, now = Date.now()): RetiredSecret[] {
  if (!row.webhookSecret) return [];
  const all = decryptJson<RetiredSecret[]>(row.webhookSecret, aadFor.integrationWebhookSecret(row.id));
  return all.filter((s) => Date.parse(s.expiresAt) > now);
}

/** The new envelope after `changed` fields were replaced (null when nothing is left). */
export function retire(
  row: Pick<Integration, "id" | "webhookSecret">,
  changed: { field: string; previous: string }[],
  now = Date.now(),
): string | null {
  const graceMs = env().WEBHOOK_SECRET_GRACE_HOURS * 3600_000;
  const kept = retiredSecrets(row, now);
  if (graceMs > 0) {
    for (const c of changed) {
      if (!c.previous) continue;
      kept.unshift({ field: c.field, value: c.previous, expiresAt: new Date(now + graceMs).toISOString() });
    }
  }
  // at most the two latest per field: "the secret list allows two secrets during rotation"
  const perField = new Map<string, number>();
  const trimmed = kept.filter((s) => {
    const n = (perField.get(s.field) ?? 0) + 1;
    perField.set(s.field, n);
    return n <= 1;
  });
  return trimmed.length ? encryptJson(trimmed, aadFor.integrationWebhookSecret(row.id)) : null;
}

/** current value first, then the retired one still in its grace period */
export function secretList(current: unknown, retired: RetiredSecret[], field: string): string[] {
  const out = typeof current === "string" && current ? [current] : [];
  for (const r of retired) if (r.field === field && !out.includes(r.value)) out.push(r.value);
  return out;
}
