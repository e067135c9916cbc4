// Accessibility: axe-core's WCAG 2.0/2.1 A and AA rules on every screen (every page under
// app/(dashboard), a payment's page, an integration's page and settings, and the sign-in page),
// in the light and the dark theme, with data on the screens: an SMS integration and a message
// sent through it, a YooKassa payment link, a Telegram integration whose test fails (so an
// alert opens). Any violation fails the test; the log lists, per screen, what axe found.
// One signed-in context is shared by every screen, so the whole file stays within a few minutes.
import { randomBytes, randomUUID } from "node:crypto";
import { AxeBuilder } from "@axe-core/playwright";
import type { BrowserContext, Locator, Page } from "@playwright/test";
import { test, expect, signInAs, failingTelegramBot, watchErrors, stack } from "./fixtures";
import { createIntegration } from "./api";

test.describe.configure({ mode: "serial" });

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const SUFFIX = Math.floor(Math.random() * 9000) + 1000;
const SMS_NAME = `A11y SMS ${SUFFIX}`;
const SMS_TEXT = `Accessibility tour ${SUFFIX}`;
const PAY_NAME = `A11y YooKassa ${SUFFIX}`;
const PAY_DESCRIPTION = `A11y transfer ${SUFFIX}`;
const BOT_NAME = `A11y bot ${SUFFIX}`;

type Screen = { path: string; heading: string | RegExp; ready?: (page: Page) => Locator };

let ctx: BrowserContext;
let page: Page;
let screens: Screen[] = [];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(60_000);
  ctx = await browser.newContext({ baseURL: stack().baseURL });
  watchErrors(ctx);
  page = await ctx.newPage();
  await signInAs(page, "admin");

  // a Telegram integration the sandbox refuses: in error, and an alert opens for it
  await failingTelegramBot(page, BOT_NAME);

  // an SMS integration and one message through it (Messages, Logs, the sandbox inbox)
  const smsId = (await createIntegration(page, { provider: "smsru", name: SMS_NAME, mode: "sandbox", credentials: { apiId: randomUUID() }, config: {} })).id;
  const sent = await page.request.post("/api/v1/sms/send", { data: { to: "+79990007799", text: SMS_TEXT, integrationId: smsId } });
  expect(sent.status(), await sent.text()).toBe(202);

  // a payment link in roubles (YooKassa sandbox)
  const yk = await page.request.post("/api/v1/integrations", {
    data: { provider: "yookassa", name: PAY_NAME, mode: "sandbox", credentials: { shopId: "512345", secretKey: `test_${randomBytes(24).toString("base64url")}` } },
  });
  expect(yk.status(), await yk.text()).toBe(201);
  const ykId = ((await yk.json()) as { id: string }).id;
  const paid = await page.request.post("/api/v1/payments", { data: { amountMinor: 150000, currency: "RUB", integrationId: ykId, description: PAY_DESCRIPTION, customerEmail: "payer@a11y.test" } });
  expect(paid.status(), await paid.text()).toBe(201);
  const paymentId = ((await paid.json()) as { id: string }).id;

  const row = (name: string | RegExp) => (p: Page) => p.getByRole("row").filter({ hasText: name }).first();
  screens = [
    { path: "/", heading: "Overview" },
    { path: "/integrations", heading: "Integrations", ready: (p) => p.getByText(SMS_NAME).first() },
    { path: "/integrations/new", heading: /integration/i },
    { path: `/integrations/${smsId}`, heading: SMS_NAME },
    { path: `/integrations/${smsId}/settings`, heading: /Settings|SMS/ },
    { path: "/logs", heading: "Logs", ready: (p) => p.getByRole("table").getByRole("row").nth(1) },
    { path: "/webhooks", heading: "Webhooks" },
    { path: "/jobs", heading: /Jobs|Sync/ },
    { path: "/messages", heading: "Messages", ready: row(SMS_TEXT) },
    { path: "/messages/templates", heading: /Templates/ },
    { path: "/sandbox", heading: /Sandbox/, ready: (p) => p.getByText(SMS_TEXT).first() },
    { path: "/payments", heading: "Payments", ready: row(PAY_DESCRIPTION) },
    { path: `/payments/${paymentId}`, heading: /^Payment /, ready: (p) => p.getByTestId("payment-status") },
    { path: "/map", heading: /Map/ },
    { path: "/calls", heading: /Calls/ },
    { path: "/calendar", heading: /Calendar/ },
    { path: "/meetings", heading: /Meetings/ },
    { path: "/contacts", heading: /Contacts/ },
    { path: "/erp", heading: /1C|ERP/ },
    { path: "/telegram", heading: /Telegram/ },
    { path: "/exports", heading: /Exports/ },
    { path: "/alerts", heading: "Alerts", ready: row(BOT_NAME) },
    { path: "/users", heading: "Users" },
    { path: "/api-keys", heading: "API keys" },
    { path: "/audit", heading: "Audit trail" },
    { path: "/settings", heading: "Settings" },
    { path: "/docs", heading: "API documentation" },
  ];
});

