// Messaging through the browser. An admin connects SMS.ru and an SMTP mailbox (both against
// the sandboxes), sends a test SMS from the Messages page and watches it reach "delivered"
// (SMS.ru's delivery comes by polling), reads its timeline, sends a test e-mail from a
// template, and finds both in the Sandbox inbox, the e-mail rendered in its sandboxed frame.
// A dispatcher links Telegram with the sandbox simulator and asks the bot for /status.
// A viewer reads messages but cannot send. An admin edits a template with its live preview.
import { randomUUID } from "node:crypto";
import { test, expect, signInAs, botToken, asAdmin, allowConsoleError, allowPlaywrightInSandboxedFrames } from "./fixtures";
import { createIntegration } from "./api";

test.describe.configure({ mode: "serial" });

const PHONE = "+79991234567";
const SMS_TEXT = `E2E test SMS ${Math.floor(Math.random() * 9000) + 1000}`;
const MAIL_TO = "anna@e2e.test";
const MAIL_SUBJECT = "Welcome to Demo Transfers, Anna Petrova";

test("an admin sends a test SMS and a test e-mail and finds both in the sandbox inbox", async ({ page }) => {
  test.setTimeout(120_000);
  allowPlaywrightInSandboxedFrames(); // it reads the e-mail's body inside its sandboxed frame
  await signInAs(page, "admin");
  await createIntegration(page, { provider: "smsru", name: "SMS.ru", mode: "sandbox", credentials: { apiId: randomUUID() }, config: {} });
  await createIntegration(page, {
    provider: "smtp",
    name: "Office mail",
    mode: "sandbox",
    credentials: { username: "robot@e2e.test", password: "sandbox-password" },
    config: { fromEmail: "robot@e2e.test", fromName: "Switchboard E2E" },
  });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Messages" }).click();
  await expect(page.getByRole("heading", { name: "Messages", level: 1 })).toBeVisible();

  // ── the SMS ──
  await page.getByRole("button", { name: "Send test message" }).first().click();
  let dialog = page.getByRole("dialog", { name: "Send test message" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Channel").selectOption("sms");
  await dialog.getByLabel("Integration").selectOption({ label: "SMS.ru (sandbox)" });
  // a number without its country code is refused, the reason under the field. This refusal is the
  // server's alone, which the browser cannot know: whether a national number is usable depends on
  // the server's default country (not sent to the browser), so the browser lets it through and
  // the 400 below is this step's subject
  allowConsoleError(/status of 400 \(Bad Request\) \(http:\/\/[^)]+\/api\/v1\/sms\/send\)/);
  await dialog.getByLabel("To", { exact: true }).fill("9991234567");
  await dialog.getByLabel("Text", { exact: true }).fill(SMS_TEXT);
  await expect(dialog.getByTestId("sms-counter")).toContainText("1 SMS segment (GSM-7");
  await dialog.getByRole("button", { name: "Send", exact: true }).click();
  await expect(dialog.getByText("Enter the number with its country code, e.g. +7 999 123-45-67")).toBeVisible();
  await expect(dialog.getByLabel("To", { exact: true })).toHaveAttribute("aria-invalid", "true");

  await dialog.getByLabel("To", { exact: true }).fill(PHONE);
  await dialog.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByText("Test SMS queued")).toBeVisible();
  await expect(dialog).toBeHidden();

  // the new message opens in the drawer; close it and watch the list
  let drawer = page.getByRole("dialog", { name: `SMS to ${PHONE}` });
  await expect(drawer).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();

  const table = page.getByRole("table", { name: "Messages" });
  const smsRow = table.getByRole("row").filter({ hasText: PHONE }).filter({ hasText: SMS_TEXT });
  await expect(smsRow).toHaveCount(1);
  await expect(smsRow).toContainText("SMS.ru");
  await expect(smsRow).toContainText("Sandbox");
  await expect(smsRow).toContainText("Delivered", { timeout: 30_000 });
  await expect(page.getByTestId("count-delivered")).toHaveText(/^[1-9]\d*$/);

  await smsRow.getByRole("button", { name: `Open SMS to ${PHONE}` }).click();
  drawer = page.getByRole("dialog", { name: `SMS to ${PHONE}` });
  await expect(drawer.getByTestId("message-status")).toHaveText("Delivered");
  await expect(drawer.getByTestId("message-text")).toHaveText(SMS_TEXT);
  const timeline = drawer.getByRole("list", { name: "Delivery timeline" });
  await expect(timeline).toContainText("Queued");
  await expect(timeline).toContainText("Sent");
  await expect(timeline).toContainText("SMS.ru (smsru)");
  await expect(timeline).toContainText("Provider reported “103”");
  await expect(drawer.getByRole("list", { name: "Integrations tried in order" })).toContainText("SMS.ru");
  await expect(drawer.getByRole("table", { name: "Provider calls" })).toContainText("smsru.send");
  await expect(drawer.getByRole("button", { name: "Resend" })).toBeEnabled();
  await page.keyboard.press("Escape");

  // ── the e-mail, from a template ──
  await page.getByRole("button", { name: "Send test message" }).first().click();
  dialog = page.getByRole("dialog", { name: "Send test message" });
  await dialog.getByLabel("Channel").selectOption("email");
  await dialog.getByLabel("Integration").selectOption({ label: "Office mail (sandbox)" });
  await dialog.getByLabel("To", { exact: true }).fill(MAIL_TO);
  await dialog.getByLabel("Template", { exact: true }).selectOption({ label: "Welcome (user_registration)" });
  await expect(dialog.getByLabel("Template data (JSON)")).toHaveValue(/"name": "Anna Petrova"/);
  await expect(dialog.getByLabel("Rendered text")).toContainText(MAIL_SUBJECT);
  await dialog.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByText("Test Email queued")).toBeVisible();

  drawer = page.getByRole("dialog", { name: `Email to ${MAIL_TO}` });
  await expect(drawer.getByTestId("message-status")).toHaveText(/^(Sent|Delivered)$/, { timeout: 30_000 });
  await expect(drawer.getByText(MAIL_SUBJECT, { exact: true })).toBeVisible();
  await expect(drawer.getByRole("list", { name: "Delivery timeline" })).toContainText("Office mail (smtp)");
  await page.keyboard.press("Escape");

  // ── both arrived in the sandbox ──
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sandbox inbox" }).click();
  await expect(page.getByRole("heading", { name: "Sandbox inbox", level: 1 })).toBeVisible();
  const inbox = page.getByRole("list", { name: "Sandbox messages" });
  await expect(inbox.getByText(SMS_TEXT, { exact: true })).toBeVisible();
  const mail = inbox.getByRole("article", { name: `E-mail to ${MAIL_TO}` });
  await expect(mail.getByText(MAIL_SUBJECT, { exact: true })).toBeVisible();
  await expect(mail).toContainText("robot@e2e.test");
  const body = page.frameLocator(`iframe[title="E-mail body: ${MAIL_SUBJECT}"]`);
  await expect(body.getByRole("heading", { name: "Welcome, Anna Petrova" })).toBeVisible();
  await expect(body.getByText("Your account is ready.")).toBeVisible();

  // the kind tabs filter
  await page.getByRole("tab", { name: /^E-mail/ }).click();
  await expect(page).toHaveURL(/kind=email/);
  await expect(inbox.getByText(SMS_TEXT, { exact: true })).toHaveCount(0);
  await expect(mail).toBeVisible();
});

