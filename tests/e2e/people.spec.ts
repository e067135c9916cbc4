// Sign-in errors, inviting a colleague, API keys shown once and revoked, the phone layout
// and the theme switch.
import { test, expect, signIn, signInAs, watchErrors, allowConsoleError } from "./fixtures";
import { requestsDuring } from "./requests";

test("an empty sign-in form names both fields and sends nothing", async ({ page }) => {
  await page.goto("/login");
  const sent: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.startsWith("/api/auth")) sent.push(`${r.method()} ${r.url()}`);
  });
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter your email", { exact: true })).toBeVisible();
  await expect(page.getByText("Enter your password", { exact: true })).toBeVisible();
  const email = page.getByLabel("Email");
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toHaveAccessibleDescription("Enter your email");
  await expect(page.getByLabel("Password")).toHaveAccessibleDescription("Enter your password");
  await expect(email).toBeFocused();

  // what is still wrong, and only that
  await email.fill("nina");
  await page.getByLabel("Password").fill("something");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter a valid email address", { exact: true })).toBeVisible();
  await expect(page.getByText("Enter your password", { exact: true })).toHaveCount(0);
  expect(sent).toEqual([]);
  await expect(page).toHaveURL(/\/login$/);
});

test("a wrong password is refused with a clear message", async ({ page, s }) => {
  // the refused sign-in answers 401, which Chromium reports in the console: the subject here
  allowConsoleError(/status of 401/);
  await page.goto("/login");
  await page.getByLabel("Email").fill(s.users.viewer.email);
  await page.getByLabel("Password").fill("definitely wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Invalid email or password" })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test("an admin invites a colleague who sets a password and signs in", async ({ page, browser, s }) => {
  await signInAs(page, "admin");
  await page.getByRole("link", { name: "Users" }).first().click();
  await page.getByRole("button", { name: "Invite user" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("Nina New");
  await dialog.getByLabel("Email").fill("nina@e2e.test");
  await dialog.getByLabel("Role").selectOption("dispatcher");
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  const link = await dialog.getByLabel("Invitation link").inputValue();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("row", { name: /Nina New/ })).toContainText("invited");

  const ctx = await browser.newContext({ baseURL: s.baseURL });
  watchErrors(ctx);
  const other = await ctx.newPage();
  await other.goto(link);
  await expect(other.getByRole("heading", { name: "Welcome, Nina New" })).toBeVisible();
  // checked in the browser with the API's own rule, and the repeat compared: nothing sent while wrong
  const sent = await requestsDuring(other, async () => {
    await other.getByRole("button", { name: "Set password" }).click();
    await expect(other.locator("#invite-password-error")).toHaveText("At least 10 characters");
    await expect(other.locator("#invite-confirm-error")).toHaveText("Repeat the password");
    await expect(other.getByLabel("New password")).toBeFocused();
    await other.getByLabel("New password").fill("nina-password-123");
    await other.getByLabel("Repeat it").fill("nina-password-321");
    await other.getByRole("button", { name: "Set password" }).click();
    await expect(other.locator("#invite-confirm-error")).toHaveText("The two passwords differ");
    await expect(other.locator("#invite-password-error")).toHaveCount(0);
    await expect(other.getByLabel("Repeat it")).toBeFocused();
  });
  expect(sent).toEqual([]);
  await other.getByLabel("New password").fill("nina-password-123");
  await other.getByLabel("Repeat it").fill("nina-password-123");
  await other.getByRole("button", { name: "Set password" }).click();
  await expect(other.getByText("Your password is set.")).toBeVisible();
  await signIn(other, "nina@e2e.test", "nina-password-123");
  await expect(other.getByRole("button", { name: "Account menu" })).toContainText("Dispatcher");
  await other.goto(link);
  await expect(other.getByRole("heading", { name: "This link does not work" })).toBeVisible();

  // deactivating her asks first, saying what it does; Cancel leaves her active and sends nothing
  await page.reload();
  const patches: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "PATCH" && new URL(r.url()).pathname.startsWith("/api/v1/users/")) patches.push(r.url());
  });
  const row = page.getByRole("row", { name: /Nina New/ });
  const toggle = page.getByRole("switch", { name: "Deactivate Nina New" });
  await toggle.click();
  const ask = page.getByRole("alertdialog", { name: "Deactivate Nina New?" });
  await expect(ask).toContainText("They are signed out at once and cannot sign in until reactivated.");
  await ask.getByRole("button", { name: "Cancel" }).click();
  await expect(ask).toBeHidden();
  await expect(toggle).toBeChecked();
  await expect(row.getByText("active", { exact: true })).toBeVisible();
  expect(patches).toEqual([]);
  await other.goto("/");
  await expect(other.getByRole("heading", { name: "Overview", exact: true, level: 1 })).toBeVisible();

  // confirmed: she is deactivated and her open session ends at once. Her Overview page is still
  // open and polls; a poll that lands between the deactivation and the navigation below is
  // refused 401 (and sends the page to sign-in), which Chromium reports in the console: the
  // subject here, and a race the CI run of fdf072c lost once
  allowConsoleError(/status of 401 \(Unauthorized\) \(http:\/\/[^)]+\/api\/v1\//);
  await toggle.click();
  await ask.getByRole("button", { name: "Deactivate" }).click();
  await expect(row).toContainText("deactivated");
  expect(patches).toHaveLength(1);
  await other.goto("/");
  await expect(other).toHaveURL(/\/login\?callbackUrl=/);
  await ctx.close();
});

