// Exports through the browser: a small CSV of drivers downloads at once and opens as CSV; a
// large XLSX of 60,000 orders runs in the background with a progress bar that fills, then
// downloads from the history and opens in a real XLSX reader with every row. A viewer sees the
// history and downloads, but cannot start an export.
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { test, expect, signInAs, asAdmin } from "./fixtures";

test.describe.configure({ mode: "serial" });

async function openExports(page: import("@playwright/test").Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Exports" }).click();
  await expect(page.getByRole("heading", { name: "Exports", level: 1 })).toBeVisible();
}

test("a viewer with no exports yet is told who runs them, not asked to run one", async ({ page, browser }) => {
  // the history starts empty (anything an earlier run left goes first)
  await asAdmin(browser, async (admin) => {
    const list = (await (await admin.request.get("/api/v1/exports?limit=100")).json()) as { items: { id: string }[] };
    for (const j of list.items) expect((await admin.request.delete(`/api/v1/exports/${j.id}`)).status()).toBeLessThan(300);
  });
  await signInAs(page, "viewer");
  await openExports(page);
  await expect(page.getByText("No exports yet")).toBeVisible();
  await expect(page.getByText("Exports that admins and dispatchers run appear here; you can download their files until they expire.")).toBeVisible();
  await expect(page.getByText(/Exports you run/)).toHaveCount(0);
});

test("a small CSV downloads at once; a large XLSX runs with a progress bar, then downloads with every row", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, "admin");
  await openExports(page);

  // small: the drivers, as CSV, straight away
  await page.getByLabel("Data", { exact: true }).selectOption({ label: "Drivers" });
  await page.getByLabel("Format", { exact: true }).selectOption({ label: "CSV" });
  const small = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export", exact: true }).click();
  const csv = await small;
  expect(csv.suggestedFilename()).toMatch(/^drivers-.*\.csv$/);
  const rows: string[][] = parse(readFileSync((await csv.path())!), { bom: true, delimiter: ";" });
  expect(rows[0]).toEqual(["Name", "Phone", "Email", "License", "Status", "Vehicle", "Company", "Created (UTC)"]);
  expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(["Olga Driver", "Pavel Driver"]));
  // the phone starts with "+": a spreadsheet would run it as a formula, so it is text
  expect(rows.find((r) => r[0] === "Olga Driver")![1]).toBe("'+79990000001");
  await expect(page.getByRole("status").filter({ hasText: "Downloaded" })).toBeVisible();

  // large: every order, as Excel, in the background
  await page.getByLabel("Data", { exact: true }).selectOption({ label: "Orders (applications)" });
  await page.getByLabel("Format", { exact: true }).selectOption({ label: "Excel (XLSX)" });
  await page.getByRole("button", { name: "Export", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "runs in the background" })).toBeVisible();
  const history = page.getByRole("table", { name: "Export history" });
  const row = history.getByRole("row").filter({ hasText: "Orders (applications)" }).first();
  const bar = row.getByRole("progressbar", { name: "Export progress: Orders (applications)" });
  await expect(bar).toBeVisible();
  await expect(row).toContainText(/of 60,0\d\d rows/);
  // it fills as the rows are written
  await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow")), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(row.getByRole("link", { name: "Download" })).toBeVisible({ timeout: 120_000 });
  await expect(bar).toBeHidden();
  await expect(row).toContainText("completed");

  const big = page.waitForEvent("download");
  await row.getByRole("link", { name: "Download" }).click();
  const xlsx = await big;
  expect(xlsx.suggestedFilename()).toMatch(/^applications-.*\.xlsx$/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile((await xlsx.path())!);
  const ws = wb.worksheets[0];
  expect(ws.getRow(1).getCell(1).value).toBe("Number");
  expect(ws.actualRowCount - 1).toBeGreaterThanOrEqual(60_000);

  // deleting one asks first; "Keep it" keeps it
  const del = row.getByRole("button", { name: /^Delete export Orders \(applications\)/ });
  await del.click();
  const ask = page.getByRole("alertdialog", { name: "Delete the Orders (applications) export?" });
  await expect(ask).toContainText("can no longer be downloaded");
  await ask.getByRole("button", { name: "Keep it" }).click();
  await expect(ask).toBeHidden();
  await expect(row.getByRole("link", { name: "Download" })).toBeVisible();
  await del.click();
  await ask.getByRole("button", { name: "Delete export" }).click();
  await expect(history.getByRole("row").filter({ hasText: "Orders (applications)" })).toHaveCount(0);
});

test("a viewer sees the history and downloads, but cannot start an export", async ({ page }) => {
  await signInAs(page, "viewer");
  await openExports(page);
  await expect(page.getByRole("button", { name: "Export", exact: true })).toHaveCount(0);
  const history = page.getByRole("table", { name: "Export history" });
  await expect(history.getByRole("row").filter({ hasText: "Drivers" }).first()).toBeVisible();
  const res = await page.request.post("/api/v1/exports", { data: { type: "drivers", format: "csv" } });
  expect(res.status()).toBe(403);
  await expect(history.getByRole("button", { name: /Delete export/ })).toHaveCount(0);
});
