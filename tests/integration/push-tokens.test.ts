// POST/DELETE /api/v1/push/register-token: mobile apps register their FCM device tokens for
// a driver or a user; re-registering updates (and re-assigns) instead of duplicating.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { DELETE, POST } from "@/app/api/v1/push/register-token/route";
import { listDeviceTokens, tokensFor } from "@/lib/messaging/devices";
import { call } from "@/tests/helpers/http";
import { createKey, createUser } from "@/tests/helpers/fixtures";
import { snakeKeys } from "@/tests/helpers/case";

const URL = "/api/v1/push/register-token";
const fcmToken = () => `e${randomBytes(20).toString("base64url")}:APA91b${randomBytes(90).toString("base64url")}`;
const driver = (name = "Ivan Petrov") => db.driver.create({ data: { name, phone: `+7900${Math.floor(1e6 + Math.random() * 8e6)}` } });

describe("push device token registration", () => {
  it("an API key with push:register registers a driver's device, answering 201 without echoing the token", async () => {
    const { key } = await createKey(["push:register"]);
    const d = await driver();
    const token = fcmToken();
    const r = await call(POST, {
      url: URL,
      bearer: key,
      body: { token, device_type: "android", device_name: "Samsung Galaxy S21", driver_id: d.id }, // alias (docs/api-compat.md)
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      id: expect.any(String),
      platform: "android",
      deviceName: "Samsung Galaxy S21",
      driverId: d.id,
      userId: null,
      tokenPreview: `${token.slice(0, 8)}…${token.slice(-4)}`,
    });
    expect(new Date(r.json.lastSeenAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(r.text).not.toContain(token);
    const rows = await db.deviceToken.findMany({ where: { token } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: r.json.id, platform: "android", driverId: d.id });
    expect(await tokensFor({ driverId: d.id })).toEqual([token]);
  });

  it("re-registering the same token updates it (200) and moves it to its new owner, never duplicating", async () => {
    const { key } = await createKey(["push:register"]);
    const [a, b] = [await driver("Driver A"), await driver("Driver B")];
    const token = fcmToken();
    const first = await call(POST, { url: URL, bearer: key, body: { token, device_type: "android", device_name: "Old phone", driver_id: a.id } }); // alias (docs/api-compat.md)
    expect(first.status).toBe(201);
    await new Promise((r) => setTimeout(r, 20)); // a real clock: lastSeenAt must be a later millisecond (no clock injection here)

    // camelCase (the documented names); the phone was handed to driver B
    const again = await call(POST, { url: URL, bearer: key, body: { token, deviceType: "ios", deviceName: "iPhone 15", driverId: b.id } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, platform: "ios", deviceName: "iPhone 15", driverId: b.id });
    expect(new Date(again.json.lastSeenAt).getTime()).toBeGreaterThan(new Date(first.json.lastSeenAt).getTime());
    expect(await db.deviceToken.count({ where: { token } })).toBe(1);
    expect(await tokensFor({ driverId: a.id })).toEqual([]);
    expect(await tokensFor({ driverId: b.id })).toEqual([token]);

    // an app refreshing its token without saying whose it is keeps the owner
    const refresh = await call(POST, { url: URL, bearer: key, body: { token, device_type: "ios" } }); // alias (docs/api-compat.md)
    expect(refresh.status).toBe(200);
    expect(refresh.json).toMatchObject({ driverId: b.id, deviceName: "iPhone 15" });
  });

  it("a signed-in dispatcher naming nobody registers the device for themselves; a viewer may not", async () => {
    const me = await createUser("dispatcher");
    const token = fcmToken();
    const r = await call(POST, { url: URL, cookie: me.cookie, body: { token, device_type: "web", device_name: "Chrome on the dispatch PC" } }); // alias (docs/api-compat.md)
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ userId: me.id, driverId: null, platform: "web" });
    expect((await listDeviceTokens({ userId: me.id })).map((d) => d.token)).toEqual([token]);

    const viewer = await createUser("viewer");
    const denied = await call(POST, { url: URL, cookie: viewer.cookie, body: { token: fcmToken(), device_type: "web" } }); // alias (docs/api-compat.md)
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe("forbidden");
  });

  it("an unknown driver or user is 404", async () => {
    const { key } = await createKey(["push:register"]);
    const token = fcmToken();
    const r = await call(POST, { url: URL, bearer: key, body: { token, device_type: "android", driver_id: "00000000-0000-4000-8000-000000000001" } }); // alias (docs/api-compat.md)
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: { code: "not_found", message: "Driver not found" } });
    const u = await call(POST, { url: URL, bearer: key, body: { token, device_type: "android", user_id: "00000000-0000-4000-8000-000000000002" } }); // alias (docs/api-compat.md)
    expect(u.status).toBe(404);
    expect(u.json.error.message).toBe("User not found");
    expect(await db.deviceToken.count({ where: { token } })).toBe(0);
  });

  it("an API key without push:register is 403; no key is 401", async () => {
    const { key } = await createKey(["messages:read"]);
    const r = await call(POST, { url: URL, bearer: key, body: { token: fcmToken(), device_type: "android" } }); // alias (docs/api-compat.md)
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ error: { code: "forbidden", message: 'The API key lacks the "push:register" scope' } });
    const anon = await call(POST, { url: URL, body: { token: fcmToken(), device_type: "android" } }); // alias (docs/api-compat.md)
    expect(anon.status).toBe(401);
  });

  it("invalid bodies are 400 in the project's error shape, naming the fields", async () => {
    const { key } = await createKey(["push:register"]);
    const bad = async (body: unknown) => {
      const r = await call(POST, { url: URL, bearer: key, body });
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: "validation_failed", message: "The request body is invalid" });
      return (r.json.error.details as { path: string; message: string }[]).map((d) => d.path);
    };
    // the details name each field by its documented (camelCase) name, whichever name was sent
    expect(await bad({ token: fcmToken() })).toEqual(["deviceType"]);
    expect(await bad({ token: fcmToken(), device_type: "blackberry" })).toEqual(["deviceType"]); // alias (docs/api-compat.md)
    expect(await bad({ token: fcmToken(), deviceType: "blackberry" })).toEqual(["deviceType"]);
    expect(await bad({ token: "two words", device_type: "ios" })).toEqual(["token"]); // alias (docs/api-compat.md)
    expect(await bad({ token: "x".repeat(4097), deviceType: "ios" })).toEqual(["token"]);
    expect(await bad({ token: "", deviceType: "ios" })).toEqual(["token"]);
    expect(await bad({ token: fcmToken(), device_type: "ios", driver_id: "42" })).toEqual(["driverId"]); // alias (docs/api-compat.md)
    expect(await bad({ token: fcmToken(), deviceType: "ios", driverId: "42" })).toEqual(["driverId"]);
    // both names of one field: the old one is to be left out, even when they agree
    expect(await bad({ token: fcmToken(), device_type: "ios", deviceType: "android" })).toEqual(["device_type"]);
    expect(await bad({ token: fcmToken(), deviceType: "ios", driverId: "00000000-0000-4000-8000-000000000001", driver_id: "00000000-0000-4000-8000-000000000001" })).toEqual(["driver_id"]);
  });

  it("DELETE forgets a token; forgetting it twice is 404", async () => {
    const { key } = await createKey(["push:register"]);
    const d = await driver();
    const token = fcmToken();
    await call(POST, { url: URL, bearer: key, body: { token, device_type: "android", driver_id: d.id } }); // alias (docs/api-compat.md)
    const del = await call(DELETE, { url: URL, method: "DELETE", bearer: key, body: { token } });
    expect(del.status).toBe(200);
    expect(await tokensFor({ driverId: d.id })).toEqual([]);
    const again = await call(DELETE, { url: URL, method: "DELETE", bearer: key, body: { token } });
    expect(again.status).toBe(404);
  });

  it("a driver's device key registers only for its own driver: another driver is 403 and nothing is written", async () => {
    const [mine, other] = [await driver("Key's driver"), await driver("Other driver")];
    const { key } = await createKey(["push:register"], { driverId: mine.id });
    const token = fcmToken();
    for (const body of [
      { token, device_type: "android", driver_id: other.id }, // alias (docs/api-compat.md)
      { token, deviceType: "android", driverId: other.id },
      { token, device_type: "android", user_id: (await createUser("admin")).id }, // alias (docs/api-compat.md)
    ]) {
      const r = await call(POST, { url: URL, bearer: key, body });
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe("forbidden");
      expect(r.json.error.message).toMatch(/belongs to one driver's device/);
    }
    expect(await db.deviceToken.count({ where: { token } })).toBe(0);
    expect(await tokensFor({ driverId: other.id })).toEqual([]);

    // naming its own driver, or nobody: the key's driver
    const own = await call(POST, { url: URL, bearer: key, body: { token, device_type: "android", driver_id: mine.id } }); // alias (docs/api-compat.md)
    expect(own.status).toBe(201);
    expect(own.json).toMatchObject({ driverId: mine.id, userId: null });
    const second = fcmToken();
    const implicit = await call(POST, { url: URL, bearer: key, body: { token: second, device_type: "ios" } }); // alias (docs/api-compat.md)
    expect(implicit.status).toBe(201);
    expect(implicit.json).toMatchObject({ driverId: mine.id, userId: null });
    expect((await tokensFor({ driverId: mine.id })).sort()).toEqual([token, second].sort());

    // a token of another driver's phone cannot be taken over by naming that driver, nor forgotten
    const { key: fleet } = await createKey(["push:register"]);
    const theirs = fcmToken();
    expect((await call(POST, { url: URL, bearer: fleet, body: { token: theirs, device_type: "android", driver_id: other.id } })).status).toBe(201); // alias (docs/api-compat.md)
    const del = await call(DELETE, { url: URL, method: "DELETE", bearer: key, body: { token: theirs } });
    expect(del.status).toBe(404);
    expect(await tokensFor({ driverId: other.id })).toEqual([theirs]);
    expect((await call(DELETE, { url: URL, method: "DELETE", bearer: key, body: { token: second } })).status).toBe(200);
  });

  it("a signed-in dispatcher registers only for themselves; an admin for anyone", async () => {
    const me = await createUser("dispatcher");
    const someone = await createUser("dispatcher");
    const d = await driver();
    const token = fcmToken();
    for (const body of [{ token, device_type: "web", user_id: someone.id }, { token, device_type: "web", driver_id: d.id }]) { // alias (docs/api-compat.md)
      const r = await call(POST, { url: URL, cookie: me.cookie, body });
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe("forbidden");
    }
    expect(await db.deviceToken.count({ where: { token } })).toBe(0);
    const self = await call(POST, { url: URL, cookie: me.cookie, body: { token, device_type: "web", user_id: me.id } }); // alias (docs/api-compat.md)
    expect(self.status).toBe(201);
    expect(self.json).toMatchObject({ userId: me.id, driverId: null });

    const admin = await createUser("admin");
    const forSomeone = fcmToken();
    const a = await call(POST, { url: URL, cookie: admin.cookie, body: { token: forSomeone, device_type: "web", user_id: someone.id } }); // alias (docs/api-compat.md)
    expect(a.status).toBe(201);
    expect(a.json).toMatchObject({ userId: someone.id });
    const forDriver = fcmToken();
    const b = await call(POST, { url: URL, cookie: admin.cookie, body: { token: forDriver, device_type: "android", driver_id: d.id } }); // alias (docs/api-compat.md)
    expect(b.status).toBe(201);
    expect(await tokensFor({ driverId: d.id })).toEqual([forDriver]);

    // a dispatcher forgets only their own devices
    expect((await call(DELETE, { url: URL, method: "DELETE", cookie: me.cookie, body: { token: forSomeone } })).status).toBe(404);
    expect(await tokensFor({ userId: someone.id })).toEqual([forSomeone]);
    expect((await call(DELETE, { url: URL, method: "DELETE", cookie: me.cookie, body: { token } })).status).toBe(200);
    expect((await call(DELETE, { url: URL, method: "DELETE", cookie: admin.cookie, body: { token: forSomeone } })).status).toBe(200);
  });

  it("tokensFor names nobody: no tokens at all (never every device)", async () => {
    const { key } = await createKey(["push:register"]);
    await call(POST, { url: URL, bearer: key, body: { token: fcmToken(), device_type: "android" } }); // alias (docs/api-compat.md)
    expect(await db.deviceToken.count()).toBeGreaterThan(0);
    expect(await tokensFor({})).toEqual([]);
  });
});

