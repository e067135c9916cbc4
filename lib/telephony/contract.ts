// The calls API's answers (issue 17: one shape, written once): zod only (no database), so the
// routes declare them as their responses (the OpenAPI document shows real bodies, the tests
// check every answer against them) and the call screens import their types (components/calls).
import { z } from "zod";
import { replayed, timestamp } from "@/lib/contract";

const integrationMode = z.enum(["live", "sandbox"]);

/** A call as the call log shows it (lib/telephony/calls.ts serialize): never RingCentral's raw record. */
export const callItem = z.object({
  id: z.string(),
  integrationId: z.string(),
  /** the call-log record id, "ringout:<id>" for a RingOut before its record arrives, "pending:<id>" while it is asked for */
  externalId: z.string(),
  ringOutId: z.string().nullable(),
  sessionId: z.string().nullable(),
  source: z.enum(["call_log", "ringout"]),
  direction: z.enum(["Inbound", "Outbound"]),
  fromNumber: z.string().nullable(),
  fromName: z.string().nullable(),
  toNumber: z.string().nullable(),
  toName: z.string().nullable(),
  contact: z.object({ id: z.string(), name: z.string() }).nullable(),
  driver: z.object({ id: z.string(), name: z.string() }).nullable(),
  startedAt: timestamp,
  durationSeconds: z.number().int().nullable(),
  /** the provider's words: "Call connected", "Missed", "Voicemail" … */
  result: z.string().nullable(),
  /** a RingOut's status: Starting, InProgress, Success, Busy, NoAnswer … */
  callStatus: z.string().nullable(),
  action: z.string().nullable(),
  recordingUrl: z.string().nullable(),
  /** a RingOut still ringing or connected */
  live: z.boolean(),
  /** the user who started a RingOut here */
  requestedById: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type CallItem = z.infer<typeof callItem>;

/** GET /calls: newest first, keyset pages; the first page also counts the results the log holds (the filter's choices) */
export const callList = z.object({
  items: z.array(callItem),
  nextCursor: z.string().nullable(),
  facets: z.object({ results: z.array(z.object({ result: z.string(), count: z.number().int() })) }).optional(),
});
export type CallList = z.infer<typeof callList>;

/** GET /calls/:id: `refreshError` says why RingCentral could not be asked about a ringing call */
export const callDetail = callItem.extend({ refreshError: z.string().nullable() });
export type CallDetail = z.infer<typeof callDetail>;

/** POST /calls/ringout: the call with RingCentral's status */
export const ringOutAnswer = callItem.extend(replayed);
export type RingOutAnswer = z.infer<typeof ringOutAnswer>;

/** A RingCentral integration calls go through, without anything secret. */
export const line = z.object({
  id: z.string(),
  name: z.string(),
  code: z.string(),
  mode: integrationMode,
  status: z.enum(["active", "inactive", "error", "testing"]),
  enabled: z.boolean(),
  /** the phone RingCentral rings first */
  fromNumber: z.string().nullable(),
  connected: z.boolean(),
  needsReconnect: z.boolean(),
  account: z.string().nullable(),
  autoSync: z.boolean(),
  syncIntervalMinutes: z.number().int().nullable(),
  lastSyncAt: timestamp.nullable(),
  lastSync: z
    .object({
      id: z.string(),
      integrationId: z.string(),
      status: z.string(),
      error: z.string().nullable(),
      createdAt: timestamp,
      finishedAt: timestamp.nullable(),
      processed: z.number().int(),
      created: z.number().int(),
    })
    .nullable(),
  /** RingCentral's push subscription for call events */
  subscription: z.object({ status: z.string().nullable(), expiresAt: z.string().nullable(), lastError: z.string().nullable() }).nullable(),
});
export type Line = z.infer<typeof line>;
export const lineList = z.object({ items: z.array(line) });
export type LineList = z.infer<typeof lineList>;

/** GET /calls/directory: drivers and contacts with a phone number */
export const callDirectory = z.object({
  drivers: z.array(z.object({ id: z.string(), name: z.string(), phone: z.string(), status: z.enum(["active", "off_duty", "inactive"]) })),
  contacts: z.array(z.object({ id: z.string(), name: z.string(), phone: z.string(), company: z.string().nullable() })),
});
export type Directory = z.infer<typeof callDirectory>;
