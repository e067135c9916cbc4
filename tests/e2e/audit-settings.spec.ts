// Settings and the Audit trail: an admin changes the organisation's name and time zone (a bad
// time zone is refused next to its field first), then finds the settings.update entry with its
// before → after; a dispatcher gets the no-access page on both, and the API refuses them too.
import { test, expect, signInAs, allowConsoleError } from "./fixtures";
import { requestsDuring } from "./requests";

test("an admin changes the organisation in Settings and finds the change in the Audit trail", async ({ page, s }) => {
  await signInAs(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Settings", exact: true, level: 1 })).toBeVisible();

  const org = page.getByRole("form", { name: "Organisation", exact: true });
  const nameField = org.getByLabel("Organisation name");
  const zoneField = org.getByLabel("Time zone");
  await expect(nameField).not.toHaveValue("");
  const beforeName = await nameField.inputValue();
  const beforeZone = await zoneField.inputValue();
  const name = `E2E Transfers ${Date.now()}`;
  const zone = beforeZone === "Asia/Tokyo" ? "Europe/Lisbon" : "Asia/Tokyo";

  // a time zone that does not exist and a currency that is not one: checked in the browser with
  // the API's own schema (the browser knows the IANA zones too), both messages next to their
  // fields at once, the first focused, nothing sent
  await nameField.fill(name);
  const beforeCurrency = await org.getByLabel("Default currency").inputValue();
  const sent = await requestsDuring(page, async () => {
    await zoneField.fill("Mars/Olympus_Mons");
    await org.getByLabel("Default currency").fill("XY1");
    await org.getByRole("button", { name: "Save organisation" }).click();
    await expect(org.locator("#s-timeZone-error")).toHaveText("An IANA time zone such as Europe/Moscow");
    await expect(org.locator("#s-defaultCurrency-error")).toHaveText("An ISO 4217 currency code such as RUB, USD or EUR");
    await expect(zoneField).toHaveAttribute("aria-invalid", "true");
    await expect(nameField).not.toHaveAttribute("aria-invalid", "true");
    await expect(zoneField).toBeFocused();
  });
  expect(sent).toEqual([]);
  await org.getByLabel("Default currency").fill(beforeCurrency);

  await zoneField.fill(zone);
  await org.getByRole("button", { name: "Save organisation" }).click();
  await expect(page.getByText("Organisation saved")).toBeVisible();
  await expect(org.getByText("An IANA time zone such as Europe/Moscow")).toHaveCount(0);

  // kept: a reload shows the saved values
  await page.reload();
  await expect(page.getByRole("form", { name: "Organisation", exact: true }).getByLabel("Organisation name")).toHaveValue(name);
  await expect(page.getByRole("form", { name: "Organisation", exact: true }).getByLabel("Time zone")).toHaveValue(zone);
  // and the sidebar names the organisation
  await expect(page.getByTestId("organization-name").first()).toHaveText(name);
  // the webhook URL base is shown to copy
  await expect(page.getByTestId("webhook-url-base")).toHaveValue(/^https?:\/\/[^/]+\/api\/webhooks$/);
  await expect(page.getByRole("button", { name: "Copy webhook url base" })).toBeVisible();

  // the Audit trail, filtered by the action in the URL
  await page.goto("/audit?action=settings.update");
  await expect(page.getByRole("heading", { name: "Audit trail", exact: true, level: 1 })).toBeVisible();
  await expect(page.getByLabel("Action", { exact: true })).toHaveValue("settings.update");
  const rows = page.getByRole("table", { name: "Audit entries" }).getByRole("row").filter({ hasText: "settings.update" });
  await expect(rows.first()).toBeVisible();
  // newest first: the first entry is this change
  await rows.first().getByRole("button", { name: /^Open settings\.update/ }).click();

  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("heading", { name: "settings.update" })).toBeVisible();
  const changes = drawer.getByRole("table", { name: "Changes" });
  const nameRow = changes.getByRole("row").filter({ hasText: "organization.name" });
  await expect(nameRow.getByRole("cell").nth(1)).toHaveText(beforeName);
  await expect(nameRow.getByRole("cell").nth(2)).toHaveText(name);
  const zoneRow = changes.getByRole("row").filter({ hasText: "organization.timeZone" });
  await expect(zoneRow.getByRole("cell").nth(1)).toHaveText(beforeZone);
  await expect(zoneRow.getByRole("cell").nth(2)).toHaveText(zone);
  // the entry says who and from where
  await expect(drawer.getByLabel("Entry", { exact: true })).toContainText(s.users.admin.email);
  await expect(page).toHaveURL(/entry=\d+/);

  await page.keyboard.press("Escape");
  await expect(drawer).toHaveCount(0);
  await expect(page).not.toHaveURL(/entry=/);

  // leave the organisation as it was for the specs after this one
  const restore = await page.request.patch("/api/v1/settings", { data: { organization: { name: beforeName, timeZone: beforeZone } } });
  expect(restore.status()).toBe(200);
});

test("a dispatcher gets the no-access page for Settings and the Audit trail, and the API says no", async ({ page }) => {
  // a no-access page answers 403, which Chromium reports in the console: expected here
  allowConsoleError(/status of 403/);
  await signInAs(page, "dispatcher");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Settings", exact: true })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Audit trail", exact: true })).toHaveCount(0);
  for (const path of ["/settings", "/audit"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
    await expect(page.getByRole("form", { name: "Organisation", exact: true })).toHaveCount(0);
    await expect(page.getByRole("table", { name: "Audit entries" })).toHaveCount(0);
  }
  expect((await page.request.get("/api/v1/settings")).status()).toBe(403);
  expect((await page.request.patch("/api/v1/settings", { data: { organization: { name: "Not mine" } } })).status()).toBe(403);
  const audit = await page.request.get("/api/v1/audit");
  expect(audit.status()).toBe(403);
  expect((await audit.json()).error.code).toBe("forbidden");
});
