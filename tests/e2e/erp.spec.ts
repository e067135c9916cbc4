// 1C sync in the browser: an admin creates a 1C integration against the OData sandbox,
// tests it, syncs a company from the 1C sync page (created, with its Ref_Key), syncs it again
// with nothing changed ("Unchanged"), finds it in the links table and its sync log in the
// drawer; a viewer sees the same page read-only.
// Needs the company "ООО «Ромашка»" (ИНН 7707083893) seeded by tests/e2e/stack.ts.
import { test, expect, signInAs } from "./fixtures";

test.describe.configure({ mode: "serial" });

const COMPANY = "ООО «Ромашка»";
let refKey = "";

test("an admin creates a 1C integration in sandbox mode and syncs a company", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/integrations/new?provider=onec");
  await expect(page.getByRole("heading", { name: "New 1C:Enterprise (OData) integration" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("1C ERP");
  await page.getByLabel("User name", { exact: true }).fill("Администратор");
  await page.getByLabel(/^Password/).fill("e2e-1c-password");
  await expect(page.getByRole("radio", { name: /Sandbox/ })).toBeChecked();
  await page.getByRole("button", { name: "Create integration" }).click();

  await expect(page.getByRole("heading", { name: "1C ERP" })).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  const result = page.getByTestId("test-result");
  await expect(result).toContainText("Connection test passed");
  await expect(result).toContainText("4 mapped objects published");

  await page.getByRole("link", { name: "1C sync" }).first().click();
  await expect(page.getByRole("heading", { name: "1C sync" })).toBeVisible();
  await expect(page.getByTestId("erp-integration")).toContainText("1C ERP");
  await expect(page.getByTestId("erp-integration")).toContainText("Sandbox"); // the one SandboxBadge
  await expect(page.getByText("Nothing synced to 1C yet")).toBeVisible();
  // the effective (default) mapping of the integration
  await expect(page.getByRole("region", { name: "Company mapping" })).toContainText("Catalog_Контрагенты");
  await expect(page.getByRole("table", { name: "Application fields" })).toContainText("Контрагент_Key");

  await page.getByRole("button", { name: "Sync now" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Entity type", { exact: true }).selectOption("company");
  await dialog.getByLabel("Search", { exact: true }).fill("Ромашка");
  await dialog.getByRole("radio", { name: COMPANY, exact: true }).check();
  await dialog.getByRole("button", { name: "Sync to 1C" }).click();
  await expect(dialog.getByTestId("sync-result")).toContainText("Created in 1C");
  await expect(dialog.getByTestId("sync-ref-key")).toHaveText(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  refKey = (await dialog.getByTestId("sync-ref-key").textContent()) ?? "";

  // nothing changed: nothing is sent
  await dialog.getByRole("button", { name: "Sync to 1C" }).click();
  await expect(dialog.getByTestId("sync-result")).toContainText("Unchanged");
  await expect(dialog.getByTestId("sync-ref-key")).toHaveText(refKey);
  await dialog.getByRole("button", { name: "Close", exact: true }).first().click();
  await expect(dialog).toBeHidden();

  const rows = page.getByRole("table", { name: "1C links" }).getByTestId("erp-link-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(COMPANY);
  await expect(rows.first()).toContainText(refKey);
  await expect(rows.first()).toContainText("Synced");
  await expect(page.getByTestId("count-synced")).toHaveText("1");

  await rows.first().getByRole("button", { name: COMPANY }).click();
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("heading", { name: COMPANY })).toBeVisible();
  await expect(drawer.getByText(`Ref_Key ${refKey}`)).toBeVisible();
  const log = drawer.getByRole("region", { name: "Sync log" });
  await log.getByText("Created in 1C").click();
  await expect(log.getByLabel(/^Request of create/)).toContainText("7707083893");
  await expect(log.getByLabel(/^Response of create/)).toContainText(refKey);
  await expect(drawer.getByRole("button", { name: "Sync again" })).toBeVisible();
});

test("a viewer sees the 1C sync page read-only", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.getByRole("link", { name: "1C sync" }).first().click();
  await expect(page.getByRole("heading", { name: "1C sync" })).toBeVisible();
  const rows = page.getByRole("table", { name: "1C links" }).getByTestId("erp-link-row");
  await expect(rows.first()).toContainText(refKey);
  await expect(page.getByRole("button", { name: "Sync now" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Integration settings" })).toHaveCount(0);
  await rows.first().getByRole("button", { name: COMPANY }).click();
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("region", { name: "Sync log" })).toContainText("Created in 1C");
  await expect(drawer.getByRole("button", { name: /Sync again|Retry/ })).toHaveCount(0);
});
