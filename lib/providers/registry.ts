// Provider id -> definition. A new provider is one folder and one line here.
import type { ProviderDefinition } from "@/lib/providers/types";
import telegram from "@/lib/providers/telegram";
import genericWebhook from "@/lib/providers/generic-webhook";

const all: ProviderDefinition[] = [telegram, genericWebhook];

export const providers: ReadonlyMap<string, ProviderDefinition> = new Map(all.map((p) => [p.id, p]));

export function getProvider(id: string): ProviderDefinition | undefined {
  return providers.get(id);
}

export function listProviders(): ProviderDefinition[] {
  return [...providers.values()];
}

export function providersWith(capability: string): ProviderDefinition[] {
  return all.filter((p) => p.capabilities.includes(capability));
}
