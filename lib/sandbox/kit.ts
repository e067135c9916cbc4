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
  /**
   * Listeners that are not HTTP (the SMTP sandbox): started with the sandbox server, closed
   * with it. What it returns is served at GET /<id>/__info (e.g. { host, port }).
   */
  start?(kit: SandboxKit): Promise<{ info: Record<string, unknown>; close(): Promise<void> }>;
  /** the provider's own error format for injected faults */
  faultBody?(status: number, retryAfterSeconds?: number): unknown;
};
