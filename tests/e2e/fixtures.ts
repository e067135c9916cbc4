import { readFileSync } from "node:fs";
import path from "node:path";
import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";

export type Stack = {
  baseURL: string;
  sandboxUrl: string;
  controlUrl: string;
  keyRing: string;
  users: Record<"admin" | "dispatcher" | "viewer", { email: string; password: string; name: string }>;
  /** "Olga Driver" and "Pavel Driver", active, each with a vehicle (E2E001, E2E002) */
  drivers: { id: string; name: string }[];
};

export function stack(): Stack {
  return JSON.parse(readFileSync(path.resolve("tests/.tmp/e2e-state.json"), "utf8"));
}

// Every test fails on a console error or an uncaught page error in any page it opens (its own
// context, asAdmin's, or one a test makes and passes to watchErrors). The only standing
// exception is the offline map tiles (MAP_TILE_URL points at a closed port in the e2e stack);
// a test whose subject is an error the browser reports names it with allowConsoleError().
// (port 9 is on Chromium's list of unsafe ports: it refuses the tile requests itself, ERR_UNSAFE_PORT)
const STANDING_ALLOW = [/^Failed to load resource: net::ERR_(CONNECTION_REFUSED|UNSAFE_PORT) \(http:\/\/127\.0\.0\.1:9\//];
let problems: string[] = [];
let allowed: RegExp[] = [];
const watched = new WeakSet<BrowserContext>();

function report(kind: string, text: string) {
  if ([...STANDING_ALLOW, ...allowed].some((re) => re.test(text))) return;
  problems.push(`${kind}: ${text}`);
}

/** Watches a context the test made itself (the test's own context and asAdmin's are watched already). */
export function watchErrors(ctx: BrowserContext) {
  if (watched.has(ctx)) return;
  watched.add(ctx);
  ctx.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const where = msg.location()?.url;
    report("console error", where && !msg.text().includes(where) ? `${msg.text()} (${where})` : msg.text());
  });
  ctx.on("weberror", (e) => report("page error", e.error().stack ?? e.error().message));
}

/**
 * For a test that looks inside an e-mail body: e-mails are shown in a sandboxed frame with no
 * scripts (sandbox="", srcdoc), and Playwright's own selector engine runs in every frame, which
 * Chromium reports as "Blocked script execution in 'about:srcdoc'" (microsoft/playwright#33343).
 * A person's browser logs nothing there; only these frames are allowed, not scripts elsewhere.
 */
export function allowPlaywrightInSandboxedFrames() {
  allowed.push(/^Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed and the 'allow-scripts' permission is not set\./);
}

/** For a test whose subject is an error the browser reports (e.g. a refused request). */
export function allowConsoleError(re: RegExp) {
  allowed.push(re);
}

export const test = base.extend<{ s: Stack; consoleGuard: void }>({
  s: async ({}, use) => use(stack()),
  baseURL: async ({}, use) => use(stack().baseURL),
  context: async ({ context }, use) => {
    watchErrors(context);
    await use(context);
  },
  consoleGuard: [
    async ({ context }, use) => {
      problems = [];
      allowed = [];
      void context;
      await use();
      const found = problems;
      problems = [];
      expect(found, "console errors or page errors during the test").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview", exact: true, level: 1 })).toBeVisible();
}

export async function signInAs(page: Page, role: keyof Stack["users"]) {
  const u = stack().users[role];
  await signIn(page, u.email, u.password);
}

/** Setup as the admin in a context of its own (the test's page stays signed out). */
export async function asAdmin<T>(browser: Browser, fn: (page: Page) => Promise<T>): Promise<T> {
  const ctx = await browser.newContext({ baseURL: stack().baseURL });
  watchErrors(ctx);
  try {
    const page = await ctx.newPage();
    await signInAs(page, "admin");
    return await fn(page);
  } finally {
    await ctx.close();
  }
}

export function botToken() {
  const id = 7100000000 + Math.floor(Math.random() * 999_999);
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return `${id}:AA${Array.from({ length: 33 }, () => chars[Math.floor(Math.random() * chars.length)]).join("")}`;
}

/**
 * A Telegram integration whose connection test fails (the sandbox refuses its token once):
 * it is in error, and the workers' alert rules open an alert for it. Returns its id.
 */
export async function failingTelegramBot(page: Page, name: string): Promise<string> {
  const token = botToken();
  const fault = await fetch(`${stack().sandboxUrl}/__control/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ provider: "telegram", path: `bot${token.split(":")[0]}:.*/getMe$`, status: 401, times: 1, body: { ok: false, error_code: 401, description: "Unauthorized" } }),
  });
  expect(fault.status).toBe(201);
  const created = await page.request.post("/api/v1/integrations", { data: { provider: "telegram", name, mode: "sandbox", credentials: { botToken: token } } });
  expect(created.status(), await created.text()).toBe(201);
  const id = ((await created.json()) as { id: string }).id;
  const tested = await page.request.post(`/api/v1/integrations/${id}/test`);
  expect(((await tested.json()) as { ok: boolean }).ok).toBe(false);
  return id;
}

export async function control(path: string, body: unknown = {}) {
  const res = await fetch(`${stack().controlUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`control ${path}: ${JSON.stringify(json)}`);
  return json;
}
