// Zoom meetings through the browser, against the Zoom sandbox. An admin creates a Zoom
// integration in sandbox mode through the integration form (the Server-to-Server app's
// Account ID, Client ID, Client Secret and webhook Secret Token), tests it, creates a meeting on
// /meetings, sees and copies its join link, and deletes it after confirming. A viewer sees the
// meetings but no "New meeting", no start link and no delete.
import { test, expect, signInAs } from "./fixtures";
import { randomAlnum } from "../helpers/random";
import { RAW, requestsDuring } from "./requests";

test.describe.configure({ mode: "serial" });

const TOPIC = `E2E transfer briefing ${Math.floor(Math.random() * 9000) + 1000}`;
const INTEGRATION = `Zoom E2E ${Math.floor(Math.random() * 9000) + 1000}`;

test("an admin connects Zoom in sandbox mode, creates a meeting, sees its join link and deletes it", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "admin");

  // ── the integration, through the form ──
  await page.goto("/integrations/new?provider=zoom");
  await expect(page.getByRole("heading", { name: "New Zoom integration" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(INTEGRATION);
  await expect(page.getByRole("radio", { name: /Sandbox/ })).toBeChecked();
  // a malformed id is refused next to its field
  await page.getByLabel("Account ID", { exact: true }).fill("no");
  await page.getByLabel("Client ID", { exact: true }).fill(randomAlnum(22));
  await page.getByLabel("Client Secret", { exact: true }).fill(randomAlnum(32));
  await page.getByLabel("Webhook Secret Token (optional)").fill(randomAlnum(22));
  await page.getByRole("button", { name: "Create integration" }).click();
  await expect(page.getByText(/The Account ID is 8–64 letters/)).toBeVisible();
  await page.getByLabel("Account ID", { exact: true }).fill(randomAlnum(22));
  await page.getByRole("button", { name: "Create integration" }).click();

  await expect(page.getByRole("heading", { name: INTEGRATION })).toBeVisible();
  await expect(page.getByText("Sandbox mode").first()).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connected to Zoom; meetings are hosted by");

  // ── a meeting ──
  await page.goto("/meetings");
  await expect(page.getByRole("heading", { name: "Meetings", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "New meeting" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New meeting" });
  await expect(dialog).toBeVisible();
  // checked in the browser with the API's own rules before anything is sent: no topic, no start,
  // a daily meeting every 120 days with no end: every field's message at once, the first focused
  const sent = await requestsDuring(page, async () => {
    await dialog.getByLabel("Starts").fill("");
    await dialog.getByRole("checkbox", { name: "Recurring meeting" }).click();
    await dialog.getByLabel("Repeats").selectOption("daily");
    await dialog.getByLabel("Every").fill("120");
    await dialog.getByLabel("Ends", { exact: true }).selectOption("on");
    await dialog.getByRole("button", { name: "Create meeting" }).click();
    await expect(dialog.locator("#mt-topic-error")).toHaveText("Give the meeting a topic");
    await expect(dialog.locator("#mt-start-error")).toHaveText("Give the start date and time");
    await expect(dialog.locator("#mt-interval-error")).toHaveText("At most 99 for a daily meeting");
    await expect(dialog.locator("#mt-ends-error")).toHaveText("Say when it ends: after a number of meetings (1–60) or on a date, one of them");
    await expect(dialog.getByLabel("Last day")).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.getByLabel("Topic")).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.getByLabel("Topic")).toBeFocused();
  });
  expect(sent).toEqual([]);
  for (const t of await dialog.locator("[id$='-error']").allTextContents()) expect(t).not.toMatch(RAW);
  await dialog.getByRole("checkbox", { name: "Recurring meeting" }).click();

  await dialog.getByLabel("Topic").fill(TOPIC);
  await dialog.getByLabel("Starts").fill("2030-05-04T09:30");
  await dialog.getByLabel("Duration").selectOption("45");
  await dialog.getByLabel("Time zone").selectOption("Europe/Moscow");
  await dialog.getByLabel("Agenda").fill("Pickup at terminal B");
  await dialog.getByRole("button", { name: "Create meeting" }).click();

  await expect(page.getByText(`Meeting "${TOPIC}" created`)).toBeVisible();
  const created = dialog.getByTestId("meeting-created");
  await expect(created).toContainText("Europe/Moscow");
  const joinField = created.getByLabel("Join link", { exact: true });
  await expect(joinField).toHaveValue(/\/zoom\/j\/\d+\?pwd=/);
  const joinUrl = await joinField.inputValue();
  await expect(created.getByRole("button", { name: "Copy join link" })).toBeVisible();
  await created.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();

  // ── in the list ──
  const table = page.getByRole("table", { name: "Zoom meetings" });
  const row = table.getByRole("row").filter({ hasText: TOPIC });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("45 min");
  await expect(row).toContainText("Scheduled");
  await expect(row).toContainText("Europe/Moscow");
  await expect(row.getByRole("link", { name: `Join ${TOPIC}` })).toHaveAttribute("href", joinUrl);
  await expect(row.getByRole("button", { name: `Copy the join link of ${TOPIC}` })).toBeVisible();
  await expect(row.getByRole("button", { name: `Recordings of ${TOPIC}: 0` })).toBeVisible();
  // the join link opens the sandbox's meeting page
  const joined = await page.request.get(joinUrl);
  expect(joined.status()).toBe(200);
  expect(await joined.text()).toContain(TOPIC);
  // the list API: the join link and the passcode masked
  const listed = await (await page.request.get("/api/v1/meetings")).json();
  const item = listed.items.find((m: { topic: string }) => m.topic === TOPIC);
  expect(item).toMatchObject({ joinUrl, status: "scheduled", password: { set: true, masked: "••••••" } });
});

test("a viewer sees the meeting and its join link, but cannot create, start or delete", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/meetings");
  const row = page.getByRole("table", { name: "Zoom meetings" }).getByRole("row").filter({ hasText: TOPIC });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("link", { name: `Join ${TOPIC}` })).toBeVisible();
  await expect(page.getByRole("button", { name: "New meeting" })).toHaveCount(0);
  await expect(row.getByRole("button", { name: `Delete ${TOPIC}` })).toHaveCount(0);
  await expect(row.getByRole("button", { name: `Start ${TOPIC} as host` })).toHaveCount(0);
  const id = (await row.getAttribute("data-testid"))!.replace(/^meeting-/, "");
  const one = await (await page.request.get(`/api/v1/meetings/${id}`)).json();
  expect(one.startUrl).toBeUndefined();
  expect(one.password.value).toBeUndefined();
  expect((await page.request.delete(`/api/v1/meetings/${id}`)).status()).toBe(403);
});

