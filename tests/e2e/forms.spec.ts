// Forms as a person meets them (issue 16 items 5 and 6): an empty or wrong form is checked in the
// browser with the API's own rules, every field's message shown at once next to it in plain
// English, the first wrong field focused, and nothing sent; developer wording (a drawer titled
// with a bare event code, a filter listing integrations that cannot send messages) stays out.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { test, expect, signInAs } from "./fixtures";
import { RAW, requestsDuring } from "./requests";
import { createIntegration } from "./api";

test("an empty Send test message dialog: every field's message at once, the first focused, nothing sent", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/messages");
  await page.getByRole("button", { name: "Send test message" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Send test message" });
  await dialog.getByLabel("Channel").selectOption("sms");
  const to = dialog.getByLabel("To", { exact: true });
  const text = dialog.getByLabel("Text", { exact: true });

  const sent = await requestsDuring(page, async () => {
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(to).toHaveAttribute("aria-invalid", "true");
    await expect(text).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.locator("#send-to-error")).toHaveText("Required");
    await expect(dialog.locator("#send-text-error")).toHaveText("Write the text or choose a template");
    await expect(to).toBeFocused();

    // a number the product cannot use: checked in the browser, explained without any setting's name
    await to.fill("+7 999");
    await text.fill("Hello");
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog.locator("#send-to-error")).toHaveText("Enter the number with its country code, e.g. +7 999 123-45-67");
    await expect(text).not.toHaveAttribute("aria-invalid", "true");
    await expect(to).toBeFocused();

    // an e-mail: address, subject and text together
    await dialog.getByLabel("Channel").selectOption("email");
    await to.fill("");
    await text.fill("");
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog.locator("#send-to-error")).toHaveText("Required");
    await expect(dialog.locator("#send-subject-error")).toHaveText("An e-mail needs a subject");
    await expect(dialog.locator("#send-text-error")).toHaveText("Write the text or choose a template");
    await expect(to).toBeFocused();
    await to.fill("not-an-address");
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog.locator("#send-to-error")).toHaveText("Enter a valid e-mail address");
  });
  expect(sent).toEqual([]);
  for (const t of await dialog.locator("[id$='-error']").allTextContents()) expect(t).not.toMatch(RAW);
});

test("a new integration with an empty name and signing secret: 'Required' next to the secret, nothing sent", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/integrations/new?provider=generic-webhook");
  const name = page.getByLabel("Name", { exact: true });
  const secret = page.getByLabel("Signing secret", { exact: true });
  await expect(secret).toBeVisible();

  const sent = await requestsDuring(page, async () => {
    await page.getByRole("button", { name: "Create integration" }).click();
    await expect(page.locator("#name-error")).toHaveText("Give it a name");
    await expect(page.locator("#credentials-signingSecret-error")).toHaveText("Required");
    await expect(secret).toHaveAttribute("aria-invalid", "true");
    await expect(name).toBeFocused();
    await expect(page.getByText(/Invalid credentials/)).toHaveCount(0);

    // the name given: the secret is now the first wrong field
    await name.fill("Form check hook");
    await page.getByRole("button", { name: "Create integration" }).click();
    await expect(page.locator("#credentials-signingSecret-error")).toHaveText("Required");
    await expect(secret).toBeFocused();
  });
  expect(sent).toEqual([]);

  // a secret too short for the server's rule: sent, and the answer lands next to the field
  await secret.fill("short");
  await page.getByRole("button", { name: "Create integration" }).click();
  await expect(page.locator("#credentials-signingSecret-error")).toHaveText(/at least 24 characters/);
  await expect(page.getByText(RAW)).toHaveCount(0);
});

test("the Messages integration filter lists only messaging integrations", async ({ page }) => {
  await signInAs(page, "admin");
  const suffix = randomUUID().slice(0, 6);
  for (const data of [
    { provider: "smsru", name: `Texts ${suffix}`, mode: "sandbox", credentials: { apiId: randomUUID() }, config: {} },
    { provider: "generic-webhook", name: `Orders hook ${suffix}`, mode: "live", apiEndpoint: "https://crm.example.com/hook", credentials: { signingSecret: randomBytes(24).toString("hex") }, config: {} },
  ]) {
    await createIntegration(page, data);
  }
  const all = (await (await page.request.get("/api/v1/integrations")).json()) as { items: { name: string; channels: string[] }[] };
  const messaging = all.items.filter((i) => i.channels.length).map((i) => i.name).sort();
  expect(all.items.some((i) => !i.channels.length)).toBe(true);

  await page.goto("/messages");
  const select = page.getByLabel("Integration", { exact: true });
  await expect(select.locator("option", { hasText: `Texts ${suffix}` })).toHaveCount(1);
  const options = (await select.locator("option").allTextContents()).filter((o) => o !== "All").sort();
  expect(options).toEqual(messaging);
  expect(options).not.toContain(`Orders hook ${suffix}`);
});

