// The API documentation page as a viewer: open it from the sidebar, search "payments", expand
// POST /api/v1/payments and read its body fields (required ones marked) and the API key scope
// it needs; the raw JSON behind the download link is the OpenAPI 3.1 document, readable
// without a session too.
import { test, expect, signInAs } from "./fixtures";

test("a viewer searches the API docs, reads POST /api/v1/payments and downloads the raw JSON", async ({ page, request }) => {
  await signInAs(page, "viewer");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API docs" }).click();
  await expect(page.getByRole("heading", { name: "API documentation", level: 1 })).toBeVisible();
  // the document has loaded: areas as headings, the count of operations
  await expect(page.getByRole("heading", { name: "payments", level: 2, exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "logs", level: 2, exact: true })).toBeVisible();
  await expect(page.getByText(/^\d+ operations$/)).toBeVisible();

  await page.getByLabel("Search operations").fill("payments");
  await expect(page.getByText(/^\d+ of \d+ operations$/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "logs", level: 2, exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^GET \/api\/v1\/payments\s/ })).toBeVisible();

  const header = page.getByRole("button", { name: /^POST \/api\/v1\/payments\s/ });
  await expect(header).toHaveAttribute("aria-expanded", "false");
  await header.click();
  await expect(header).toHaveAttribute("aria-expanded", "true");
  const panel = page.getByRole("region", { name: /^POST \/api\/v1\/payments\s/ });
  await expect(panel).toBeVisible();

  const body = panel.getByRole("table", { name: "Request body of POST /api/v1/payments" });
  for (const field of ["amountMinor", "currency", "description", "customerEmail", "returnUrl"]) {
    await expect(body.getByRole("cell", { name: field, exact: true })).toBeVisible();
  }
  const row = (field: string) => body.getByRole("row").filter({ has: page.getByRole("cell", { name: field, exact: true }) });
  await expect(row("amountMinor").getByText("required", { exact: true })).toBeVisible();
  await expect(row("currency").getByText("required", { exact: true })).toBeVisible();
  await expect(row("description").getByText("optional", { exact: true })).toBeVisible();
  await expect(row("amountMinor")).toContainText("integer");

  // who may call it: the API key scope and the roles
  await expect(panel.getByText("payments:write", { exact: true })).toBeVisible();
  await expect(panel.getByText("Dispatcher", { exact: true })).toBeVisible();
  await expect(panel.getByRole("table", { name: "Parameters of POST /api/v1/payments" }).getByRole("cell", { name: "Idempotency-Key", exact: true })).toBeVisible();

  // nothing matches: said so, and the search clears
  await page.getByLabel("Search operations").fill("no-such-operation-anywhere");
  await expect(page.getByText("No operation matches “no-such-operation-anywhere”")).toBeVisible();
  await page.getByRole("button", { name: "Clear search" }).click();
  await expect(page.getByRole("heading", { name: "logs", level: 2, exact: true })).toBeVisible();

  // the raw document behind the download link
  const link = page.getByRole("link", { name: "Download OpenAPI JSON" });
  await expect(link).toHaveAttribute("download", /\.json$/);
  const href = (await link.getAttribute("href"))!;
  const res = await page.request.get(href);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^application\/json/);
  const doc = await res.json();
  expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  expect(doc.paths["/api/v1/payments"].post["x-required-scope"]).toBe("payments:write");

  // public: readable without a session (API tools fetch it)
  const anonymous = await request.get(href);
  expect(anonymous.status()).toBe(200);
  expect((await anonymous.json()).openapi).toMatch(/^3\.1\./);
});
