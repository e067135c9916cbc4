// Alerts in the browser: a Telegram integration whose connection test fails (the sandbox
// refuses its token) is in error; the workers' evaluation opens an alert that the Alerts page
// shows. A viewer sees it but cannot resolve it; a dispatcher resolves it with a note and finds
// it, with the note, under Resolved.
import { test, expect, signInAs, failingTelegramBot, asAdmin } from "./fixtures";
import { requestsDuring } from "./requests";

test.describe.configure({ mode: "serial" });

const NAME = `Alerting bot ${Math.floor(Math.random() * 9000) + 1000}`;
const TITLE = `${NAME} is in error`;
const NOTE = "Token replaced in BotFather; test passes again";
let integrationId = "";

// the workers evaluate the rules every ALERTS_EVALUATE_SECONDS and the page refreshes every 15 s
const APPEARS = { timeout: 90_000 };

test.beforeAll(async ({ browser }) => {
  integrationId = await asAdmin(browser, (page) => failingTelegramBot(page, NAME));
});

const rowOf = (page: import("@playwright/test").Page) => page.getByRole("table", { name: "Alerts" }).getByRole("row").filter({ hasText: TITLE });

test("a viewer sees the integration's alert with a link to it, but cannot resolve it", async ({ page }) => {
  test.setTimeout(150_000);
  await signInAs(page, "viewer");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alerts" }).click();
  await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();
  await expect(page.getByRole("tab", { name: /Open/ })).toHaveAttribute("aria-selected", "true");

  const row = rowOf(page);
  await expect(row).toBeVisible(APPEARS);
  await expect(row).toContainText("Warning"); // a sandbox integration's error is a warning
  await expect(row).toContainText("Integration in error");
  await expect(row).toContainText(/Unauthorized|401/);
  await expect(row.getByRole("link", { name: new RegExp(`Open the integration: ${TITLE}`) })).toHaveAttribute("href", `/integrations/${integrationId}`);
  await expect(row.getByRole("button", { name: /Resolve/ })).toHaveCount(0);

  // the drawer has the whole story, still without a way to resolve
  await row.getByRole("button", { name: `Open alert ${TITLE}` }).click();
  const drawer = page.getByRole("dialog", { name: TITLE });
  await expect(drawer).toBeVisible();
  await expect(drawer).toContainText("Occurrences");
  await expect(drawer).toContainText("Admins told");
  await expect(drawer.getByRole("button", { name: "Resolve" })).toHaveCount(0);
  await page.keyboard.press("Escape");

  // and the server refuses it whatever the page shows
  const alerts = await (await page.request.get(`/api/v1/alerts?rule=integration_error&entityType=integration&entityId=${integrationId}`)).json();
  expect(alerts.items).toHaveLength(1);
  const refused = await page.request.post(`/api/v1/alerts/${alerts.items[0].id}/resolve`, { data: { note: "not mine to resolve" } });
  expect(refused.status()).toBe(403);
});

test("a dispatcher resolves it with a note; it moves to Resolved with who and why", async ({ page }) => {
  test.setTimeout(150_000);
  await signInAs(page, "dispatcher");
  await page.goto("/alerts");
  const row = rowOf(page);
  await expect(row).toBeVisible(APPEARS);
  await row.getByRole("button", { name: `Resolve ${TITLE}` }).click();

  const dialog = page.getByRole("dialog", { name: "Resolve alert" });
  await expect(dialog).toContainText(TITLE);
  // a note over the limit (the field stops typing and pasting at 1000 characters; this one is put
  // past it, as a script or an autofill could) is named next to the field, and nothing is sent
  const note = dialog.getByLabel("Note");
  const sent = await requestsDuring(page, async () => {
    await note.evaluate((el, v) => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(el, v);
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }, "x".repeat(1001));
    await dialog.getByRole("button", { name: "Resolve", exact: true }).click();
    await expect(dialog.locator("#resolve-note-error")).toHaveText("At most 1000 characters");
    await expect(note).toHaveAttribute("aria-invalid", "true");
    await expect(note).toBeFocused();
  });
  expect(sent).toEqual([]);
  await note.fill(NOTE);
  await dialog.getByRole("button", { name: "Resolve", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Resolved: ${TITLE}`)).toBeVisible();
  await expect(rowOf(page)).toHaveCount(0);

  await page.getByRole("tab", { name: "Resolved" }).click();
  await expect(page).toHaveURL(/status=resolved/);
  const resolved = rowOf(page);
  await expect(resolved).toBeVisible();
  await expect(resolved.getByTestId("alert-resolution")).toContainText("Resolved by Dan Dispatcher");
  await expect(resolved.getByTestId("alert-resolution")).toContainText(NOTE);
  await expect(resolved.getByRole("button", { name: /Resolve/ })).toHaveCount(0);
});
