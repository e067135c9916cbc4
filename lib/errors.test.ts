// zod's issues in plain English: every common issue code, through zodDetails (the API's
// details) and through a bare safeParse (what the dashboard's forms run).
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { humanIssue, zodDetails } from "@/lib/errors";

const detailsOf = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error("expected a failure");
  return zodDetails(r.error);
};
const messageOf = (schema: z.ZodType, value: unknown) => detailsOf(schema, value)[0].message;

describe("zod issues in plain English", () => {
  it.each([
    ["missing string", z.strictObject({ a: z.string() }), {}, "Required"],
    ["missing number", z.strictObject({ a: z.number() }), {}, "Required"],
    ["null for a string", z.strictObject({ a: z.string() }), { a: null }, "Required"],
    ["wrong type: number", z.number(), "x", "Enter a number"],
    ["wrong type: int", z.int(), 1.5, "Enter a whole number"],
    ["wrong type: string", z.string(), 5, "Enter text"],
    ["wrong type: boolean", z.boolean(), "yes", "Choose yes or no"],
    ["wrong type: array", z.array(z.string()), "x", "Enter a list"],
    ["empty string, min 1", z.string().trim().min(1), "   ", "Required"],
    ["short string", z.string().min(8), "abc", "Enter at least 8 characters"],
    ["exact length", z.string().length(4), "abc", "Enter exactly 4 characters"],
    ["long string", z.string().max(3), "abcd", "Enter at most 3 characters"],
    ["small number", z.number().min(5), 1, "Enter 5 or more"],
    ["positive number", z.number().positive(), 0, "Enter a number greater than 0"],
    ["big number", z.number().max(10), 11, "Enter 10 or less"],
    ["empty list", z.array(z.string()).min(1), [], "Add at least one"],
    ["long list", z.array(z.string()).max(2), ["a", "b", "c"], "Give at most 2 items"],
    ["e-mail", z.email(), "nope", "Enter a valid e-mail address"],
    ["url", z.url(), "nope", "Enter a valid URL, e.g. https://example.com"],
    ["uuid", z.uuid(), "nope", "Not a valid id"],
    ["datetime", z.iso.datetime(), "nope", "Enter a date and time"],
    ["regex", z.string().regex(/^\d+$/), "x", "Not in the right format"],
    ["starts with", z.string().startsWith("whsec_"), "x", 'Must start with "whsec_"'],
    ["enum", z.enum(["sms", "email"]), "fax", "Choose one of: sms, email"],
    ["literal", z.literal("yes"), "no", "Must be yes"],
    ["multiple of", z.number().multipleOf(5), 7, "Enter a multiple of 5"],
    ["refine without a message", z.string().refine(() => false), "x", "Enter a valid value"],
  ])("%s", (_name, schema, value, expected) => {
    const message = messageOf(schema as z.ZodType, value);
    expect(message).toBe(expected);
    expect(message).not.toMatch(/Invalid input|expected (string|number)|Too small|Too big|received/);
  });

  it("a schema's own message wins over the map", () => {
    expect(messageOf(z.string().min(1, "Give it a name"), "")).toBe("Give it a name");
    expect(messageOf(z.string().regex(/^whsec_/, "The endpoint's signing secret starts with whsec_"), "x")).toBe("The endpoint's signing secret starts with whsec_");
  });

  it("unknown fields are named one by one, each by its own path", () => {
    expect(detailsOf(z.strictObject({ a: z.strictObject({}) }), { a: { typo: 1, other: 2 } })).toEqual([
      { path: "a.typo", message: 'Unknown field "typo"' },
      { path: "a.other", message: 'Unknown field "other"' },
    ]);
  });

  it("every field's issue is reported at once, each by its path", () => {
    const d = detailsOf(z.strictObject({ to: z.string().trim().min(1), text: z.string(), n: z.number().int() }), { to: "", n: 1.5 });
    expect(d).toEqual([
      { path: "to", message: "Required" },
      { path: "text", message: "Required" },
      { path: "n", message: "Enter a whole number" },
    ]);
  });

  it("zod's default wording arriving from elsewhere is rewritten from the issue's fields", () => {
    expect(zodDetails({ issues: [{ code: "invalid_type", expected: "string", path: ["a"], message: "Invalid input: expected string, received undefined" }] })).toEqual([{ path: "a", message: "Required" }]);
    expect(zodDetails({ issues: [{ code: "invalid_type", expected: "number", path: ["a"], message: "Invalid input: expected number, received string" }] })).toEqual([{ path: "a", message: "Enter a number" }]);
    expect(zodDetails({ issues: [{ code: "too_small", origin: "string", minimum: 1, path: ["a"], message: "Too small: expected string to have >=1 characters" }] })).toEqual([{ path: "a", message: "Required" }]);
    expect(humanIssue({ code: "invalid_value", values: ["a", "b"], path: [], message: "" })).toBe("Choose one of: a, b");
  });
});
