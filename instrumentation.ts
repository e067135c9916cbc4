// Next.js runs register() once when a server starts: the web process loads the wiring
// (lib/wiring: every area's bindings and event subscribers), so what a request causes (an
// integration connected, a webhook verified against an area's tables) runs in this process at
// once. Node.js only: the edge runtime (proxy.ts) needs none of it.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("@/lib/wiring");
}
