// What each role sees and, more important, what the server refuses them.
import { test, expect, signInAs, botToken, allowConsoleError } from "./fixtures";

let id = "";

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage({ baseURL: (await import("./fixtures")).stack().baseURL });
  await signInAs(page, "admin");
  const r = await page.request.post("/api/v1/integrations", {
    data: { provider: "telegram", name: "Roles bot", credentials: { botToken: botToken() } },
  });
  expect(r.status()).toBe(201);
  id = (await r.json()).id;
  await page.close();
});

test("a viewer cannot open credentials, settings, users or API keys", async ({ page }) => {
  // a no-access page answers 403, which Chromium reports in the console: expected here
  allowConsoleError(/status of 403/);
  await signInAs(page, "viewer");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Integrations" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Users" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "API keys" })).toHaveCount(0);

  await page.goto(`/integrations/${id}`);
  await expect(page.getByRole("heading", { name: "Roles bot" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Test connection" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete integration" })).toHaveCount(0);

  await page.goto(`/integrations/${id}/settings`);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  await expect(page.getByLabel("Bot token")).toHaveCount(0);
  for (const p of ["/users", "/api-keys", "/integrations/new"]) {
    await page.goto(p);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  }

  // the API says the same, whatever the UI shows
  const one = await page.request.get(`/api/v1/integrations/${id}`);
  expect(one.status()).toBe(200);
  expect((await one.json()).credentials).toBeUndefined();
  const patch = await page.request.patch(`/api/v1/integrations/${id}`, { data: { credentials: { botToken: botToken() } } });
  expect(patch.status()).toBe(403);
  expect((await patch.json()).error.code).toBe("forbidden");
  expect((await page.request.post(`/api/v1/integrations/${id}/test`)).status()).toBe(403);
  expect((await page.request.get("/api/v1/users")).status()).toBe(403);
});

test("a page the role may not open answers 403 at its own address, inside the usual layout with the sidebar", async ({ page }) => {
  // a no-access page answers 403, which Chromium reports in the console: expected here
  allowConsoleError(/status of 403/);
  await signInAs(page, "viewer");
  for (const path of ["/users", "/api-keys", "/settings", `/integrations/${id}/settings`]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(403);
    expect(new URL(page.url()).pathname).toBe(path);
    await expect(page.getByRole("heading", { name: "You do not have access to this page", level: 1 })).toBeVisible();
    await expect(page.getByText("Your role (Viewer) does not allow it.")).toBeVisible();
    // the shell is there: the sidebar with what a viewer may open, the account menu
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav).toBeVisible();
    await expect(nav.getByRole("link", { name: "Integrations" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Users" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Account menu" })).toContainText("Viewer");
  }
  // and the way back works from there
  await page.getByRole("link", { name: "Back to the overview" }).click();
  await expect(page.getByRole("heading", { name: "Overview", exact: true, level: 1 })).toBeVisible();
});

test("a dispatcher can test and sync but not see credentials", async ({ page }) => {
  // a no-access page answers 403, which Chromium reports in the console: expected here
  allowConsoleError(/status of 403/);
  await signInAs(page, "dispatcher");
  await page.goto(`/integrations/${id}`);
  await expect(page.getByRole("button", { name: "Test connection" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connection test passed");
  await page.goto(`/integrations/${id}/settings`);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
});

test("signed-out visitors are sent to sign in and come back afterwards", async ({ page }) => {
  await page.goto(`/integrations/${id}`);
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  const { users } = (await import("./fixtures")).stack();
  await page.getByLabel("Email").fill(users.viewer.email);
  await page.getByLabel("Password").fill(users.viewer.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Roles bot" })).toBeVisible();
  const api = await page.request.get("/api/v1/integrations");
  expect(api.status()).toBe(200); // the browser's session
  const anon = await (await import("@playwright/test")).request.newContext();
  const r = await anon.get(`${(await import("./fixtures")).stack().baseURL}/api/v1/integrations`);
  expect(r.status()).toBe(401);
  expect((await r.json()).error.code).toBe("unauthorized");
  await anon.dispose();
});
