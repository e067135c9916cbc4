// The load generator, run as its own process: autocannon posting unique, correctly signed
// events (hex HMAC-SHA256 in X-Signature) to one URL for a fixed time. Prints one JSON line
// and writes the ids of the events that were acknowledged (2xx) to a file, one per line, so
// the benchmark can check each of them is in the database.
import { createHmac, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import autocannon from "autocannon";

const [url, secret, seconds, connections, ackFile] = process.argv.slice(2);
const acked: string[] = [];
const run = randomBytes(4).toString("hex");
let n = 0;

const result = await autocannon({
  url,
  method: "POST",
  connections: Number(connections),
  duration: Number(seconds),
  requests: [
    {
      setupRequest: (req, context) => {
        const id = `evt_${run}_${++n}`;
        (context as { id?: string }).id = id;
        const body = JSON.stringify({ id, type: "order.created", data: { order: n, total: 1200, currency: "EUR", items: [{ sku: "A-1", qty: 2 }] } });
        return {
          ...req,
          body,
          headers: { "content-type": "application/json", "x-signature": createHmac("sha256", secret).update(body).digest("hex") },
        };
      },
      onResponse: (status, _body, context) => {
        if (status >= 200 && status < 300) acked.push((context as { id: string }).id);
      },
    },
  ],
});
if (ackFile) writeFileSync(ackFile, acked.join("\n"));
process.stdout.write(
  JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
  }) + "\n",
);
