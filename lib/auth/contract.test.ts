// The sign-in form's rules, shared by the login page (checked before anything is sent) and
// next-auth's authorize: every field's problem at once, in words a person reads.
import { describe, expect, it } from "vitest";
import { signInErrors, signInInput } from "@/lib/auth/contract";

describe("signInErrors", () => {
  it("an empty form names both fields", () => {
    expect(signInErrors({ email: "", password: "" })).toEqual({ email: "Enter your email", password: "Enter your password" });
    expect(signInErrors({ email: "   ", password: "" })).toEqual({ email: "Enter your email", password: "Enter your password" });
  });

  it("a malformed email is named as such, a filled form passes", () => {
    expect(signInErrors({ email: "nina", password: "x" })).toEqual({ email: "Enter a valid email address" });
    expect(signInErrors({ email: " Nina@E2E.test ", password: "x" })).toBeNull();
    expect(signInInput.parse({ email: " Nina@E2E.test ", password: "x" }).email).toBe("nina@e2e.test");
  });
});