describe("push registration names: camelCase, the old snake_case names as aliases (docs/api-compat.md)", () => {
  it("registers with every field in camelCase and answers in camelCase", async () => {
    const { key } = await createKey(["push:register"]);
    const d = await driver("Camel Driver");
    const token = fcmToken();
    const r = await call(POST, { url: URL, bearer: key, body: { token, deviceType: "android", deviceName: "Pixel 9", driverId: d.id } });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ platform: "android", deviceName: "Pixel 9", driverId: d.id, userId: null });
    expect(snakeKeys(r.json)).toEqual([]);
    const admin = await createUser("admin");
    const someone = await createUser("viewer");
    const forUser = await call(POST, { url: URL, cookie: admin.cookie, body: { token: fcmToken(), deviceType: "web", userId: someone.id } });
    expect(forUser.status, forUser.text).toBe(201);
    expect(forUser.json).toMatchObject({ userId: someone.id, platform: "web" });
  });

  it("refuses a field under both names, saying which to keep, and an unknown field by its name; nothing is written", async () => {
    const { key } = await createKey(["push:register"]);
    const token = fcmToken();
    const both = await call(POST, { url: URL, bearer: key, body: { token, deviceType: "ios", deviceName: "A", device_name: "A" } });
    expect(both.status).toBe(400);
    expect(both.json.error.details).toEqual([{ path: "device_name", message: 'Both "deviceName" and its old name "device_name" were sent: keep "deviceName" and leave out "device_name"' }]);
    const unknown = await call(POST, { url: URL, bearer: key, body: { token, deviceType: "ios", devicetype: "ios" } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('The request body has an unknown field: "devicetype"');
    expect(await db.deviceToken.count({ where: { token } })).toBe(0);
  });
});