test("a dispatcher links Telegram through the sandbox simulator and asks the bot for /status", async ({ page, browser, s }) => {
  test.setTimeout(120_000);
  const token = botToken();
  const secret = `e2e-${randomUUID().replaceAll("-", "")}`;
  await asAdmin(browser, async (admin) => {
    // priority 1: the bot the link and the simulator pick over any other Telegram integration
    const bot = await createIntegration(admin, {
      provider: "telegram",
      name: "Ops bot",
      mode: "sandbox",
      priority: 1,
      credentials: { botToken: token, webhookSecretToken: secret },
      config: {},
    });
    // point the sandbox bot at Switchboard, as setWebhook does with the real Telegram
    const res = await fetch(`${s.sandboxUrl}/telegram/bot${token}/setWebhook`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: bot.webhook!.url, secret_token: secret }),
    });
    expect(res.status).toBe(200);
  });

  await signInAs(page, "dispatcher");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Telegram" }).click();
  await expect(page.getByRole("heading", { name: "Telegram", level: 1 })).toBeVisible();
  const main = page.getByRole("main");
  await expect(main.getByTestId("telegram-status")).toHaveText("Not linked");

  await main.getByRole("button", { name: "Link Telegram" }).click();
  const command = main.getByTestId("link-command");
  await expect(command).toHaveText(/^\/start [A-Z2-9]{8}$/);
  await expect(main.getByTestId("link-countdown")).toHaveText(/^(10:00|9:\d\d)$/);
  const sent = (await command.textContent())!;

  // the sandbox has no Telegram app: the simulator writes as the user
  await expect(main.getByText("Simulate in sandbox")).toBeVisible();
  const input = main.getByLabel("Message to the bot");
  await expect(input).toHaveValue(sent);
  await main.getByRole("button", { name: "Send as a Telegram user" }).click();
  await expect(main.getByTestId("telegram-status")).toHaveText("Linked", { timeout: 30_000 });
  await expect(main.getByText(/^Linked as @dispatcher since/)).toBeVisible();
  const replies = main.getByRole("list", { name: "Bot replies" });
  await expect(replies).toContainText("Linked to Dan Dispatcher (dispatcher)", { timeout: 30_000 });

  await input.fill("/status");
  await main.getByRole("button", { name: "Send as a Telegram user" }).click();
  await expect(replies).toContainText("Active orders", { timeout: 30_000 });
});

