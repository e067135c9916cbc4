// Users: invitations, roles, deactivation, and the rule that an admin always remains.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import * as usersRoute from "@/app/api/v1/users/route";
import * as userRoute from "@/app/api/v1/users/[id]/route";
import * as reinvite from "@/app/api/v1/users/[id]/invite/route";
import * as accept from "@/app/api/v1/invites/accept/route";
import { authorizeCredentials } from "@/lib/auth/options";
import { userFromSessionToken } from "@/lib/auth/session";
import { call } from "../helpers/http";
import { createUser } from "../helpers/fixtures";

const tokenOf = (url: string) => url.split("/invite/")[1];

describe("users", () => {
  it("invites someone who sets a password through the link and can then sign in", async () => {
    const admin = await createUser("admin");
    const r = await call(usersRoute.POST, { url: "/x", cookie: admin.cookie, body: { email: "New.Person@Example.test", name: "New Person", role: "dispatcher" } });
    expect(r.status).toBe(201);
    expect(r.json.user).toMatchObject({ email: "new.person@example.test", role: "dispatcher", status: "invited" });
    expect(r.json.inviteUrl).toMatch(/^http:\/\/localhost:3000\/invite\/[A-Za-z0-9_-]{32}$/);
    const stored = await db.user.findUniqueOrThrow({ where: { email: "new.person@example.test" } });
    expect(stored.inviteTokenHash).not.toBe(tokenOf(r.json.inviteUrl)); // only a hash is kept

    const short = await call(accept.POST, { url: "/x", body: { token: tokenOf(r.json.inviteUrl), password: "short" } });
    expect(short.status).toBe(400);
    const ok = await call(accept.POST, { url: "/x", body: { token: tokenOf(r.json.inviteUrl), password: "a-long-enough-password" } });
    expect(ok.status).toBe(200);
    await expect(authorizeCredentials({ email: "new.person@example.test", password: "a-long-enough-password" }, "10.9.9.9")).resolves.toMatchObject({ id: stored.id });
    // the link works once
    const again = await call(accept.POST, { url: "/x", body: { token: tokenOf(r.json.inviteUrl), password: "another-long-password" } });
    expect(again.status).toBe(404);
  });

  it("refuses expired invitations", async () => {
    const admin = await createUser("admin");
    const r = await call(usersRoute.POST, { url: "/x", cookie: admin.cookie, body: { email: "late@example.test", name: "Late", role: "viewer" } });
    await db.user.update({ where: { email: "late@example.test" }, data: { inviteExpiresAt: new Date(Date.now() - 1000) } });
    const res = await call(accept.POST, { url: "/x", body: { token: tokenOf(r.json.inviteUrl), password: "a-long-enough-password" } });
    expect(res.status).toBe(404);
    expect(res.json.error.message).toMatch(/expired/);
    const list = await call(usersRoute.GET, { url: "/x", cookie: admin.cookie });
    expect(list.json.items.find((u: { email: string }) => u.email === "late@example.test").status).toBe("invite_expired");
  });

  it("changes roles and deactivates, ending the person's sessions", async () => {
    const admin = await createUser("admin");
    const u = await createUser("viewer", { password: "a-long-enough-password" });
    const token = u.cookie.split("=")[1];
    const promoted = await call(userRoute.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: u.id }, body: { role: "dispatcher" } });
    expect(promoted.json.role).toBe("dispatcher");
    expect(await userFromSessionToken(token)).toBeNull(); // a role change signs them out
    const off = await call(userRoute.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: u.id }, body: { active: false } });
    expect(off.json).toMatchObject({ active: false, status: "deactivated" });
    await expect(authorizeCredentials({ email: u.email, password: "a-long-enough-password" }, "10.9.9.8")).rejects.toThrow();
    const audit = await db.auditLog.findMany({ where: { entityId: u.id, action: "user.update" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.changes)).toEqual([{ role: { from: "viewer", to: "dispatcher" } }, { active: { from: true, to: false } }]);
  });

  it("never leaves the system without an active admin, and admins cannot lock themselves out", async () => {
    await db.user.updateMany({ where: { role: "admin" }, data: { role: "viewer" } });
    const admin = await createUser("admin");
    const self1 = await call(userRoute.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: admin.id }, body: { active: false } });
    expect(self1.status).toBe(409);
    const self2 = await call(userRoute.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: admin.id }, body: { role: "viewer" } });
    expect(self2.status).toBe(409);
    const other = await createUser("admin");
    // with two admins one may demote the other, but not the last one
    expect((await call(userRoute.PATCH, { method: "PATCH", url: "/x", cookie: admin.cookie, params: { id: other.id }, body: { role: "viewer" } })).status).toBe(200);
    const otherAgain = await createUser("admin");
    await db.user.update({ where: { id: admin.id }, data: { active: false } });
    const last = await call(userRoute.PATCH, { method: "PATCH", url: "/x", cookie: otherAgain.cookie, params: { id: otherAgain.id }, body: { role: "viewer" } });
    expect(last.status).toBe(409);
  });

  it("re-issues a link (password reset), and only admins manage users", async () => {
    const admin = await createUser("admin");
    const u = await createUser("viewer", { password: "a-long-enough-password" });
    const r = await call(reinvite.POST, { url: "/x", cookie: admin.cookie, params: { id: u.id } });
    expect(r.status).toBe(200);
    await call(accept.POST, { url: "/x", body: { token: tokenOf(r.json.inviteUrl), password: "a-brand-new-password" } });
    await expect(authorizeCredentials({ email: u.email, password: "a-brand-new-password" }, "10.9.9.7")).resolves.toBeTruthy();
    const dispatcher = await createUser("dispatcher");
    expect((await call(usersRoute.GET, { url: "/x", cookie: dispatcher.cookie })).status).toBe(403);
    expect((await call(usersRoute.POST, { url: "/x", cookie: dispatcher.cookie, body: { email: "x@example.test", name: "x", role: "admin" } })).status).toBe(403);
    const dup = await call(usersRoute.POST, { url: "/x", cookie: admin.cookie, body: { email: u.email, name: "dup", role: "viewer" } });
    expect(dup.status).toBe(409);
  });
});
