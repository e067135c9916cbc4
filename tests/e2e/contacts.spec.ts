// Contact submissions and SuiteDash Import mode through the browser. The website posts a
// submission to the public API; an admin connects SuiteDash (sandbox), finds the submission on
// the Contacts page and opens it, switches the integration to Import mode on the SuiteDash
// tab, renames a CSV header, generates the export, downloads it and reads the file, then marks
// it as exported and sees the submission so.
import { readFile } from "node:fs/promises";
import { randomBytes, randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { test, expect, signInAs } from "./fixtures";

test.describe.configure({ mode: "serial" });

test("an admin exports the website's submissions as a SuiteDash CSV and downloads it", async ({ page }) => {
  test.setTimeout(120_000);
  const tag = randomBytes(3).toString("hex");
  const email = `e2e-${tag}@example.test`;

  await signInAs(page, "admin");
  // SuiteDash in API mode with a key the sandbox rejects: the submission is tried once and
  // stays unsynced (failed: a 401 is not retried), so the export has something to hold
  const created = await page.request.post("/api/v1/integrations", {
    data: {
      provider: "suitedash",
      name: `SuiteDash ${tag}`,
      mode: "sandbox",
      priority: 1,
      credentials: { publicId: randomUUID(), secretKey: `wrong-${randomBytes(8).toString("hex")}` },
      config: { mode: "api" },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const integration = (await created.json()) as { id: string };

  // the website's form (public: no session, no key)
  const posted = await page.request.post("/api/v1/contacts", {
    data: { firstName: "Erin", lastName: `Export ${tag}`, email, company: "Acme, Inc.", message: 'Line one\n"quoted"', serviceInterest: "=cmd()", tags: ["e2e", "website"] },
  });
  expect(posted.status(), await posted.text()).toBe(201);
  const submission = (await posted.json()) as { id: string };

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts" }).click();
  await expect(page.getByRole("heading", { name: "Contacts", level: 1 })).toBeVisible();
  await page.getByLabel("Name or e-mail").fill(email);
  const row = page.getByTestId("submission-row").filter({ hasText: `Erin Export ${tag}` });
  await expect(row).toBeVisible();
  // the sandbox refuses the key: failed, with SuiteDash's reason, no automatic retry
  await expect(row.getByText("Failed", { exact: true })).toBeVisible({ timeout: 20_000 });
  await row.getByRole("button", { name: `Open the submission of Erin Export ${tag}` }).click();
  const drawer = page.getByRole("dialog", { name: `Erin Export ${tag}` });
  await expect(drawer.getByText(/rejected the Public ID or Secret Key \(401\)/).first()).toBeVisible();
  await expect(drawer.getByRole("button", { name: "Retry" })).toBeVisible();
  await page.keyboard.press("Escape");

  // ── Import mode ──
  await page.getByRole("tab", { name: "SuiteDash" }).click();
  await expect(page.getByText(`SuiteDash ${tag}`)).toBeVisible();
  await expect(page.getByTestId("suitedash-mode")).toContainText("Mode: API");
  await expect(page.getByRole("button", { name: "Generate export" })).toBeDisabled();
  await page.getByLabel("Import mode (CSV instead of the API)").click();
  await expect(page.getByTestId("suitedash-mode")).toContainText("Mode: Import");

  await page.getByLabel("Email", { exact: true }).fill("Email Address");
  await page.getByRole("button", { name: "Save headers" }).click();
  await expect(page.getByText("CSV headers saved")).toBeVisible();

  await page.getByRole("button", { name: "Generate export" }).click();
  const exportRow = page.getByTestId("export-row").first();
  await expect(exportRow).toContainText(/suitedash-contacts-\d{8}-\d{6}\.csv/);

  const [download] = await Promise.all([page.waitForEvent("download"), exportRow.getByRole("link", { name: /^Download / }).click()]);
  expect(download.suggestedFilename()).toMatch(/^suitedash-contacts-\d{8}-\d{6}\.csv$/);
  const text = await readFile((await download.path())!, "utf8");
  const records = parse(text, { columns: true }) as Record<string, string>[];
  expect(Object.keys(records[0])).toEqual(["ID", "First Name", "Last Name", "Email Address", "Phone", "Company", "Service Interest", "Message", "Source", "Created Date", "Tags"]);
  const mine = records.find((r) => r.ID === submission.id);
  expect(mine).toMatchObject({
    "First Name": "Erin",
    "Last Name": `Export ${tag}`,
    "Email Address": email,
    Company: "Acme, Inc.",
    Message: 'Line one\n"quoted"',
    "Service Interest": "'=cmd()",
    Tags: "e2e, website",
  });

  // ── mark as exported ──
  await exportRow.getByRole("button", { name: "Mark as exported" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Mark as exported" }).click();
  await expect(page.getByText(/marked as exported/)).toBeVisible();
  await expect(exportRow.getByText("Not marked")).toHaveCount(0);

  await page.getByRole("tab", { name: "Submissions" }).click();
  await page.getByLabel("Name or e-mail").fill(email);
  await expect(page.getByTestId("submission-row").filter({ hasText: `Erin Export ${tag}` }).getByText("Exported", { exact: true })).toBeVisible();

  // leave nothing behind that other specs could trip over
  const del = await page.request.delete(`/api/v1/integrations/${integration.id}`);
  expect(del.status()).toBeLessThan(300);
});
