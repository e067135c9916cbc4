// A provider call's result as a badge: green for a 2xx, red for a failure, and neutral for a
// non-2xx the call expected (a lookup's 404 "not found, create it"): that is not a failure.
import { Badge } from "@/components/ui/badge";
import type { LogStatus } from "@/lib/logs/contract";

export function LogStatusBadge({ status, statusCode, http }: { status: LogStatus | string; statusCode: number | null; http?: boolean }) {
  const code = statusCode !== null ? (http ? `HTTP ${statusCode}` : String(statusCode)) : null;
  if (status === "expected") {
    return (
      <Badge variant="info" title="An answer this call expects (for example “not found”, then create): not a failure">
        {code ? `${code} · expected` : "expected"}
      </Badge>
    );
  }
  return <Badge variant={status === "success" ? "success" : "danger"}>{code ?? (status === "success" ? "success" : "error")}</Badge>;
}
