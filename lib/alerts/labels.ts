// The alert rules and severities by name: shared by the server (lib/alerts) and the Alerts page.
export const ALERT_RULES = ["integration_error", "needs_reconnect", "send_failures", "webhook_failed", "payment_failed", "export_failed", "subscription_past_due"] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
export const ALERT_SEVERITIES = ["critical", "warning"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const RULE_LABELS: Record<AlertRule, string> = {
  integration_error: "Integration in error",
  needs_reconnect: "Needs reconnect",
  send_failures: "Repeated send failures",
  webhook_failed: "Webhook failures",
  payment_failed: "Failed payments",
  export_failed: "Export failures",
  subscription_past_due: "Subscription renewal failed",
};
