// Every provider's emulator, derived from the provider registry: a provider with a sandbox
// declares it in its definition (`sandbox: () => import("./sandbox")`), so a new provider adds
// nothing here.
import type { SandboxModule } from "@/lib/sandbox/kit";
import { listProviders } from "@/lib/providers/registry";

/** The emulators of every registered provider that has one, in the registry's order. */
export async function loadSandboxModules(): Promise<SandboxModule[]> {
  const loaders = listProviders().flatMap((p) => (p.sandbox ? [p.sandbox] : []));
  return (await Promise.all(loaders.map((load) => load()))).map((m) => m.default);
}
