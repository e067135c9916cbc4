"use client";
// What the contact screens share: the status words and colours of a submission (the API's
// shapes are lib/suitedash/contract.ts).
import { Badge } from "@/components/ui/badge";
import type { Submission, SubmissionStatus } from "@/lib/suitedash/contract";

export const SUBMISSION_STATUS_STYLE: Record<SubmissionStatus, { label: string; badge: "info" | "warning" | "success" | "danger" | "muted"; color: string }> = {
  pending: { label: "Pending", badge: "muted", color: "var(--chart-5)" },
  synced: { label: "Synced", badge: "success", color: "var(--chart-1)" },
  failed: { label: "Failed", badge: "danger", color: "var(--chart-2)" },
  exported: { label: "Exported", badge: "info", color: "var(--chart-3)" },
};

export function SubmissionStatusBadge({ status }: { status: SubmissionStatus }) {
  const s = SUBMISSION_STATUS_STYLE[status] ?? SUBMISSION_STATUS_STYLE.pending;
  return <Badge variant={s.badge}>{s.label}</Badge>;
}

export const fullName = (s: Pick<Submission, "firstName" | "lastName">) => `${s.firstName} ${s.lastName}`.trim();
