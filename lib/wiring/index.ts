// The wiring (issue 17): the one module that knows every area. It loads each area's bindings —
// what the area runs on a provider's behalf (lib/providers/bindings.ts) and the events it reacts
// to (lib/events.ts) — and only then lets this process deliver events (a process that knew some
// subscribers but not all would mark events done for the others). Loaded by the workers
// (lib/wiring/worker.ts), by the web process (instrumentation.ts), and by the test setup.
//
//   app/, components/, scripts/            the screens, the API routes, the start scripts
//   lib/wiring/                            this: every area's bindings; the workers' loops
//   lib/<area>/                            messaging, payments, calendar, meetings, telephony, erp,
//                                          tracking, exports, suitedash, alerts, overview, users …
//                                          and the platform they share: integrations, oauth,
//                                          webhooks, jobs (docs/architecture.md)
//   lib/providers/                         pure adapters, one folder each, and their sandboxes
//   lib/*.ts, lib/{audit,auth,settings,…}  core: db, env, errors, http, vault, events, locks …
import { markWired } from "@/lib/events";
import "@/lib/alerts/bindings";
import "@/lib/calendar/bindings";
import "@/lib/erp/bindings";
import "@/lib/meetings/bindings";
import "@/lib/messaging/bindings";
import "@/lib/payments/bindings";
import "@/lib/telephony/bindings";

markWired();
