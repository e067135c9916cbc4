// The API's hottest routes served straight from the node:http front (scripts/server.ts),
// before Next.js routing: the very same route handlers as the App Router files (which still
// serve `next dev` and any other host), minus the framework's per-request work (several ms of
// CPU per request on these machines). Responses stream, so the live position stream (SSE)
// works here too. bench/tracking.ts and bench/payments.ts measure these paths;
// tests/integration/fast-routes.test.ts compares every route's answers on both paths.
//
// The table is declared by App Router path. A path with a dynamic segment ([id]) is refused
// when this module loads (the server does not start): the front passes no params, so the
// handler would silently see none.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextRequest } from "next/server";
import { toWebRequest, writeResponse } from "@/lib/node-bridge";

export type RouteHandler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One fast route: the App Router path (app/<route>/route.ts) and its module, loaded on first use. */
export type FastRouteSpec = { method: Method; route: string; load: () => Promise<Partial<Record<Method, unknown>>> };
export type FastRoute = FastRouteSpec & { path: RegExp };

export const FAST_ROUTES: FastRouteSpec[] = [
  { method: "POST", route: "/api/v1/tracking/locations", load: () => import("@/app/api/v1/tracking/locations/route") },
  { method: "GET", route: "/api/v1/tracking/stream", load: () => import("@/app/api/v1/tracking/stream/route") },
  { method: "POST", route: "/api/v1/payments", load: () => import("@/app/api/v1/payments/route") },
];

/** The request-path pattern of each route; throws on a route the front cannot serve like Next.js does. */
export function compileFastRoutes(specs: FastRouteSpec[]): FastRoute[] {
  return specs.map((s) => {
    const dynamic = s.route.split("/").find((seg) => seg.includes("[") || seg.includes("]"));
    if (dynamic) {
      throw new Error(
        `Fast route ${s.method} ${s.route}: "${dynamic}" is a dynamic segment, and the node front passes no params to the handler. ` +
          `Serve this route through Next.js (remove it from scripts/fast-routes.ts).`,
      );
    }
    if (!/^\/api\/v1(\/[a-z0-9][a-z0-9._-]*)+$/.test(s.route)) {
      throw new Error(`Fast route ${s.method} ${s.route}: expected a plain App Router path under /api/v1 (no route groups, no trailing slash)`);
    }
    const escaped = s.route.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return { ...s, path: new RegExp(`^${escaped}\\/?(?:\\?.*)?$`) };
  });
}

// compiled when the server imports this module: a bad entry stops it at startup
const ROUTES = compileFastRoutes(FAST_ROUTES);

export function fastRoute(method: string | undefined, url: string | undefined, routes: FastRoute[] = ROUTES): FastRoute | null {
  if (!url?.startsWith("/api/v1/")) return null;
  return routes.find((r) => r.method === method && r.path.test(url)) ?? null;
}

export async function serveFast(req: IncomingMessage, res: ServerResponse, route: FastRoute) {
  const handler = (await route.load())[route.method];
  if (typeof handler !== "function") throw new Error(`app${route.route}/route.ts exports no ${route.method} handler`);
  // the client going away aborts the request (an SSE stream stops, its LISTEN subscription ends)
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  await writeResponse(req, res, await (handler as RouteHandler)(toWebRequest(req, gone.signal), { params: Promise.resolve({}) }));
}
