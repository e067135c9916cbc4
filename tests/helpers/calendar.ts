// Google Calendar test helpers: a connected integration (its own sandbox account, so tests do
// not see each other's calendars) and the sandbox's control routes (a person working in Google
// Calendar, call counts, push channels and deliveries).
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { createIntegration, type CreateIntegrationInput } from "@/lib/integrations/service";
import { connectOAuth } from "./oauth";
import { sandbox, system } from "./fixtures";
import { waitFor } from "./wait";

let n = 0;

/** A sandbox Google Calendar integration connected as a fresh account (frequency hourly unless given: no push channel). */
export async function googleCalendarIntegration(config: Record<string, unknown> = {}, opts: { connect?: boolean; overrides?: Partial<CreateIntegrationInput> } = {}) {
  n++;
  const account = `cal${n}-${randomBytes(4).toString("hex")}@example.test`;
  const clientId = `${randomBytes(6).toString("hex")}-${n}.apps.googleusercontent.com`;
  const clientSecret = `GOCSPX-${randomBytes(12).toString("hex")}`;
  const row = await createIntegration(
    {
      provider: "google-calendar",
      name: `Google Calendar ${n}`,
      mode: "sandbox",
      credentials: { clientId, clientSecret },
      config: { frequency: "hourly", ...config },
      ...opts.overrides,
    },
    system,
  );
  const connected = opts.connect === false ? null : await connectOAuth(row.id, { account });
  if (connected && !connected.ok) throw new Error(`connect failed: ${connected.message}`);
  return { row, account, clientId, clientSecret, admin: connected?.admin };
}

async function control<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sandbox().url}/google-calendar/__control${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox control ${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const cal = (id: string) => `/calendars/${encodeURIComponent(id)}`;

export type SandboxEvent = { id: string; status: string; summary?: string; etag: string; updated: string; start: { dateTime?: string; date?: string }; end: { dateTime?: string; date?: string }; attendees?: { email: string; displayName?: string }[]; reminders?: { useDefault: boolean; overrides?: { method: string; minutes: number }[] }; description?: string; location?: string };

/** The sandbox Google Calendar, as a person (and a test) sees it. */
export const google = {
  events: async (calendarId: string, opts: { showDeleted?: boolean } = {}) =>
    (await control<{ items: SandboxEvent[] }>("GET", `${cal(calendarId)}/events${opts.showDeleted ? "?showDeleted=true" : ""}`)).items,
  event: (calendarId: string, id: string) => control<SandboxEvent>("GET", `${cal(calendarId)}/events/${id}`),
  create: (calendarId: string, body: Record<string, unknown>) => control<SandboxEvent>("POST", `${cal(calendarId)}/events`, body),
  patch: (calendarId: string, id: string, body: Record<string, unknown>) => control<SandboxEvent>("PATCH", `${cal(calendarId)}/events/${id}`, body),
  remove: (calendarId: string, id: string) => control<void>("DELETE", `${cal(calendarId)}/events/${id}`),
  seed: (calendarId: string, count: number, prefix = "Seeded event") => control<{ created: number; ids: string[] }>("POST", `${cal(calendarId)}/seed`, { count, prefix }),
  invalidateSyncTokens: (calendarId: string) => control("POST", `${cal(calendarId)}/invalidate-sync-tokens`),
  /** the next `times` events.list calls for a later page (with a pageToken) fail with `status` */
  failPages: (calendarId: string, status: number, times: number, retryAfter?: number) => control<void>("POST", `${cal(calendarId)}/page-faults`, { status, times, retryAfter }),
  calls: (account: string) => control<{ total: number; byMethod: Record<string, number> }>("GET", `/calls?account=${encodeURIComponent(account)}`),
  resetCalls: (account: string) => control<void>("POST", "/calls/reset", { account }),
  channels: async (calendarId: string) =>
    (await control<{ items: { id: string; calendarId: string; address: string; resourceId: string; expiration: number; stopped: boolean; messageNumber: number }[] }>("GET", `/channels?calendar=${encodeURIComponent(calendarId)}`)).items,
  deliveries: async (channelId: string) =>
    (await control<{ items: { channelId: string; state: string; messageNumber: number; status: number | null; error?: string }[] }>("GET", `/deliveries?channel=${encodeURIComponent(channelId)}`)).items,
};

/** An event body for the sandbox: an hour from `at`. */
export function timed(summary: string, at: Date, extra: Record<string, unknown> = {}) {
  return { summary, start: { dateTime: at.toISOString() }, end: { dateTime: new Date(at.getTime() + 3600_000).toISOString() }, ...extra };
}

/** Waits until the integration has no queued or running sync job. */
export async function settled(integrationId: string, timeoutMs = 20_000) {
  await waitFor(async () => (await db.syncJob.count({ where: { integrationId, status: { in: ["queued", "running"] } } })) === 0, timeoutMs, "sync jobs to settle");
}

/** Runs the integration's queued sync job (or a new one) in this process, as a worker would: the finished job. */
export async function runSync(integrationId: string) {
  const { requestSync, runSyncJob } = await import("@/lib/jobs/sync");
  const queued = await db.syncJob.findFirst({ where: { integrationId, status: "queued" }, orderBy: { createdAt: "asc" } });
  const job = queued ?? (await requestSync(integrationId, { trigger: "manual", actor: system.actor }));
  await runSyncJob(job.id, { cancelPollMs: 200 });
  const done = await db.syncJob.findUniqueOrThrow({ where: { id: job.id } });
  return { ...done, sync: done.details as unknown as import("@/lib/calendar/sync").SyncDetails };
}
