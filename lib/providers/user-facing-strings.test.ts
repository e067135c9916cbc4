// What a provider definition says to people (its name, description, field titles and help, sync
// types, the webhook verification line on the integration page) is product wording: developer
// marks such as UNCONFIRMED and environment variable names belong in code comments and docs only
// (issue 16 item 6).
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { listProviders } from "@/lib/providers/registry";

/** An environment-variable-looking token: upper case words joined by underscores (YOOKASSA_ALLOWED_IPS). */
const ENV_TOKEN = /\b[A-Z][A-Z0-9]*_[A-Z0-9]+(?:_[A-Z0-9]+)*\b/;
const DEV_MARK = /\b(UNCONFIRMED|TODO|FIXME|XXX)\b/;

/** a field's title and help; the field's own choices (PayPal's LOGIN, GUEST_CHECKOUT) may be named in it */
function fieldStrings(schema: z.ZodObject): string[] {
  const out = new Set<string>();
  for (const [key, s] of Object.entries(schema.shape)) {
    const meta = (s as z.ZodType).meta() as { title?: unknown; description?: unknown } | undefined;
    const json = z.toJSONSchema(s as z.ZodType, { io: "input", unrepresentable: "any" }) as { enum?: unknown[] };
    const choices = (json.enum ?? []).filter((v): v is string => typeof v === "string");
    for (const v of [meta?.title, meta?.description, (s as z.ZodType).description]) {
      if (typeof v === "string") out.add(`${key}: ${choices.reduce((t, c) => t.split(c).join("choice"), v)}`);
    }
  }
  return [...out];
}

describe("providers' user-facing strings", () => {
  const providers = listProviders();
  it("covers every provider", () => {
    expect(providers.length).toBeGreaterThan(10);
  });
  for (const p of providers) {
    it(`${p.id}: no developer marks or environment variable names`, () => {
      const strings = [
        `name: ${p.name}`,
        `description: ${p.description}`,
        ...fieldStrings(p.credentials).map((s) => `credentials.${s}`),
        ...fieldStrings(p.config).map((s) => `config.${s}`),
        ...(p.sync?.types ?? []).flatMap((t) => [`sync.${t.id}: ${t.label}`, `sync.${t.id}: ${t.description}`]),
        ...(p.webhook ? [`webhook.scheme: ${p.webhook.scheme}`] : []),
      ];
      const bad = strings.filter((s) => DEV_MARK.test(s) || ENV_TOKEN.test(s.replace(/^[\w.]+: /, "")));
      expect(bad).toEqual([]);
    });
  }
});
