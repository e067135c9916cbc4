// docs/configuration.md is generated from lib/env.ts (scripts/docs-config.ts): this fails when
// a variable, its default or its description changed without regenerating the page.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CONFIG_DOC, EXTRA_VARIABLES, renderConfigurationDoc } from "@/scripts/docs-config";
import { envSchema } from "@/lib/env";

describe("docs/configuration.md", () => {
  it("is what `npm run docs:config` generates from lib/env.ts", () => {
    const onDisk = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", CONFIG_DOC), "utf8");
    const generated = renderConfigurationDoc();
    if (onDisk !== generated) {
      const a = onDisk.split("\n");
      const b = generated.split("\n");
      const line = a.findIndex((l, i) => l !== b[i]);
      expect.fail(
        `${CONFIG_DOC} is out of date: run npm run docs:config\n` +
          `first difference at line ${line + 1}:\n  on disk:   ${a[line] ?? "(end of file)"}\n  generated: ${b[line] ?? "(end of file)"}`,
      );
    }
  });

  it("lists every variable once, each with a description", () => {
    const generated = renderConfigurationDoc();
    const names = [...Object.keys(envSchema.shape), ...EXTRA_VARIABLES.map((v) => v.name)];
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(generated.match(new RegExp(`^\\| \`${name}\` \\|`, "gm")), name).toHaveLength(1);
    }
    for (const [name, field] of Object.entries(envSchema.shape)) expect(field.description, name).toBeTruthy();
  });

  it("is the same text every time it is generated", () => {
    expect(renderConfigurationDoc()).toBe(renderConfigurationDoc());
  });
});
