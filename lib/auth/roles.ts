// Roles and what each may do. Pages and routes check permissions on the server; the
// sidebar uses the same table only to hide what a role cannot open.
export const ROLES = ["admin", "dispatcher", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  dispatcher: "Dispatcher",
  viewer: "Viewer",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: "Everything: integrations and their credentials, users, API keys",
  dispatcher: "Operations: watch integrations and logs, run tests and syncs",
  viewer: "Read-only: dashboards, integration health, logs and jobs",
};

const ALL: readonly Role[] = ROLES;
const OPS: readonly Role[] = ["admin", "dispatcher"];
const ADMIN: readonly Role[] = ["admin"];

export const PERMISSIONS = {
  "overview.read": ALL,
  "integrations.read": ALL,
  "integrations.write": ADMIN,
  "integrations.credentials": ADMIN,
  "integrations.test": OPS,
  "logs.read": ALL,
  "jobs.read": ALL,
  "jobs.run": OPS,
  "webhooks.read": ALL,
  /** retry, replay and delete inbound events: they re-run side effects */
  "webhooks.manage": ADMIN,
  "messages.read": ALL,
  /** send messages and test sends; bulk sends and templates are admin work */
  "messages.send": OPS,
  "messages.bulk": ADMIN,
  "templates.manage": ADMIN,
  /** link one's own Telegram account to the bot */
  "telegram.link": ALL,
  "sandbox.read": ALL,
  "payments.read": ALL,
  /** create payment links; refunds move money back and are admin work */
  "payments.create": OPS,
  "payments.refund": ADMIN,
  /** the live map and route replay (read-only for everyone: positions come from devices) */
  "tracking.read": ALL,
  /** download and run data exports (everyone reads; files hold business data) */
  "exports.read": ALL,
  "exports.create": OPS,
  /** website contact submissions and their SuiteDash sync */
  "contacts.read": ALL,
  "contacts.manage": OPS,
  /** SuiteDash Import-mode CSVs (generate, download, mark as imported) */
  "suitedash.manage": ADMIN,
  /** Google Calendar events and Zoom meetings: everyone reads, operations change them */
  "calendar.read": ALL,
  "calendar.write": OPS,
  /** RingCentral call log; click-to-call and SMS through RingCentral */
  "calls.read": ALL,
  "calls.make": OPS,
  /** 1C ERP sync status and logs; starting a sync */
  "erp.read": ALL,
  "erp.sync": OPS,
  /** alerts: everyone sees the open ones; operations resolve them */
  "alerts.read": ALL,
  "alerts.manage": OPS,
  /** the audit trail: who changed what, from where */
  "audit.read": ADMIN,
  /** the API documentation page */
  "docs.read": ALL,
  "users.manage": ADMIN,
  "apikeys.manage": ADMIN,
  "settings.manage": ADMIN,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | undefined | null, permission: Permission): boolean {
  return !!role && (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