test("the admin deletes the meeting after confirming", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/meetings");
  const table = page.getByRole("table", { name: "Zoom meetings" });
  const row = table.getByRole("row").filter({ hasText: TOPIC });
  await expect(row).toHaveCount(1);

  await row.getByRole("button", { name: `Delete ${TOPIC}` }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete this meeting?" });
  await expect(confirm).toContainText(TOPIC);
  // changing one's mind keeps it
  await confirm.getByRole("button", { name: "Keep it" }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toHaveCount(1);

  await row.getByRole("button", { name: `Delete ${TOPIC}` }).click();
  await page.getByRole("alertdialog", { name: "Delete this meeting?" }).getByRole("button", { name: "Delete meeting" }).click();
  await expect(page.getByText(`Meeting "${TOPIC}" deleted`)).toBeVisible();
  await expect(table.getByRole("row").filter({ hasText: TOPIC })).toHaveCount(0);

  // still there with "Show deleted", marked Deleted, without a join link
  await page.getByLabel("Show deleted").click();
  const deleted = page.getByRole("table", { name: "Zoom meetings" }).getByRole("row").filter({ hasText: TOPIC });
  await expect(deleted).toContainText("Deleted");
  await expect(deleted.getByRole("link", { name: `Join ${TOPIC}` })).toHaveCount(0);
});
