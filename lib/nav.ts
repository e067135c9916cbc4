// The sidebar: every screen, the permission it needs (checked again on the server).
import type { Permission } from "@/lib/auth/roles";

export type NavItem = { href: string; label: string; icon: string; permission: Permission };

export const NAV: NavItem[] = [
  { href: "/", label: "Overview", icon: "gauge", permission: "overview.read" },
  { href: "/integrations", label: "Integrations", icon: "plug", permission: "integrations.read" },
  { href: "/logs", label: "Logs", icon: "scroll", permission: "logs.read" },
  { href: "/webhooks", label: "Webhooks", icon: "webhook", permission: "webhooks.read" },
  { href: "/jobs", label: "Jobs", icon: "refresh", permission: "jobs.read" },
  { href: "/messages", label: "Messages", icon: "message", permission: "messages.read" },
  { href: "/messages/templates", label: "Templates", icon: "template", permission: "messages.read" },
  { href: "/payments", label: "Payments", icon: "payments", permission: "payments.read" },
  { href: "/map", label: "Map", icon: "map", permission: "tracking.read" },
  { href: "/exports", label: "Exports", icon: "download", permission: "exports.read" },
  { href: "/contacts", label: "Contacts", icon: "contacts", permission: "contacts.read" },
  { href: "/calendar", label: "Calendar", icon: "calendar", permission: "calendar.read" },
  { href: "/meetings", label: "Meetings", icon: "video", permission: "calendar.read" },
  { href: "/calls", label: "Calls", icon: "phone", permission: "calls.read" },
  { href: "/erp", label: "1C sync", icon: "database", permission: "erp.read" },
  { href: "/telegram", label: "Telegram", icon: "send", permission: "telegram.link" },
  { href: "/alerts", label: "Alerts", icon: "bell", permission: "alerts.read" },
  { href: "/sandbox", label: "Sandbox inbox", icon: "inbox", permission: "sandbox.read" },
  { href: "/users", label: "Users", icon: "users", permission: "users.manage" },
  { href: "/api-keys", label: "API keys", icon: "key", permission: "apikeys.manage" },
  { href: "/audit", label: "Audit trail", icon: "history", permission: "audit.read" },
  { href: "/settings", label: "Settings", icon: "settings", permission: "settings.manage" },
  { href: "/docs", label: "API docs", icon: "book", permission: "docs.read" },
];
