// The Resolve dialog's rule, shared by the Alerts page (checked before anything is sent) and
// POST /api/v1/alerts/{id}/resolve: in words a person reads.
import { describe, expect, it } from "vitest";
import { checkForm } from "@/lib/client/form";
import { resolveAlertInput } from "@/lib/alerts/contract";

describe("resolveAlertInput", () => {
  it("a note over 1000 characters is named at the note; an unknown field by its name", () => {
    const r = checkForm(resolveAlertInput, { note: "x".repeat(1001), by: "me" }, (p) => (p === "note" ? "note" : null));
    expect(r).toEqual({ ok: false, fields: { note: "At most 1000 characters" }, form: 'by: Unknown field "by"' });
  });

  it("no body, an empty body and a note with spaces around it pass", () => {
    expect(resolveAlertInput.parse(undefined)).toEqual({});
    expect(resolveAlertInput.parse({})).toEqual({});
    expect(resolveAlertInput.parse({ note: "  restarted the bot  " })).toEqual({ note: "restarted the bot" });
  });
});
