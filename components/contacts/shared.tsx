"use client";
// What the contact screens share: the shapes /api/v1/contacts and /api/v1/suitedash return,
// and the status words and colours of a submission.
import { Badge } from "@/components/ui/badge";

export const SUBMISSION_STATUSES = ["pending", "synced", "failed", "exported"] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

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

export type Submission = {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  company: string | null;
  serviceInterest: string | null;
  message: string | null;
  source: string | null;
  tags: string[];
  status: SubmissionStatus;
  externalId: string | null;
  integrationId: string | null;
  error: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  syncedAt: string | null;
  exportId: string | null;
  exportFileName: string | null;
  createdAt: string;
  updatedAt: string;
};

export type SubmissionDetail = Submission & {
  ip: string | null;
  userAgent: string | null;
  logs: { id: string; createdAt: string; action: string; method: string | null; url: string | null; statusCode: number | null; durationMs: number | null; status: string; error: string | null }[];
};

export type SubmissionList = { items: Submission[]; nextCursor: string | null; counts: Record<SubmissionStatus, number> };

export const fullName = (s: Pick<Submission, "firstName" | "lastName">) => `${s.firstName} ${s.lastName}`.trim();
