// What the document cannot read from a route's route() options, written down by hand. Keep it
// small: everything else comes from the routes' own zod schemas and `docs`.
//  - routes whose service validates the body itself (route() is given z.unknown()): the very
//    schema the service parses with;
//  - answers that are not JSON (file downloads, the position event stream);
//  - an API key that is optional on a public route.
import type { ZodType } from "zod";
import { templateInput, templatePatch } from "@/lib/messaging/templates";
import { CONTENT_TYPES } from "@/lib/exports/writers";
import type { Parameter, ResponseObject } from "@/lib/openapi/types";

export type ManualEntry = {
  /** the body schema when the route hands an unvalidated body to a service that parses it */
  body?: ZodType;
  /** query fields the handler reads itself */
  query?: ZodType;
  /** request headers the handler reads */
  headers?: Parameter[];
  /** the success answer when it is not JSON */
  success?: ResponseObject;
  /** more answers (status -> response) */
  responses?: Record<string, ResponseObject>;
  /** public, but an API key holding this scope may be sent instead (its own rate limit applies) */
  optionalScope?: string;
};

const binary = { type: "string", contentMediaType: "application/octet-stream" };
const file = (types: string[], description: string): ResponseObject => ({
  description,
  headers: {
    "Content-Disposition": { description: "attachment; filename=…", schema: { type: "string" } },
  },
  content: Object.fromEntries(types.map((t) => [t.split(";")[0], { schema: t.startsWith("application/json") ? {} : binary }])),
});
const gone: ResponseObject = {
  description: "The file has expired or was removed: run the export again",
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
};

export const MANUAL: Record<string, ManualEntry> = {
  "POST /api/v1/templates": { body: templateInput },
  "PATCH /api/v1/templates/{id}": { body: templatePatch },
  "GET /api/v1/exports/{id}/download": {
    success: file(Object.values(CONTENT_TYPES), "The export file (its format decides the media type)"),
    responses: { "410": gone },
  },
  "POST /api/v1/exports": {
    responses: {
      "200": file(Object.values(CONTENT_TYPES), "A small export: the file itself (also kept in the history; X-Export-Id names it)"),
    },
  },
  "GET /api/v1/suitedash/exports/{id}/download": {
    success: file(["text/csv; charset=utf-8"], "The SuiteDash import CSV"),
  },
  "GET /api/v1/tracking/stream": {
    headers: [
      {
        name: "Last-Event-ID",
        in: "header",
        required: false,
        description: "Sent by EventSource when it reconnects: the stream resumes after this event",
        schema: { type: "string" },
      },
    ],
    success: {
      description:
        "Server-Sent Events: a `ready` event, then one `position` event per posted position (id = its receive time in epoch ms; data = the position as JSON)",
      content: { "text/event-stream": { schema: { type: "string" } } },
    },
  },
  "POST /api/v1/contacts": { optionalScope: "contacts:write" },
};

/** Descriptions of the tags (the first path segment after /api/v1). */
export const TAG_DESCRIPTIONS: Record<string, string> = {
  alerts: "What needs a human: open alerts, resolving them",
  "api-keys": "API keys for the CRM, apps and website (admins, signed in)",
  audit: "The audit trail: who changed what, when, from where (admins)",
  calendar: "Google Calendar events kept in step with orders",
  calls: "RingCentral call log and click-to-call",
  contacts: "Website contact form submissions and their SuiteDash sync",
  email: "E-mail sends",
  erp: "1C ERP sync",
  exports: "Data exports (CSV, XLSX, PDF, JSON)",
  integrations: "Provider connections: credentials, tests, syncs, health",
  invites: "Accepting an invitation",
  jobs: "Sync jobs",
  logs: "Provider call logs (redacted)",
  me: "The signed-in user",
  meetings: "Zoom meetings",
  messages: "Messages on every channel, their status and batches",
  notify: "Ready-made notifications for orders and payments",
  openapi: "This document",
  overview: "Dashboard figures",
  payments: "Payments and refunds",
  push: "Push notifications and device tokens",
  sandbox: "The sandbox inbox (development and demo)",
  settings: "Organisation settings (admins)",
  sms: "SMS sends, status and one-time codes",
  suitedash: "SuiteDash import CSVs",
  telegram: "Telegram sends and account linking",
  templates: "Message templates",
  tracking: "Drivers' GPS positions, live stream and history",
  users: "Users and invitations",
  webhooks: "The inbound webhook inbox",
  whatsapp: "WhatsApp sends",
};