test("an API key is shown once, works, and stops working when revoked", async ({ page, s }) => {
  await signInAs(page, "admin");
  await page.getByRole("link", { name: "API keys" }).first().click();
  await expect(page.getByText("No API keys yet")).toBeVisible();
  await page.getByRole("button", { name: "New API key" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("CRM backend");
  await dialog.getByRole("checkbox", { name: "integrations:read" }).click();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const key = await dialog.getByLabel("API key", { exact: true }).inputValue();
  expect(key).toMatch(/^sb_/);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("row", { name: /CRM backend/ })).toContainText("active");
  expect(await page.content()).not.toContain(key);

  const api = await (await import("@playwright/test")).request.newContext({ baseURL: s.baseURL });
  expect((await api.get("/api/v1/integrations", { headers: { authorization: `Bearer ${key}` } })).status()).toBe(200);
  expect((await api.get("/api/v1/logs", { headers: { authorization: `Bearer ${key}` } })).status()).toBe(403);

  await page.getByRole("row", { name: /CRM backend/ }).getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("row", { name: /CRM backend/ })).toContainText("revoked");
  const after = await api.get("/api/v1/integrations", { headers: { authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
  await api.dispose();
});

test("on a phone the navigation opens from the menu button", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, "viewer");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await page.getByRole("button", { name: "Open navigation" }).click();
  await page.getByRole("dialog").getByRole("link", { name: "Logs" }).click();
  await expect(page.getByRole("heading", { name: "Logs" })).toBeVisible();
});

test("the theme switches between light, dark and system", async ({ page }) => {
  await signInAs(page, "viewer");
  const html = page.locator("html");
  const toggle = page.getByRole("button", { name: /^Theme:/ });
  await toggle.click(); // system -> light
  await expect(html).not.toHaveClass(/dark/);
  await page.getByRole("button", { name: /^Theme: light/ }).click(); // light -> dark
  await expect(html).toHaveClass(/dark/);
  await page.reload();
  await expect(html).toHaveClass(/dark/);
});

test("the overview shows every integration's health and a chart of calls", async ({ page }) => {
  await signInAs(page, "viewer");
  const health = page.getByRole("list", { name: "Integration health" });
  await expect(health.getByRole("listitem").first()).toBeVisible();
  await expect(page.getByRole("img", { name: /calls in the last 24 hours/ })).toBeVisible();
});
