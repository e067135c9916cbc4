// The Google Calendar provider against its sandbox, through the real @googleapis/calendar
// client: test connection, the account at connect, events.list paging and sync tokens in
// Google's wire format (410 fullSyncRequired), insert with our own id (409 duplicate), a 401
// retried once after a forced refresh, invalid_grant → needs reconnect, 5xx/429 retries and
// errors, push channels with Google's X-Goog-* headers, and the bearer never in the logs.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, testIntegration } from "@/lib/integrations/service";
import { OAuthReconnectError } from "@/lib/providers/types";
import {
  deleteEvent, getEvent, GoogleCalendarError, insertEvent, listCalendars, listEventsPage, patchEvent, stopChannel, watchEvents,
  type GCalContext,
} from "@/lib/providers/google-calendar/client";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";
import { google, googleCalendarIntegration, timed } from "@/tests/helpers/calendar";
import { scriptedServer } from "@/tests/helpers/scripted-server";
import { waitFor } from "@/tests/helpers/wait";
import { expectNothingMore, sandboxProbe, type IdleProbe } from "@/tests/helpers/quiet";

const ctxOf = async (id: string) => buildContext(await db.integration.findUniqueOrThrow({ where: { id } })) as GCalContext;
const oauth = (path: string, body: unknown) =>
  fetch(`${sandbox().url}/google-calendar/__oauth/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const stats = async (clientId: string) => (await (await fetch(`${sandbox().url}/google-calendar/__oauth/stats?client_id=${encodeURIComponent(clientId)}`)).json()) as { refresh: number };
const at = (h: number) => new Date(Date.UTC(2031, 4, 1, h));

describe("google calendar provider", () => {
  it("connects: the account is the primary calendar, test connection lists calendars, the bearer stays out of the logs", async () => {
    const { row, account } = await googleCalendarIntegration();
    const token = await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } });
    expect(token).toMatchObject({ accountId: account, status: "connected" });
    const r = await testIntegration(row.id, system);
    expect(r).toMatchObject({ ok: true, message: `Connected to Google Calendar as ${account}: 1 calendar; syncing ${account} (bidirectional, hourly)` });
    expect(r.details).toMatchObject({ calendars: [{ id: account, primary: true, accessRole: "owner" }] });
    const bearer = await (await ctxOf(row.id)).accessToken();
    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id, action: { startsWith: "google-calendar." } }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.action)).toEqual(expect.arrayContaining(["google-calendar.sandbox.registerClient", "google-calendar.calendars.get", "google-calendar.calendarList.list"]));
    const list = logs.find((l) => l.action === "google-calendar.calendarList.list")!;
    expect(list.url).toContain("/google-calendar/calendar/v3/users/me/calendarList");
    const dump = JSON.stringify(logs, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(dump).not.toContain(bearer);
    expect(dump).not.toMatch(/sbx_at_/);
  });

  it("a configured calendar that is not in the account's list fails the test", async () => {
    const { row } = await googleCalendarIntegration({ calendarId: "someone-else@example.test" });
    const r = await testIntegration(row.id, system);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/not in this account's calendar list/);
  });

  it("pages events.list: the same pass across pages, nextSyncToken only on the last page, then only changes (deletions as cancelled)", async () => {
    const { row, account } = await googleCalendarIntegration();
    const ctx = await ctxOf(row.id);
    const seeded = await google.seed(account, 5);
    const ids = [...seeded.ids].sort(); // pages come in id order
    const p1 = await listEventsPage(ctx, { calendarId: account, maxResults: 2 });
    expect(p1.items!.map((e) => e.id)).toEqual(ids.slice(0, 2));
    expect(p1.nextPageToken).toBeTruthy();
    expect(p1.nextSyncToken).toBeUndefined();
    // a change made while paging belongs to the next incremental pass, not to this one
    await google.patch(account, ids[4], { summary: "Renamed while paging" });
    const p2 = await listEventsPage(ctx, { calendarId: account, maxResults: 2, pageToken: p1.nextPageToken! });
    expect(p2.items!.map((e) => e.id)).toEqual(ids.slice(2, 4));
    expect(p2.nextPageToken).toBeUndefined();
    expect(p2.nextSyncToken).toBeTruthy();

    await google.remove(account, ids[0]);
    const created = await google.create(account, timed("Made in Google", at(9)));
    const inc = await listEventsPage(ctx, { calendarId: account, syncToken: p2.nextSyncToken! });
    const byId = Object.fromEntries((inc.items ?? []).map((e) => [e.id, e]));
    expect(Object.keys(byId).sort()).toEqual([ids[0], ids[4], created.id].sort());
    // a deleted event comes as little more than its id and status
    expect(byId[ids[0]]).toEqual({ kind: "calendar#event", etag: expect.any(String), id: ids[0], status: "cancelled", updated: expect.any(String) });
    expect(byId[ids[4]]).toMatchObject({ summary: "Renamed while paging", status: "confirmed" });
    expect(inc.nextSyncToken).toBeTruthy();
    // nothing changed since: an empty page with a token
    const again = await listEventsPage(ctx, { calendarId: account, syncToken: inc.nextSyncToken! });
    expect(again.items).toEqual([]);
    // Google's page size never exceeds 2500
    const big = await listEventsPage(ctx, { calendarId: account, maxResults: 9999 });
    expect(big.items!.length).toBe(5);
  });

  it("an invalidated sync token answers 410 fullSyncRequired in Google's format", async () => {
    const { row, account } = await googleCalendarIntegration();
    const ctx = await ctxOf(row.id);
    await google.seed(account, 1);
    const first = await listEventsPage(ctx, { calendarId: account });
    await google.invalidateSyncTokens(account);
    const err = await listEventsPage(ctx, { calendarId: account, syncToken: first.nextSyncToken! }).catch((e) => e);
    expect(err).toBeInstanceOf(GoogleCalendarError);
    expect(err).toMatchObject({ status: 410, reason: "fullSyncRequired", retryable: false });
    expect(err.message).toMatch(/Sync token is no longer valid, a full sync is required/);
    // the raw answer, as Google words it
    const bearer = await ctx.accessToken();
    const raw = await fetch(`${sandbox().url}/google-calendar/calendar/v3/calendars/${encodeURIComponent(account)}/events?syncToken=${encodeURIComponent(first.nextSyncToken!)}`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(raw.status).toBe(410);
    expect(await raw.json()).toMatchObject({
      error: { code: 410, message: "Sync token is no longer valid, a full sync is required.", errors: [{ reason: "fullSyncRequired" }] },
    });
  });

  it("inserts with our own id (a repeated insert is a 409 duplicate), patches with the etag, deletes (then 410 deleted)", async () => {
    const { row, account } = await googleCalendarIntegration();
    const ctx = await ctxOf(row.id);
    const id = "0123456789abcdef0123456789abcdef";
    const body = { id, ...timed("Transfer A-1", at(10)), attendees: [{ email: "Guest@Example.test", displayName: "Guest" }], reminders: { useDefault: false, overrides: [{ method: "popup", minutes: 15 }] } };
    const ev = await insertEvent(ctx, account, body);
    expect(ev).toMatchObject({ id, status: "confirmed", summary: "Transfer A-1", attendees: [{ email: "guest@example.test", displayName: "Guest", responseStatus: "needsAction" }] });
    expect(ev.etag).toMatch(/^"\d+"$/);
    // sendUpdates=all (the default): the guest got an invitation
    const inbox = (await (await fetch(`${sandbox().url}/__control/inbox?provider=google-calendar`)).json()) as { items: { to: string; summary: string }[] };
    expect(inbox.items.some((i) => i.to === "guest@example.test" && i.summary.startsWith("Invitation: Transfer A-1"))).toBe(true);

    const dup = await insertEvent(ctx, account, body).catch((e) => e);
    expect(dup).toMatchObject({ status: 409, reason: "duplicate" });
    const patched = await patchEvent(ctx, account, id, { summary: "Transfer A-1 (moved)" });
    expect(patched.etag).not.toBe(ev.etag);
    expect(patched.summary).toBe("Transfer A-1 (moved)");
    const badTimes = await patchEvent(ctx, account, id, { end: { dateTime: at(8).toISOString() } }).catch((e) => e);
    expect(badTimes).toMatchObject({ status: 400, reason: "timeRangeEmpty" });
    await deleteEvent(ctx, account, id);
    expect((await getEvent(ctx, account, id)).status).toBe("cancelled");
    const again = await deleteEvent(ctx, account, id).catch((e) => e);
    expect(again).toMatchObject({ status: 410, reason: "deleted" });
  });

  it("a 401 is retried once after a forced refresh", async () => {
    const { row, clientId } = await googleCalendarIntegration();
    // connecting ran the connection test (one calendarList call): count from here on
    const since = (await db.integrationLog.aggregate({ _max: { id: true }, where: { integrationId: row.id } }))._max.id ?? 0n;
    await oauth("expire-access", { clientId });
    const list = await listCalendars(await ctxOf(row.id));
    expect(list.items).toHaveLength(1);
    expect((await stats(clientId)).refresh).toBe(1);
    const calls = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "google-calendar.calendarList.list", id: { gt: since } }, orderBy: { id: "asc" } });
    expect(calls.map((c) => c.statusCode)).toEqual([401, 200]);
    expect((calls[0].response as { body: { error: { status: string } } }).body.error.status).toBe("UNAUTHENTICATED");
  });

  it("a revoked grant (invalid_grant on refresh) surfaces as needs-reconnect, not as a retry", async () => {
    const { row, clientId } = await googleCalendarIntegration();
    await oauth("revoke-grants", { clientId });
    const err = await listCalendars(await ctxOf(row.id)).catch((e) => e);
    expect(err).toBeInstanceOf(OAuthReconnectError);
    expect((await db.oAuthToken.findUniqueOrThrow({ where: { integrationId: row.id } })).status).toBe("needs_reconnect");
    const r = await testIntegration(row.id, system);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^Not connected: .*Connect the Google account/);
    // one refresh attempt, then no more calls to Google
    expect((await stats(clientId)).refresh).toBe(1);
  });

  it("retries a GET on 5xx and 429 (short Retry-After), and reports Google's error when it persists", async () => {
    const { row, account } = await googleCalendarIntegration();
    const ctx = await ctxOf(row.id);
    await fault({ provider: "google-calendar", path: "/calendar/v3/calendars/.*/events$", method: "GET", status: 503, times: 1 });
    await fault({ provider: "google-calendar", path: "/calendar/v3/calendars/.*/events$", method: "GET", status: 429, retryAfter: 1, times: 1 });
    const ok = await listEventsPage(ctx, { calendarId: account });
    expect(ok.nextSyncToken).toBeTruthy();
    const attempts = await db.integrationLog.findMany({ where: { integrationId: row.id, action: "google-calendar.events.list" }, orderBy: { id: "asc" } });
    expect(attempts.map((a) => a.statusCode)).toEqual([503, 429, 200]);

    await fault({ provider: "google-calendar", path: "/calendar/v3/calendars/.*/events$", method: "GET", status: 503, times: 3 });
    const err = await listEventsPage(ctx, { calendarId: account }).catch((e) => e);
    expect(err).toBeInstanceOf(GoogleCalendarError);
    expect(err).toMatchObject({ status: 503, reason: "backendError", retryable: true });
    expect(err.message).toMatch(/^Google Calendar had a server error \(HTTP 503, backendError\) on events\.list: The service is currently unavailable/);

    // a long Retry-After is not waited for: the 429 comes back at once
    await fault({ provider: "google-calendar", path: "/calendar/v3/calendars/.*/events$", method: "GET", status: 429, retryAfter: 120, times: 1 });
    const limited = await listEventsPage(ctx, { calendarId: account }).catch((e) => e);
    expect(limited).toMatchObject({ status: 429, retryable: true, retryAfterSeconds: 120 });
    expect(limited.message).toMatch(/^Google Calendar is rate limiting this account \(429, rateLimitExceeded\) on events\.list: retry in 120 s: Rate Limit Exceeded/);

    // a POST is not retried: the insert might have happened
    await fault({ provider: "google-calendar", path: "/events$", method: "POST", status: 500, times: 1 });
    const post = await insertEvent(ctx, account, timed("Once", at(11))).catch((e) => e);
    expect(post).toMatchObject({ status: 500 });
    expect(await db.integrationLog.count({ where: { integrationId: row.id, action: "google-calendar.events.insert" } })).toBe(1);
  });

  it("a timeout is a retryable error that names the call", async () => {
    const { row, account } = await googleCalendarIntegration();
    const ctx = await ctxOf(row.id);
    await fault({ provider: "google-calendar", path: "/events$", method: "GET", delayMs: 3500, status: 200, times: 3 });
    const err = await listEventsPage(ctx, { calendarId: account }).catch((e) => e);
    expect(err).toBeInstanceOf(GoogleCalendarError);
    expect(err).toMatchObject({ status: null, reason: "network", retryable: true });
    expect(err.message).toMatch(/^Google Calendar did not answer in time: google-calendar\.events\.list: no answer within 3000 ms/);
  }, 20_000);

  it("push channels: the sync message at creation and exists on changes, with Google's headers; stop ends them", async () => {
    const receiver = await scriptedServer();
    try {
      const { row, account } = await googleCalendarIntegration();
      const ctx = await ctxOf(row.id);
      const ch = await watchEvents(ctx, account, { id: "chan-1-" + row.id, token: "tok_" + "x".repeat(40), address: `${receiver.url}/hook`, ttlSeconds: 3600 });
      expect(ch).toMatchObject({ kind: "api#channel", id: "chan-1-" + row.id, resourceId: expect.any(String) });
      expect(Number(ch.expiration)).toBeGreaterThan(Date.now() + 3500_000);
      const first = await waitFor(async () => receiver.hits.find((h) => h.path === "/hook"));
      expect(first.headers).toMatchObject({
        "x-goog-channel-id": ch.id,
        "x-goog-channel-token": "tok_" + "x".repeat(40),
        "x-goog-resource-state": "sync",
        "x-goog-message-number": "1",
        "x-goog-resource-id": ch.resourceId,
      });
      expect(first.headers["x-goog-resource-uri"]).toContain(`/calendar/v3/calendars/${encodeURIComponent(account)}/events`);
      expect(Date.parse(String(first.headers["x-goog-channel-expiration"]))).toBeGreaterThan(Date.now());
      expect(first.body).toBe("");

      await google.create(account, timed("Ping", at(12)));
      const second = await waitFor(async () => receiver.hits.filter((h) => h.path === "/hook")[1]);
      expect(second.headers).toMatchObject({ "x-goog-resource-state": "exists", "x-goog-message-number": "2" });

      await stopChannel(ctx, ch.id!, ch.resourceId!);
      const unknown = await stopChannel(ctx, ch.id!, ch.resourceId!).catch((e) => e);
      expect(unknown).toMatchObject({ status: 404, reason: "notFound" });
      await google.create(account, timed("Nobody hears", at(13)));
      // the sandbox has nothing left to send: no request in flight, no push notification on its way
      const notifying: IdleProbe = {
        name: "google push notifications",
        busy: async () => {
          const { items } = await (await fetch(`${sandbox().url}/google-calendar/__control/deliveries`)).json();
          const open = items.filter((d: { status: number | null; error?: string }) => d.status === null && !d.error).length;
          return open ? `${open} on their way` : null;
        },
      };
      await expectNothingMore(() => expect(receiver.hits.filter((h) => h.path === "/hook")).toHaveLength(2), { probes: [sandboxProbe, notifying] });
    } finally {
      await receiver.close();
    }
  });

  it("the API refuses a bearer that is not a valid token, in Google's 401 format", async () => {
    const res = await fetch(`${sandbox().url}/google-calendar/calendar/v3/users/me/calendarList`, { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/invalid_token/);
    expect(await res.json()).toMatchObject({ error: { code: 401, status: "UNAUTHENTICATED", errors: [{ reason: "authError", location: "Authorization" }] } });
  });
});
