"use client";
// What the subscription screens share (the API's shapes are lib/payments/contract.ts): status
// words, colours and what each status means, the period in words ("every 3 months"), a
// charge's invoice links (also on the payment page of a charge).
import { ExternalLink, FileText } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";
import type { SubscriptionCharge, SubscriptionItem, SubscriptionStatus } from "@/lib/payments/contract";

export const SUBSCRIPTION_STATUS_STYLE: Record<
  SubscriptionStatus,
  { label: string; badge: "info" | "warning" | "success" | "danger" | "muted"; color: string; means: string }
> = {
  incomplete: { label: "Awaiting first payment", badge: "muted", color: "var(--chart-5)", means: "The payer has not approved or paid the first period yet." },
  active: { label: "Active", badge: "success", color: "var(--chart-1)", means: "Paid up: it renews at the end of each period." },
  past_due: { label: "Past due", badge: "warning", color: "var(--chart-4)", means: "A renewal was not paid; it is being retried." },
  canceled: { label: "Canceled", badge: "muted", color: "var(--muted-foreground)", means: "It has ended: no further charges." },
  incomplete_expired: { label: "Expired unpaid", badge: "danger", color: "var(--chart-2)", means: "The first payment never came, so it did not start." },
};

export function SubscriptionStatusBadge({ status }: { status: SubscriptionStatus }) {
  const s = SUBSCRIPTION_STATUS_STYLE[status] ?? SUBSCRIPTION_STATUS_STYLE.incomplete;
  return <Badge variant={s.badge}>{s.label}</Badge>;
}

const UNIT: Record<SubscriptionItem["interval"], [string, string, string]> = {
  // every one, every N, "-ly"
  day: ["day", "days", "Daily"],
  week: ["week", "weeks", "Weekly"],
  month: ["month", "months", "Monthly"],
  year: ["year", "years", "Yearly"],
};

/** "every month", "every 3 months" */
export function everyInterval(interval: SubscriptionItem["interval"], count: number) {
  const u = UNIT[interval];
  return count === 1 ? `every ${u[0]}` : `every ${count} ${u[1]}`;
}

/** "25.00 USD every month" */
export function amountPerInterval(s: Pick<SubscriptionItem, "amount" | "interval" | "intervalCount">) {
  return `${s.amount} ${everyInterval(s.interval, s.intervalCount)}`;
}

export const INTERVAL_CHOICES = (Object.keys(UNIT) as SubscriptionItem["interval"][]).map((v) => ({ value: v, label: UNIT[v][2], unit: UNIT[v] }));

const DAY = { hour: undefined, minute: undefined, second: undefined } as const;
/** A date without the time of day ("7 Dec 2026"). */
export function formatDay(iso: string | null | undefined) {
  return iso ? formatDateTime(iso, DAY) : "—";
}

/** "7 Dec 2026 – 7 Jan 2027", or what is known of it */
export function periodText(s: Pick<SubscriptionItem, "currentPeriodStart" | "currentPeriodEnd">) {
  if (!s.currentPeriodStart && !s.currentPeriodEnd) return "Not started yet";
  if (!s.currentPeriodStart) return `Until ${formatDay(s.currentPeriodEnd)}`;
  if (!s.currentPeriodEnd) return `From ${formatDay(s.currentPeriodStart)}`;
  return `${formatDay(s.currentPeriodStart)} – ${formatDay(s.currentPeriodEnd)}`;
}

/** Providers whose definitions declare subscriptions (their ids and names, from the server). */
export type SubscriptionProvider = { id: string; name: string };

/** The provider's invoice page and its PDF, where the provider has invoices. */
export function InvoiceLinks({ c }: { c: Pick<SubscriptionCharge, "invoiceId" | "invoiceUrl" | "invoicePdfUrl"> }) {
  if (!c.invoiceUrl && !c.invoicePdfUrl) return <span className="text-muted-foreground text-xs">{c.invoiceId ? "Invoice at the provider" : "—"}</span>;
  return (
    <span className="flex flex-wrap gap-x-3 gap-y-1 text-sm">
      {c.invoiceUrl && (
        <a href={c.invoiceUrl} target="_blank" rel="noopener noreferrer" className="inline-flex items-center gap-1 underline underline-offset-2">
          <ExternalLink className="size-3.5" /> Invoice
        </a>
      )}
      {c.invoicePdfUrl && (
        <a href={c.invoicePdfUrl} target="_blank" rel="noopener noreferrer" className="inline-flex items-center gap-1 underline underline-offset-2">
          <FileText className="size-3.5" /> PDF
        </a>
      )}
    </span>
  );
}

