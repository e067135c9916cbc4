// The house's one direction (issue 17, docs/architecture.md): each layer imports only from the
// layers below it, and nothing imports in a circle. `npm run lint` runs this with ESLint; .ci/run
// fails on any violation.
//
//   app/, components/, scripts/       (top)
//   lib/wiring, lib/runtime, lib/openapi   the wiring: knows every area
//   lib/<area>/                       messaging, payments, calendar, meetings, telephony, erp,
//                                     tracking, exports, suitedash, alerts, overview, users
//   lib/{integrations,oauth,webhooks,jobs}/   the platform the areas share
//   lib/providers/, lib/sandbox/      pure adapters and their emulators
//   core                              lib/*.ts, lib/{audit,auth,settings,logs,client}/, lib/jobs/boss.ts
const CORE = "^(lib/[^/]+\\.tsx?$|lib/(audit|auth|settings|logs|client)/|lib/jobs/boss\\.ts$|generated/)";
const PROVIDERS = "^lib/(providers|sandbox)/";
const PLATFORM = "^lib/(integrations|oauth|webhooks|jobs)/";
const WIRING = "^lib/(wiring|runtime|openapi)/";
const AREAS = "messaging|payments|calendar|meetings|telephony|erp|tracking|exports|suitedash|alerts|overview|users";
const TOP = "^(app|components|scripts|bench|tests)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle: the house has one direction (issue 17). Move what both sides need down a layer, or react to an event (lib/events.ts).",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-imports-core",
      severity: "error",
      comment: "Core (db, env, errors, http, vault, events, locks …) imports nothing above it.",
      from: { path: CORE, pathNot: "\\.test\\.tsx?$" },
      to: { path: "^(lib|app|components)/", pathNot: CORE },
    },
    {
      name: "providers-import-core",
      severity: "error",
      comment: "A provider folder is a pure adapter: core and lib/providers only, never an area (bind the area's runner in lib/<area>/bindings.ts instead).",
      from: { path: PROVIDERS, pathNot: "\\.test\\.tsx?$" },
      to: { path: "^(lib|app|components)/", pathNot: `${CORE}|${PROVIDERS}` },
    },
    {
      name: "platform-below-areas",
      severity: "error",
      comment: "integrations, oauth, webhooks and jobs serve every area and import none (areas subscribe to their events, or bind runners).",
      from: { path: PLATFORM, pathNot: "\\.test\\.tsx?$" },
      to: { path: "^(lib|app|components)/", pathNot: `${CORE}|${PROVIDERS}|${PLATFORM}` },
    },
    {
      name: "areas-isolated",
      severity: "error",
      comment:
        "An area never imports another area's services (issue 17, Medusa's module isolation); only its contract.ts (zod shapes and types). " +
        "Instead: a generic helper moves down to core (lib/*.ts) or the platform; a reaction to what happened there is an event " +
        "(emit(tx, …) in lib/events.ts, subscribe in this area's bindings.ts); a call whose answer is needed goes through a port " +
        "(lib/ports.ts) that the called area registers in its own bindings.ts.",
      from: { path: `^lib/(${AREAS})/`, pathNot: "\\.test\\.tsx?$" },
      to: { path: `^lib/(${AREAS})/`, pathNot: ["^lib/$1/", `^lib/(${AREAS})/contract\\.ts$`] },
    },
    {
      name: "areas-below-wiring",
      severity: "error",
      comment: "An area never imports the wiring or the screens.",
      from: { path: "^lib/", pathNot: `${WIRING}|\\.test\\.tsx?$` },
      to: { path: `${WIRING}|${TOP}` },
    },
    {
      name: "lib-below-app",
      severity: "error",
      comment: "lib/ never imports app/ or components/ (the API's shapes live in lib/<area>/contract.ts).",
      from: { path: "^lib/", pathNot: "\\.test\\.tsx?$" },
      to: { path: TOP },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.next|generated)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"] },
  },
};
