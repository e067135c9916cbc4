// Every provider's emulator. A new provider with a sandbox adds one line.
import type { SandboxModule } from "@/lib/sandbox/kit";
import telegram from "@/lib/providers/telegram/sandbox";
import genericWebhook from "@/lib/providers/generic-webhook/sandbox";

export const sandboxModules: SandboxModule[] = [telegram, genericWebhook];
