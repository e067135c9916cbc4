// What every provider emulator (lib/providers/<id>/sandbox.ts) gets from the sandbox server.
import type { Hono } from "hono";

export type InboxItem = {
  id: string;
  provider: string;
  /** sms | email | push | chat | webhook | … */
  kind: string;
  to: string;
  summary: string;
  payload: unknown;
  at: string;
};

export type SandboxKit = {
  /** everything the emulator "delivered", for people and tests to look at */
  inbox: { push(item: Omit<InboxItem, "id" | "at">): InboxItem; list(provider?: string): InboxItem[] };
  /** per-provider state that lives as long as the server */
  state<T>(provider: string, init: () => T): T;
  /** the base URL this server answers on, e.g. http://127.0.0.1:4010 */
  baseUrl(): string;
};

export type SandboxModule = {
  id: string;
  mount(app: Hono, kit: SandboxKit): void;
  /** the provider's own error format for injected faults */
  faultBody?(status: number, retryAfterSeconds?: number): unknown;
};