test("a webhook event's drawer is titled in words: the integration and the event", async ({ page, s }) => {
  await signInAs(page, "admin");
  const signing = randomBytes(32).toString("base64url");
  const name = `Drawer hook ${randomUUID().slice(0, 6)}`;
  const res = await page.request.post("/api/v1/integrations", {
    data: { provider: "generic-webhook", name, mode: "live", apiEndpoint: `${s.sandboxUrl}/generic-webhook/hooks/drawer`, credentials: { signingSecret: signing }, config: {} },
  });
  expect(res.status(), await res.text()).toBe(201);
  const { code } = (await res.json()) as { code: string };
  const body = JSON.stringify({ id: `evt-${randomUUID()}`, type: "order.created" });
  const delivered = await fetch(`${s.baseURL}/api/webhooks/receive/${code}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-signature": createHmac("sha256", signing).update(body).digest("hex") },
    body,
  });
  expect(delivered.status).toBe(200);
  const { id } = (await delivered.json()) as { id: string };

  await page.goto(`/webhooks?event=${id}`);
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("heading", { level: 2 })).toHaveText(`${name}: Event order.created`);
});

test("the payment link, invite and API key dialogs check every field before sending anything", async ({ page }) => {
  await signInAs(page, "admin");

  const sent = await requestsDuring(page, async () => {
    // payment link: no amount, an address that is not one
    await page.goto("/payments");
    await page.getByRole("button", { name: "Create payment link" }).first().click();
    const pay = page.getByRole("dialog", { name: "Create payment link" });
    await pay.getByLabel("Customer e-mail").fill("not-an-address");
    await pay.getByRole("button", { name: "Create link" }).click();
    await expect(pay.locator("#pay-amount-error")).toHaveText("Enter an amount");
    await expect(pay.locator("#pay-email-error")).toHaveText("Enter a valid e-mail address");
    await expect(pay.getByLabel("Amount")).toBeFocused();
    await page.keyboard.press("Escape");

    // invite: no name, no address
    await page.goto("/users");
    await page.getByRole("button", { name: "Invite user" }).click();
    const invite = page.getByRole("dialog", { name: "Invite a user" });
    await invite.getByRole("button", { name: "Create invitation" }).click();
    await expect(invite.locator("#invite-name-error")).toHaveText("Enter their name");
    await expect(invite.locator("#invite-email-error")).toHaveText("Enter a valid e-mail address");
    await expect(invite.getByLabel("Name")).toBeFocused();
    await page.keyboard.press("Escape");

    // API key: no name, no scope, a rate of zero
    await page.goto("/api-keys");
    await page.getByRole("button", { name: "New API key" }).click();
    const key = page.getByRole("dialog", { name: "New API key" });
    await key.getByLabel("Requests per minute").fill("0");
    await key.getByRole("button", { name: "Create key" }).click();
    await expect(key.locator("#key-name-error")).toHaveText("A name that says who uses it");
    await expect(key.locator("#key-scopes-error")).toHaveText("At least one scope");
    await expect(key.locator("#key-rate-error")).toHaveText("Enter 1 or more");
    await expect(key.getByLabel("Name")).toBeFocused();
  });
  expect(sent).toEqual([]);
});

test("the export form puts a backwards date range next to Until and sends nothing", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/exports");
  const form = page.getByRole("form", { name: "New export" });
  await form.getByLabel("Data").selectOption({ index: 0 });
  await expect(form.getByLabel("From")).toBeVisible();
  const sent = await requestsDuring(page, async () => {
    await form.getByLabel("From").fill("2026-03-02T10:00");
    await form.getByLabel("Until").fill("2026-03-01T10:00");
    await form.getByRole("button", { name: "Export" }).click();
    await expect(form.locator("#export-to-error")).toHaveText("Until must be later than From");
    await expect(form.getByLabel("Until")).toBeFocused();
  });
  expect(sent).toEqual([]);
});