test("a viewer reads messages but cannot send", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Messages" }).click();
  await expect(page.getByRole("heading", { name: "Messages", level: 1 })).toBeVisible();
  const table = page.getByRole("table", { name: "Messages" });
  await expect(table.getByRole("row").filter({ hasText: SMS_TEXT })).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Send test message" })).toHaveCount(0);

  await table.getByRole("button", { name: `Open SMS to ${PHONE}` }).click();
  const drawer = page.getByRole("dialog", { name: `SMS to ${PHONE}` });
  await expect(drawer.getByTestId("message-status")).toHaveText("Delivered");
  await expect(drawer.getByRole("button", { name: "Resend" })).toHaveCount(0);

  // and the server says no as well
  const res = await page.request.post("/api/v1/sms/send", { data: { to: PHONE, text: "from a viewer" } });
  expect(res.status()).toBe(403);
});

test("an admin edits a template's SMS text with the live preview, and it is kept", async ({ page }) => {
  await signInAs(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Templates" }).click();
  await expect(page.getByRole("heading", { name: "Templates", level: 1 })).toBeVisible();
  const row = page.getByRole("table", { name: "Templates" }).getByRole("row").filter({ hasText: "weekly_report" });
  await expect(row).toContainText("Built-in");
  await row.getByRole("button", { name: "Edit SMS version of Weekly report (weekly_report)" }).click();

  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: /Weekly report · SMS/ })).toBeVisible();
  const text = dialog.getByLabel("Text", { exact: true });
  await expect(text).toHaveValue("Week {{week}}: {{orders}} orders, {{completed}} completed.");
  const preview = dialog.getByTestId("preview-text");
  await expect(preview).toHaveText("Week 2026-W48: 142 orders, 131 completed.");

  await text.fill("Week {{week}}: {{orders}} orders, {{completed}} done (e2e).");
  await expect(preview).toHaveText("Week 2026-W48: 142 orders, 131 done (e2e).");
  await expect(dialog.getByTestId("sms-counter")).toContainText("1 SMS segment");

  // without a sample value for a declared variable, the preview says so
  const sample = dialog.getByLabel("Sample data (JSON)");
  const full = await sample.inputValue();
  const without = JSON.parse(full) as Record<string, unknown>;
  delete without.completed;
  await sample.fill(JSON.stringify(without, null, 2));
  await expect(dialog.getByTestId("missing-variables")).toContainText("Missing variables: completed");
  await expect(preview).toHaveText("Week 2026-W48: 142 orders,  done (e2e).");
  await sample.fill(full);
  await expect(dialog.getByTestId("missing-variables")).toHaveCount(0);

  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Template saved")).toBeVisible();

  // the editor's address survives a reload, and so does the text
  await expect(page).toHaveURL(/template=/);
  await page.reload();
  const again = page.getByRole("dialog");
  await expect(again.getByLabel("Text", { exact: true })).toHaveValue("Week {{week}}: {{orders}} orders, {{completed}} done (e2e).");
  await expect(again.getByTestId("preview-text")).toHaveText("Week 2026-W48: 142 orders, 131 done (e2e).");
  // built-in templates cannot be deleted
  await expect(again.getByRole("button", { name: "Delete" })).toHaveCount(0);
});