test.afterAll(async () => {
  await ctx?.close();
});

/** Waits for the screen to settle: its heading, its data, no skeletons or busy regions. */
async function settle(p: Page, s: Screen) {
  await expect(p.getByRole("heading", { level: 1 }).filter({ hasText: s.heading }).first()).toBeVisible();
  if (s.ready) await expect(s.ready(p)).toBeVisible({ timeout: 30_000 });
  await expect(p.locator('[data-slot="skeleton"], [aria-busy="true"]')).toHaveCount(0, { timeout: 15_000 });
  // fonts and the theme's transition-free repaint
  await p.evaluate(() => document.fonts.ready.then(() => undefined));
}

function describe(v: Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"][number]) {
  return v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")} — ${n.failureSummary?.split("\n").slice(1).join(" ").trim()}`);
}

async function scan(p: Page, label: string, counts: string[]) {
  const started = Date.now();
  // only violations are collected (passes and incomplete results cost time and are not used);
  // withTags after options(), which replaces the whole options object
  const result = await new AxeBuilder({ page: p }).options({ resultTypes: ["violations"] }).withTags(TAGS).analyze();
  const found = result.violations.flatMap(describe);
  counts.push(`${label}: ${found.length} elements${result.violations.length ? ` (${result.violations.map((v) => `${v.id}×${v.nodes.length}`).join(", ")})` : ""}, axe ${Date.now() - started} ms`);
  expect.soft(found, `axe violations on ${label}`).toEqual([]);
}

type Theme = "light" | "dark";
const other = (t: Theme): Theme => (t === "light" ? "dark" : "light");

/** Switches the theme as next-themes does between tabs (its storage listener), without a reload. */
async function useTheme(p: Page, theme: Theme) {
  await p.evaluate((t) => {
    localStorage.setItem("theme", t);
    window.dispatchEvent(new StorageEvent("storage", { key: "theme", newValue: t }));
  }, theme);
  await expectTheme(p, theme);
}
async function expectTheme(p: Page, theme: Theme) {
  await expect(p.locator("html")).toHaveClass(theme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
}

// Each screen is opened once and scanned in the theme it loaded in (the one last chosen, as a
// person's choice persists), then in the other: both themes at the cost of one navigation.
test("every screen passes axe's WCAG 2.1 A/AA rules in the light and the dark theme", async ({ browser }) => {
  test.setTimeout(240_000);
  const counts: string[] = [];

  // signed out: the sign-in page, in a context of its own
  const out = await browser.newContext({ baseURL: stack().baseURL });
  watchErrors(out);
  // (the init script also runs in the first about:blank, where storage is off limits)
  await out.addInitScript(() => location.protocol.startsWith("http") && !localStorage.getItem("theme") && localStorage.setItem("theme", "light"));
  try {
    const login = await out.newPage();
    await login.goto("/login");
    await expect(login.getByRole("button", { name: "Sign in" })).toBeVisible();
    await expectTheme(login, "light");
    await scan(login, "/login (light)", counts);
    await useTheme(login, "dark");
    await scan(login, "/login (dark)", counts);
  } finally {
    await out.close();
  }

  let theme: Theme = "light";
  await page.evaluate((t) => localStorage.setItem("theme", t), theme);
  for (const s of screens) {
    const label = s.path.replace(/[0-9a-f-]{36}/, ":id");
    await page.goto(s.path);
    await expectTheme(page, theme);
    await settle(page, s);
    await scan(page, `${label} (${theme})`, counts);
    theme = other(theme);
    await useTheme(page, theme);
    await scan(page, `${label} (${theme})`, counts);
  }
  console.log(`axe (WCAG 2.1 A/AA), per screen and theme:\n  ${counts.join("\n  ")}`);
});
