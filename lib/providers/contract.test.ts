// The provider contract (issue 17: "adding a provider really is one folder"). Walks every
// registered provider and checks that its folder has what the rest of the product derives from
// it: an emulator the sandbox server loads, a demo entry the seed creates (valid for the
// provider's own credentials and config schemas), its webhook verification in its own
// verify.ts, and a test file that exercises its failures. A new provider that misses one fails
// here, naming the folder and the missing piece.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listProviders } from "@/lib/providers/registry";
import { bindingOf } from "@/lib/providers/bindings";
import { loadSandboxModules } from "@/lib/sandbox/modules";

const root = path.resolve(__dirname);
const folder = (id: string) => path.join(root, id);

describe("every registered provider is one folder with everything the product derives from it", () => {
  const providers = listProviders();

  it("the registry lists each provider folder once, and each folder is registered", () => {
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, "index.ts")))
      .map((d) => d.name)
      .sort();
    expect(providers.map((p) => p.id).sort()).toEqual(folders);
  });

  for (const def of providers) {
    describe(def.id, () => {
      it("has an emulator, loaded by the sandbox server under its id", async () => {
        expect(def.sandbox, `lib/providers/${def.id}: declare sandbox: () => import("./sandbox")`).toBeTypeOf("function");
        const mod = (await def.sandbox!()).default;
        expect(mod.id).toBe(def.id);
        expect((await loadSandboxModules()).map((m) => m.id)).toContain(def.id);
      });

      it("has a demo entry the seed can create: valid credentials and config for its own schemas", () => {
        const entries = def.demo?.() ?? [];
        expect(entries.length, `lib/providers/${def.id}/demo.ts: at least one demo integration`).toBeGreaterThan(0);
        for (const e of entries) {
          expect(e.mode).toBe("sandbox");
          const cred = def.credentials.safeParse(e.credentials);
          expect(cred.success, `${def.id} demo credentials: ${cred.error?.message}`).toBe(true);
          const conf = def.config.safeParse(e.config ?? {});
          expect(conf.success, `${def.id} demo config: ${conf.error?.message}`).toBe(true);
        }
        // secrets are made when the seed runs: two calls never share one
        if (def.demo) expect(JSON.stringify(def.demo()[0].credentials)).not.toBe(JSON.stringify(def.demo()[0].credentials));
      });

      if (def.webhook) {
        it("verifies its webhooks in its own folder (verify.ts), by itself or through the area bound to it", () => {
          expect(existsSync(path.join(folder(def.id), "verify.ts")), `lib/providers/${def.id}/verify.ts`).toBe(true);
          const verify = def.webhook!.verify ?? bindingOf(def.id).webhook?.verify;
          expect(verify, `${def.id}: webhook.verify in the definition, or bound by its area`).toBeTypeOf("function");
        });
      }

      it("has a test file that exercises its failures", () => {
        const file = path.join(folder(def.id), `${def.id}.test.ts`);
        expect(existsSync(file), `lib/providers/${def.id}/${def.id}.test.ts`).toBe(true);
        const text = readFileSync(file, "utf8");
        // an injected fault in its sandbox, or a failure the test expects (the shared failure()
        // helper, rejects, toThrow): a bare mention of an error class does not count
        expect(text).toMatch(/fault\(|__control\/faults|failure\(|rejects\.|toThrow/);
      });
    });
  }
});
