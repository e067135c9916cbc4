// Issue 15's front-door controls, against the real production server (scripts/server.ts in
// front of Next.js), where the integration tests can only reach its pieces.
import { test, expect, signInAs } from "./fixtures";

test("a path segment that does not percent-decode is a 400 in the error shape, on API and webhook routes, signed in or not", async ({ request }) => {
  for (const path of ["/api/v1/alerts/%ff", "/api/webhooks/stripe/%ff", "/api/v1/payments/%E0%A4%A"]) {
    const r = await request.get(path);
    expect(r.status(), path).toBe(400);
    expect(r.headers()["content-type"]).toContain("application/json");
    const body = await r.json();
    expect(body.error.code).toBe("validation_failed");
  }
});

test("a sign-in post of 1 MB is refused at the front with 413 in the error shape", async ({ request }) => {
  const r = await request.post("/api/auth/callback/credentials", {
    headers: { "content-type": "application/x-www-form-urlencoded" },
    data: `email=a%40b.c&password=${"x".repeat(1024 * 1024)}`,
  });
  expect(r.status()).toBe(413);
  expect((await r.json()).error.code).toBe("payload_too_large");
});

test("a signed-in change from another site is refused (CSRF), the same change from the app is not", async ({ page }) => {
  await signInAs(page, "admin");
  const evil = await page.request.post("/api/v1/api-keys", {
    headers: { origin: "https://evil.example" },
    data: { name: "cross-site", scopes: ["logs:read"] },
  });
  expect(evil.status()).toBe(403);
  expect((await evil.json()).error.code).toBe("csrf");
  const own = await page.request.post("/api/v1/api-keys", {
    headers: { origin: new URL(page.url()).origin },
    data: { name: "same-site", scopes: ["logs:read"] },
  });
  expect(own.status()).toBe(201);
});

test("the icon a browser asks for on its own (/favicon.ico) is there, not a 404 in the console", async ({ request }) => {
  const res = await request.get("/favicon.ico");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^image\/svg\+xml/);
});
