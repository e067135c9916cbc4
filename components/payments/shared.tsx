"use client";
// What the payment screens share (the API's shapes are lib/payments/contract.ts): status words and
// colours, money shown and typed in a currency's own digits (lib/money: integers only), the
// provider cell with its Sandbox badge, a copyable link and idempotency keys.
import * as React from "react";
import { Check, Copy } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { currencyDigits, fromDecimalString, toDecimalString } from "@/lib/money";
import type { Integration } from "@/lib/integrations/contract";
import type { PaymentItem, PaymentStatus } from "@/lib/payments/contract";
import { SandboxBadge } from "@/components/integrations/status";

export const PAYMENT_STATUS_STYLE: Record<PaymentStatus, { label: string; badge: "info" | "warning" | "success" | "danger" | "muted"; color: string }> = {
  pending: { label: "Pending", badge: "muted", color: "var(--chart-5)" },
  requires_action: { label: "Requires action", badge: "warning", color: "var(--chart-4)" },
  succeeded: { label: "Succeeded", badge: "success", color: "var(--chart-1)" },
  partially_refunded: { label: "Partially refunded", badge: "info", color: "var(--chart-3)" },
  refunded: { label: "Refunded", badge: "info", color: "var(--chart-3)" },
  failed: { label: "Failed", badge: "danger", color: "var(--chart-2)" },
  canceled: { label: "Canceled", badge: "muted", color: "var(--muted-foreground)" },
};

/** Still waiting for the payer or the provider. */
export const OPEN_STATUSES: readonly PaymentStatus[] = ["pending", "requires_action"];
/** Money came in (part of it may have gone back). */
export const PAID_STATUSES: readonly PaymentStatus[] = ["succeeded", "partially_refunded", "refunded"];

export function PaymentStatusBadge({ status }: { status: PaymentStatus }) {
  const s = PAYMENT_STATUS_STYLE[status] ?? PAYMENT_STATUS_STYLE.pending;
  return <Badge variant={s.badge}>{s.label}</Badge>;
}

/** A payment provider as the page lists it (its name from the provider's definition, on the server). */
export type PaymentProvider = { id: string; name: string };

/** Integrations that take payments. */
export function paymentIntegrations(items: Integration[] | undefined): Integration[] {
  return (items ?? []).filter((i) => i.category === "payment");
}

/** Currencies offered in the forms (any ISO code works through the API). */
export const CURRENCIES = ["RUB", "USD", "EUR", "GBP", "KZT", "UZS", "BYN", "UAH", "TRY", "CNY", "JPY", "CHF", "CAD", "AUD", "PLN"] as const;

/** 12345, "RUB" → "123.45 RUB" */
export function money(minor: number, currency: string) {
  try {
    return `${toDecimalString(minor, currency)} ${currency}`;
  } catch {
    return `${minor} ${currency} (minor units)`;
  }
}

/** For charts only (reading, not arithmetic): minor units → a number in major units. */
export function majorForChart(minor: number, currency: string) {
  return Number(toDecimalString(minor, currency));
}

/** What a person typed ("123.45"; "1000" for JPY) → minor units, or why not. */
export function parseAmount(text: string, currency: string): { ok: true; minor: number } | { ok: false; error: string } {
  const t = text.trim().replace(",", ".");
  if (!t) return { ok: false, error: "Enter an amount" };
  let digits: number;
  try {
    digits = currencyDigits(currency);
  } catch {
    return { ok: false, error: `${currency} is not a currency` };
  }
  if (!/^\d+(\.\d+)?$/.test(t)) return { ok: false, error: digits ? `An amount such as 100 or 100.${"5".padEnd(digits, "0")}` : "A whole amount such as 1000" };
  let minor: number;
  try {
    minor = fromDecimalString(t, currency);
  } catch {
    return { ok: false, error: digits ? `${currency} has ${digits} decimal${digits === 1 ? "" : "s"} at most` : `${currency} has no decimals: a whole amount` };
  }
  if (!Number.isSafeInteger(minor) || minor > 2_000_000_000) return { ok: false, error: "That amount is too large" };
  if (minor <= 0) return { ok: false, error: "The amount must be more than zero" };
  return { ok: true, minor };
}

/** The provider and integration, with a Sandbox badge for sandbox integrations. */
export function ProviderCell({ p }: { p: Pick<PaymentItem, "providerName" | "integration"> }) {
  return (
    <span className="flex flex-wrap items-center gap-1">
      {p.integration ? <span>{p.integration.name}</span> : <span className="text-muted-foreground">deleted integration</span>}
      <span className="text-muted-foreground text-xs">{p.providerName}</span>
      {p.integration?.mode === "sandbox" && (
        <SandboxBadge />
      )}
    </span>
  );
}

/** A read-only value (a payment link) with a Copy button. */
export function CopyField({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const [copied, setCopied] = React.useState(false);
  return (
    <div className="flex gap-2">
      <Input readOnly value={value} aria-label={label} className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} data-testid={testId} />
      <Button
        type="button"
        variant="outline"
        aria-label={`Copy ${label.toLowerCase()}`}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setCopied(true);
            setTimeout(() => setCopied(false), 2000);
          } catch {
            /* clipboard unavailable (plain http): the field is selectable */
          }
        }}
      >
        {copied ? <Check /> : <Copy />} {copied ? "Copied" : "Copy"}
      </Button>
    </div>
  );
}

/** A fresh Idempotency-Key (crypto.randomUUID needs a secure context: fall back to getRandomValues). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
