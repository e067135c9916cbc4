// API key scopes. A route names the scope an API key needs; sessions use roles instead.
export const SCOPES = {
  "integrations:read": "List integrations, their health and test results",
  "integrations:write": "Create, change, test, sync and delete integrations",
  "logs:read": "Read integration logs",
  "jobs:read": "Read sync jobs",
  "jobs:write": "Start and cancel sync jobs",
  "webhooks:read": "Read the webhook inbox",
  "webhooks:write": "Retry, replay and delete inbound webhook events",
  "messages:read": "Read messages and their delivery status",
  "messages:send": "Send SMS, WhatsApp, email, push and Telegram messages (OTP included)",
  "messages:bulk": "Bulk sends",
  "push:register": "Register push device tokens (mobile apps; a key bound to a driver registers only that driver's devices)",
  "templates:read": "Read and preview message templates",
  "payments:read": "Read payments, their status and refunds",
  "payments:write": "Create payments and payment links",
  "payments:refund": "Refund payments",
  "tracking:read": "Read drivers' live positions, the position stream and route history",
  "tracking:write": "Post GPS positions (a key bound to a driver posts only that driver's)",
  "exports:read": "Read export jobs and download their files",
  "exports:write": "Start data exports",
  "contacts:read": "Read contact form submissions and their SuiteDash sync status",
  "contacts:write": "Submit contact forms (the website's backend)",
  "calendar:read": "Read calendar events and Zoom meetings",
  "calendar:write": "Create, change and delete calendar events and Zoom meetings",
  "calls:read": "Read the call log",
  "calls:write": "Start calls (RingOut)",
  "erp:read": "Read 1C sync status and logs",
  "erp:write": "Sync entities to 1C",
  "alerts:read": "Read alerts",
  "alerts:write": "Resolve alerts",
  "audit:read": "Read the audit trail",
} as const;

export type Scope = keyof typeof SCOPES;
export const SCOPE_NAMES = Object.keys(SCOPES) as Scope[];

export function isScope(s: string): s is Scope {
  return s in SCOPES;
}
