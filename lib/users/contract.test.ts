// The invitation page's password rule, shared by the page (checked before anything is sent) and
// POST /api/v1/invites/accept: in words a person reads.
import { describe, expect, it } from "vitest";
import { checkForm } from "@/lib/client/form";
import { acceptInviteInput } from "@/lib/users/contract";

const token = "t".repeat(32);

describe("acceptInviteInput", () => {
  it("a short or missing password is named in words", () => {
    expect(checkForm(acceptInviteInput, { token, password: "short" }, (p) => p)).toEqual({ ok: false, fields: { password: "At least 10 characters" }, form: null });
    expect(checkForm(acceptInviteInput, { token }, (p) => p)).toMatchObject({ ok: false, fields: { password: "Required" } });
    expect(checkForm(acceptInviteInput, { token, password: "x".repeat(201) }, (p) => p)).toMatchObject({ fields: { password: "At most 200 characters" } });
  });

  it("a password of 10 characters or more passes", () => {
    expect(acceptInviteInput.parse({ token, password: "nina-password-123" })).toEqual({ token, password: "nina-password-123" });
  });
});
