// The Calendar page in a browser, against the Google Calendar sandbox. An admin connects a
// Google account (Connect → the sandbox's consent page → Allow), the first full sync runs;
// they create an event with an attendee and a reminder in the dashboard and it is in the
// sandbox's Google calendar (checked through its control API); a person adds an event "in
// Google" and it appears after "Sync now"; editing and deleting here reach Google too. A viewer
// sees the events but cannot change them.
import { randomBytes } from "node:crypto";
import { test, expect, signInAs } from "./fixtures";
import { RAW, requestsDuring } from "./requests";

test.describe.configure({ mode: "serial" });

const tag = randomBytes(3).toString("hex");
const ACCOUNT = `calendar-e2e-${tag}@acme.test`;
const INTEGRATION = `Dispatch calendar ${tag}`;
const TITLE = `Airport pickup ${tag}`;
const GOOGLE_TITLE = `Booked in Google ${tag}`;

/** tomorrow at the hour, local time: the datetime-local value and the instant */
function tomorrowAt(hour: number) {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(hour, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, "0");
  return { input: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hour)}:00`, iso: d.toISOString() };
}

type SandboxEvent = { id: string; summary?: string; status: string; location?: string; start: { dateTime?: string }; attendees?: unknown[]; reminders?: unknown };

test("an event made in the dashboard lands in Google, and one made in Google arrives after Sync now", async ({ page, s }) => {
  test.setTimeout(120_000);
  const googleEvents = async (showDeleted = false) => {
    const r = await page.request.get(`${s.sandboxUrl}/google-calendar/__control/calendars/${encodeURIComponent(ACCOUNT)}/events${showDeleted ? "?showDeleted=true" : ""}`);
    expect(r.ok()).toBe(true);
    return ((await r.json()) as { items: SandboxEvent[] }).items;
  };

  await signInAs(page, "admin");
  // ── connect: the integration, then Connect on its page and Allow on Google's (sandbox) consent page ──
  const created = await page.request.post("/api/v1/integrations", {
    data: {
      provider: "google-calendar",
      name: INTEGRATION,
      mode: "sandbox",
      credentials: { clientId: `e2e-calendar-${tag}.apps.googleusercontent.com`, clientSecret: `GOCSPX-e2e-${tag}-secret` },
      // hourly: no push channel, so the Google-side event arrives only when someone syncs
      config: { frequency: "hourly", direction: "bidirectional" },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const integration = (await created.json()) as { id: string };
  await page.goto(`/integrations/${integration.id}`);
  const card = page.getByTestId("oauth-card");
  await card.getByRole("link", { name: "Connect Google Calendar" }).click();
  await expect(page.getByRole("heading", { name: /wants to access your Google/ })).toBeVisible();
  await page.getByLabel("Email").fill(ACCOUNT);
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(card.getByTestId("oauth-status")).toHaveText("Connected");

  // ── the Calendar page: connected, the first sync done ──
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calendar" }).click();
  await expect(page.getByRole("heading", { name: "Calendar", level: 1 })).toBeVisible();
  await page.getByLabel("Calendar integration").selectOption({ label: `${INTEGRATION} (sandbox)` });
  const status = page.getByTestId("calendar-sync-status");
  await expect(status.getByTestId("calendar-connection")).toHaveText("Connected");
  await expect(status).toContainText(`calendar ${ACCOUNT}`);
  await expect(status.getByTestId("calendar-sync-token")).toContainText("Stored: next sync is incremental", { timeout: 30_000 });
  await expect(status.getByTestId("calendar-channel")).toHaveText("Not used");
  // a scheduled time is ahead, or due: never "ago"
  await expect(status.locator("dt", { hasText: "Next scheduled sync" }).locator("xpath=following-sibling::dd[1]")).not.toContainText(/ago/);
  await expect(page.getByText(/^No events in the next 30 days/)).toBeVisible();

  // ── a person creates an event here ──
  const start = tomorrowAt(10);
  const end = tomorrowAt(11);
  await page.getByRole("button", { name: "New event" }).click();
  const dialog = page.getByRole("dialog", { name: "New event" });
  // checked in the browser with the API's own rules before anything is sent: no title, no start,
  // a time zone that does not exist, an attendee without an address: every message at once
  const sent = await requestsDuring(page, async () => {
    await dialog.getByLabel("Start", { exact: true }).fill("");
    await dialog.getByLabel("Time zone", { exact: true }).fill("Mars/Olympus_Mons");
    await dialog.getByRole("button", { name: "Add attendee" }).click();
    await dialog.getByLabel("Attendee 1 e-mail").fill("driver");
    await dialog.getByRole("button", { name: "Create event" }).click();
    await expect(dialog.locator("#ev-title-error")).toHaveText("Give the event a title");
    await expect(dialog.locator("#ev-start-error")).toHaveText("Give the start date and time");
    await expect(dialog.locator("#ev-timeZone-error")).toHaveText("An IANA time zone such as Europe/Moscow");
    await expect(dialog.locator("#ev-attendees-0-email-error")).toHaveText("Enter a valid e-mail address");
    await expect(dialog.getByLabel("Title", { exact: true })).toBeFocused();
    // an end before its start is named at the end
    await dialog.getByLabel("Title", { exact: true }).fill(TITLE);
    await dialog.getByLabel("Start", { exact: true }).fill(end.input);
    await dialog.getByLabel("End", { exact: true }).fill(start.input);
    await dialog.getByRole("button", { name: "Create event" }).click();
    await expect(dialog.locator("#ev-end-error")).toHaveText("The event must end after it starts");
    await expect(dialog.locator("#ev-title-error")).toHaveCount(0);
  });
  expect(sent).toEqual([]);
  for (const t of await dialog.locator("[id$='-error']").allTextContents()) expect(t).not.toMatch(RAW);
  await dialog.getByRole("button", { name: "Remove attendee 1" }).click();
  await dialog.getByLabel("Title", { exact: true }).fill(TITLE);
  await dialog.getByLabel("Start", { exact: true }).fill(start.input);
  await dialog.getByLabel("End", { exact: true }).fill(end.input);
  await dialog.getByLabel("Time zone", { exact: true }).fill("Europe/Moscow");
  await dialog.getByLabel("Location", { exact: true }).fill("Sheremetyevo, terminal B");
  await dialog.getByRole("button", { name: "Add attendee" }).click();
  await dialog.getByLabel("Attendee 1 e-mail").fill("driver@e2e.test");
  await dialog.getByLabel("Attendee 1 name").fill("Olga Driver");
  await dialog.getByRole("checkbox", { name: "Use the calendar's default reminders" }).click();
  await dialog.getByRole("button", { name: "Add reminder" }).click();
  await dialog.getByLabel("Reminder 1 minutes before").fill("45");
  await dialog.getByRole("button", { name: "Create event" }).click();
  await expect(page.getByText(`Created “${TITLE}” in Google Calendar`)).toBeVisible();
  await expect(dialog).toBeHidden();
  const mine = page.getByTestId("calendar-event").filter({ hasText: TITLE });
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText("From the CRM");
  await expect(mine).toContainText("In Google");
  await expect(mine).toContainText("1 attendee");

  // … and it is in the Google calendar, with the attendee and the reminder
  const inGoogle = (await googleEvents()).find((e) => e.summary === TITLE);
  expect(inGoogle).toMatchObject({
    status: "confirmed",
    location: "Sheremetyevo, terminal B",
    attendees: [{ email: "driver@e2e.test", displayName: "Olga Driver" }],
    reminders: { useDefault: false, overrides: [{ method: "popup", minutes: 45 }] },
  });
  expect(Date.parse(inGoogle!.start.dateTime!)).toBe(Date.parse(start.iso));

  // ── a person adds an event in Google Calendar: it arrives with "Sync now" ──
  const g = await page.request.post(`${s.sandboxUrl}/google-calendar/__control/calendars/${encodeURIComponent(ACCOUNT)}/events`, {
    data: { summary: GOOGLE_TITLE, start: { dateTime: tomorrowAt(14).iso }, end: { dateTime: tomorrowAt(15).iso } },
  });
  expect(g.status()).toBe(201);
  const fromGoogle = page.getByTestId("calendar-event").filter({ hasText: GOOGLE_TITLE });
  await expect(fromGoogle).toHaveCount(0);
  await status.getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByText("Sync started")).toBeVisible();
  await expect(fromGoogle).toHaveCount(1, { timeout: 30_000 });
  await expect(fromGoogle).toContainText("From Google");
  await expect(status.getByTestId("calendar-last-job")).toContainText("completed");

  // ── editing here changes it in Google ──
  await mine.getByRole("button", { name: `Edit ${TITLE}` }).click();
  const edit = page.getByRole("dialog", { name: "Edit event" });
  await expect(edit.getByLabel("Title", { exact: true })).toHaveValue(TITLE);
  await expect(edit.getByLabel("Attendee 1 e-mail")).toHaveValue("driver@e2e.test");
  await edit.getByLabel("Title", { exact: true }).fill(`${TITLE} (moved)`);
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(`Saved “${TITLE} (moved)” in Google Calendar`)).toBeVisible();
  expect((await googleEvents()).map((e) => e.summary)).toContain(`${TITLE} (moved)`);

  // ── deleting the Google-made event here deletes it in Google ──
  await fromGoogle.getByRole("button", { name: `Delete ${GOOGLE_TITLE}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete event" }).click();
  await expect(page.getByText(`Deleted “${GOOGLE_TITLE}” here and in Google Calendar`)).toBeVisible();
  await expect(fromGoogle).toHaveCount(0);
  expect((await googleEvents(true)).find((e) => e.summary === GOOGLE_TITLE)?.status).toBe("cancelled");

  // ── the integration's own page after connecting and syncing: one story, in words ──
  await page.goto(`/integrations/${integration.id}`);
  await expect(page.getByTestId("oauth-card").getByTestId("oauth-status")).toHaveText("Connected");
  await expect(page.getByTestId("test-result")).toContainText("Connection test passed");
  await expect(page.getByText("Connection test failed")).toHaveCount(0);
  const reported = page.getByTestId("provider-state");
  await expect(reported).toContainText(ACCOUNT);
  await expect(page.getByRole("main")).not.toContainText(/calendarResume|calendarSchedule|: null\b|\[object Object\]/);
  const next = page.locator("dt", { hasText: "Next sync" }).locator("xpath=following-sibling::dd[1]");
  if (await next.count()) await expect(next).not.toContainText(/ago/);
});

test("a viewer sees the calendar's events and sync state but cannot change them", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/calendar");
  await expect(page.getByRole("heading", { name: "Calendar", level: 1 })).toBeVisible();
  await page.getByLabel("Calendar integration").selectOption({ label: `${INTEGRATION} (sandbox)` });
  await expect(page.getByTestId("calendar-sync-status").getByTestId("calendar-connection")).toHaveText("Connected");
  await expect(page.getByTestId("calendar-event").filter({ hasText: `${TITLE} (moved)` })).toHaveCount(1);
  await expect(page.getByRole("button", { name: "New event" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Sync now" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Edit / })).toHaveCount(0);
  // and the API refuses them too
  const refused = await page.request.post("/api/v1/calendar/google/events", { data: { title: "Not allowed", start: tomorrowAt(9).iso } });
  expect(refused.status()).toBe(403);
});
