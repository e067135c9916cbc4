// The path through the product: sign in, create a Telegram integration against its
// sandbox, test the connection, find the call in the logs, rotate the encryption key and
// test again with only the new key.
import { test, expect, signInAs, botToken, control } from "./fixtures";

test.describe.configure({ mode: "serial" });

let integrationUrl = "";
const token = botToken();
const botId = token.split(":")[0];

test("an admin creates a Telegram integration and tests its connection", async ({ page }) => {
  await signInAs(page, "admin");
  await page.getByRole("link", { name: "Integrations" }).first().click();
  await page.getByRole("link", { name: "New integration" }).click();
  await page.getByRole("button", { name: /Telegram/ }).click();
  await expect(page.getByRole("heading", { name: "New Telegram integration" })).toBeVisible();

  await page.getByLabel("Name", { exact: true }).fill("Support bot");
  // a wrong token is refused with the reason next to the field
  await page.getByLabel("Bot token").fill("not-a-token");
  await page.getByRole("button", { name: "Create integration" }).click();
  await expect(page.getByText("A bot token looks like 123456789:AA…")).toBeVisible();

  await page.getByLabel("Bot token").fill(token);
  await expect(page.getByRole("radio", { name: /Sandbox/ })).toBeChecked();
  // a messaging integration has a place in its channel's fallback order
  await page.getByLabel("Priority").fill("5");
  await page.getByRole("button", { name: "Create integration" }).click();

  await expect(page.getByRole("heading", { name: "Support bot" })).toBeVisible();
  integrationUrl = page.url();
  const saved = await (await page.request.get(`/api/v1/integrations/${integrationUrl.split("/").pop()}`)).json();
  expect(saved).toMatchObject({ priority: 5, channels: ["telegram"] });
  await expect(page.getByText("Sandbox mode")).toBeVisible();
  await expect(page.getByTestId("integration-status").first()).toHaveText(/Not tested/);

  await page.getByRole("button", { name: "Test connection" }).click();
  const result = page.getByTestId("test-result");
  await expect(result).toContainText("Connection test passed");
  await expect(result).toContainText(`Connected as @sandbox_${botId}_bot`);
  await expect(page.getByTestId("integration-status").first()).toHaveText(/Active/);
  await expect(page.getByRole("table", { name: "Connection test history" }).getByRole("row")).toHaveCount(2);
  // what Telegram reported is shown
  await expect(page.getByText(`sandbox_${botId}_bot`).first()).toBeVisible();
});

test("the call appears in the logs, redacted", async ({ page }) => {
  await signInAs(page, "admin");
  await page.getByRole("link", { name: "Logs" }).first().click();
  await expect(page.getByRole("heading", { name: "Logs" })).toBeVisible();
  await page.getByLabel("Integration", { exact: true }).selectOption({ label: "Support bot" });
  await expect(page).toHaveURL(/integrationId=/);
  const rows = page.getByRole("table", { name: "Integration logs" }).getByRole("row");
  await expect(rows.filter({ hasText: "telegram.getMe" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "telegram.getWebhookInfo" })).toHaveCount(1);
  await page.getByLabel("Status", { exact: true }).selectOption("error");
  await expect(page.getByText("No log entries match these filters")).toBeVisible();
  await page.getByLabel("Status", { exact: true }).selectOption("");

  await page.getByRole("button", { name: /telegram\.getMe/ }).click();
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("heading", { name: "telegram.getMe" })).toBeVisible();
  await expect(drawer.getByText("/bot[REDACTED]/getMe")).toBeVisible();
  await expect(drawer).toContainText('"username"');
  expect(await page.content()).not.toContain(token);
});

test("after rotating to a new encryption key (the old one removed), the connection still tests", async ({ page }) => {
  const { key: fresh } = await control("/new-key");
  const old = (await import("./fixtures")).stack().keyRing;
  const report = await control("/rotate", { ring: `${fresh},${old}` });
  expect(report.reencrypted).toBeGreaterThanOrEqual(1);
  await control("/restart-web", { ring: fresh });

  await signInAs(page, "admin");
  await page.goto(integrationUrl);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connection test passed");
  await expect(page.getByRole("table", { name: "Connection test history" }).getByRole("row")).toHaveCount(3);

  // the settings page can still read (and mask) the stored token
  await page.locator("#main").getByRole("link", { name: "Settings" }).click();
  await expect(page.getByLabel("Bot token")).toHaveAttribute("placeholder", new RegExp(`Stored \\(••••••••${token.slice(-4)}\\)`));
  await expect(page.getByLabel("Bot token")).toHaveValue("");
});

test("settings keep the token when left empty and save other changes", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto(`${integrationUrl}/settings`);
  await page.getByLabel("Default chat (optional)").fill("-1001234567");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: "Back" }).click();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connection test passed");
});

test("a custom webhook whose receiver is missing fails its test with a reason", async ({ page, s }) => {
  await signInAs(page, "admin");
  await page.goto("/integrations/new?provider=generic-webhook");
  await page.getByLabel("Name", { exact: true }).fill("Partner hook");
  await page.getByRole("radio", { name: /Live/ }).check();
  await page.getByLabel("Endpoint override (optional)").fill(`${s.sandboxUrl}/generic-webhook/hooks/not-configured`);
  await page.getByLabel("Signing secret", { exact: true }).fill("a-shared-secret-that-is-long-enough");
  await page.getByRole("button", { name: "Create integration" }).click();
  await expect(page.getByRole("heading", { name: "Partner hook" })).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("The endpoint URL was not found (HTTP 404)");
  await expect(page.getByTestId("integration-status").first()).toHaveText(/Error/);
});

test("sync now runs a job that the jobs page shows", async ({ page }) => {
  await signInAs(page, "dispatcher");
  await page.goto(integrationUrl);
  await page.getByRole("button", { name: "Sync now" }).click();
  const jobs = page.getByRole("table", { name: "Sync jobs" });
  await expect(jobs.getByRole("row").filter({ hasText: "completed" })).toHaveCount(1, { timeout: 20_000 });
  await page.getByRole("link", { name: "Jobs" }).first().click();
  await expect(page.getByRole("table", { name: "Sync jobs" }).getByRole("row").filter({ hasText: "Support bot" }).first()).toContainText("completed");
});

test("an admin disables and deletes an integration", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/integrations");
  await page.getByRole("link", { name: "Partner hook" }).click();
  await page.getByRole("switch").click();
  // switching it off stops what runs through it: asked first
  await page.getByRole("alertdialog", { name: "Disable Partner hook?" }).getByRole("button", { name: "Disable" }).click();
  await expect(page.getByText("Disabled", { exact: true }).first()).toBeVisible();
  await page.getByRole("button", { name: "Delete integration" }).click();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page).toHaveURL(/\/integrations$/);
  await expect(page.getByRole("link", { name: "Partner hook" })).toHaveCount(0);
});
