// A local HTTP server whose answers a test scripts: status codes, delays, Retry-After.
import http from "node:http";

export type Step = { status?: number; delayMs?: number; headers?: Record<string, string>; body?: string; destroy?: boolean };

/** `script(ANY_PATH, steps)`: the answers of every path that has no script of its own */
export const ANY_PATH = "*";

export async function scriptedServer() {
  const scripts = new Map<string, Step[]>();
  const hits: { method: string; path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? "/").split("?")[0];
    hits.push({ method: req.method ?? "GET", path, headers: req.headers, body: Buffer.concat(chunks).toString() });
    const queue = scripts.get(path) ?? scripts.get(ANY_PATH) ?? [];
    const step: Step = queue.length > 1 ? queue.shift()! : (queue[0] ?? { status: 200, body: '{"ok":true}' });
    if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
    if (step.destroy) return req.socket.destroy();
    res.writeHead(step.status ?? 200, { "content-type": "application/json", ...(step.headers ?? {}) });
    res.end(step.body ?? JSON.stringify({ ok: (step.status ?? 200) < 400 }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    /** the last step repeats */
    script(path: string, steps: Step[]) {
      scripts.set(path, [...steps]);
    },
    hits,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
