import { CheckCircle2, CircleDashed, CircleOff, FlaskConical, Radio, XCircle } from "lucide-react";
import { Badge } from "@/components/ui/badge";

const STATUS: Record<string, { label: string; variant: "success" | "danger" | "muted" | "warning"; Icon: typeof CheckCircle2 }> = {
  active: { label: "Active", variant: "success", Icon: CheckCircle2 },
  error: { label: "Error", variant: "danger", Icon: XCircle },
  inactive: { label: "Disabled", variant: "muted", Icon: CircleOff },
  testing: { label: "Not tested", variant: "warning", Icon: CircleDashed },
};

export function StatusBadge({ status }: { status: string }) {
  const s = STATUS[status] ?? STATUS.testing;
  return (
    <Badge variant={s.variant} data-testid="integration-status">
      <s.Icon aria-hidden /> {s.label}
    </Badge>
  );
}

/** The one Sandbox badge: every screen shows it the same (colour, icon, words). */
export function SandboxBadge({ className }: { className?: string }) {
  return (
    <Badge variant="info" className={className} title="Calls go to the local sandbox, not the real provider" data-testid="sandbox-badge">
      <FlaskConical aria-hidden /> Sandbox
    </Badge>
  );
}

/** Sandbox vs live must never be ambiguous. */
export function ModeBadge({ mode }: { mode: string }) {
  return mode === "sandbox" ? (
    <SandboxBadge />
  ) : (
    <Badge variant="outline" title="Calls go to the real provider">
      <Radio aria-hidden /> Live
    </Badge>
  );
}

export function TestResultBadge({ ok }: { ok: boolean | null | undefined }) {
  if (ok === null || ok === undefined) return <Badge variant="muted">never tested</Badge>;
  return ok ? <Badge variant="success">passed</Badge> : <Badge variant="danger">failed</Badge>;
}
