// OAuth through the browser like an admin: create a Google Calendar integration, click
// Connect, allow on the sandbox's consent page, land back connected; the grant revoked at
// "Google" turns into a one-click Reconnect; Disconnect revokes and switches it off.
import type { Page } from "@playwright/test";
import { test, expect, signInAs } from "./fixtures";

/** The integration page shows what it knows in words: no camelCase keys, no "null", no past time as "next". */
async function expectNoRawState(page: Page) {
  // as people read it (innerText keeps the breaks between blocks that textContent runs together)
  const text = await page.getByRole("main").innerText();
  expect(text).not.toMatch(/\b[a-z]+[A-Z][a-zA-Z]*:|\bnull\b|\bundefined\b|\[object Object\]/);
  const next = page.locator("dt", { hasText: "Next sync" }).locator("xpath=following-sibling::dd[1]");
  if (await next.count()) await expect(next).not.toContainText(/ago/);
}

test.describe.configure({ mode: "serial" });

test("an admin connects Google Calendar on the consent page, reconnects after a revocation, and disconnects", async ({ page, s }) => {
  const clientId = `e2e-${Date.now()}.apps.googleusercontent.com`;
  await signInAs(page, "admin");
  await page.goto("/integrations/new");
  await page.getByRole("button", { name: /Google Calendar/ }).click();
  await page.getByLabel("Name", { exact: true }).fill("Team calendar");
  await page.getByLabel(/Client ID/i).fill(clientId);
  await page.getByLabel(/Client secret/i).fill("GOCSPX-e2e-client-secret");
  await page.getByRole("button", { name: "Create integration" }).click();
  await expect(page.getByRole("heading", { name: "Team calendar" })).toBeVisible();

  const card = page.getByTestId("oauth-card");
  await expect(card.getByTestId("oauth-status")).toHaveText("Not connected");
  await expect(card.getByRole("textbox", { name: "Redirect URI" })).toHaveValue(/\/api\/oauth\/google-calendar\/callback$/);
  // tested before connecting: it fails, truthfully
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connection test failed");
  await card.getByRole("link", { name: "Connect Google Calendar" }).click();

  // the sandbox's consent page
  await expect(page.getByRole("heading", { name: /wants to access your Google/ })).toBeVisible();
  await page.getByLabel("Email").fill("dispatch@acme.test");
  await page.getByRole("button", { name: "Allow" }).click();

  await expect(page.getByRole("heading", { name: "Team calendar" })).toBeVisible();
  await expect(page.getByTestId("oauth-notice")).toContainText("Connected to Google Calendar");
  await expect(card.getByTestId("oauth-status")).toHaveText("Connected");
  await expect(card).toContainText("dispatch@acme.test");
  await expect(page).not.toHaveURL(/oauth=/);
  // the connection was tested again: no failure from before it, no internal state in raw form
  await expect(page.getByTestId("test-result")).toContainText("Connection test passed");
  await expect(page.getByText("Connection test failed")).toHaveCount(0);
  await expect(page.getByTestId("test-result")).not.toContainText("Not connected");
  await expectNoRawState(page);

  // the person removes the app's access in their Google account: the next call finds out
  const revoked = await page.request.post(`${s.sandboxUrl}/google-calendar/__oauth/revoke-grants`, { data: { clientId } });
  expect(revoked.ok()).toBe(true);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connection test failed");
  await expect(card.getByTestId("oauth-status")).toHaveText("Needs reconnect");
  await expect(card.getByTestId("oauth-needs-reconnect")).toContainText("Connect Google Calendar again");
  await expect(page.getByTestId("integration-status").first()).toHaveText(/Error/);

  await card.getByRole("link", { name: "Reconnect" }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(card.getByTestId("oauth-status")).toHaveText("Connected");
  await expect(page.getByTestId("integration-status").first()).toHaveText(/Active/);
  await expect(page.getByTestId("test-result")).toContainText("Connection test passed");

  await card.getByRole("button", { name: "Disconnect" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Disconnect" }).click();
  await expect(card.getByTestId("oauth-status")).toHaveText("Not connected");
  await expect(page.getByTestId("integration-status").first()).toHaveText(/Disabled/);
  // the last test was about the grant just removed: it is not shown as current
  await expect(page.getByTestId("test-result")).toHaveCount(0);
  await expect(page.getByText("Not tested yet")).toBeVisible();
});

test("a dispatcher sees the connection but cannot connect or disconnect", async ({ page }) => {
  await signInAs(page, "dispatcher");
  await page.goto("/integrations");
  await page.getByRole("link", { name: "Team calendar" }).first().click();
  const card = page.getByTestId("oauth-card");
  await expect(card.getByTestId("oauth-status")).toHaveText("Not connected");
  await expect(card.getByText("An admin must connect this integration.")).toBeVisible();
  await expect(card.getByRole("link", { name: /Connect|Reconnect/ })).toHaveCount(0);
  // and the start route refuses them on the server too
  const id = page.url().split("/").pop();
  await page.goto(`/api/oauth/google-calendar/start?integrationId=${id}`);
  await expect(page.getByTestId("oauth-notice")).toContainText("Your role does not allow this");
});
