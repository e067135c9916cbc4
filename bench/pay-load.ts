// Load for bench/payments.ts: creates payments for SECONDS with CONCURRENCY in flight, either
// through Switchboard's API (ours) or straight at the Stripe sandbox with the Stripe SDK
// (direct), each with a fresh idempotency key. Prints one JSON line.
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { quantile } from "./lib";

const [mode, target, secret, secondsArg, concArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const concurrency = Number(concArg);
const lat: number[] = [];
let errors = 0;
const end = performance.now() + seconds * 1000;

const u = new URL(target);
// the sandbox serves Stripe's API under /stripe; the SDK takes a host name only
const viaSandbox: typeof fetch = (input, init) => {
  const sdk = new URL(typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url);
  return fetch(`${u.origin}/stripe${sdk.pathname}${sdk.search}`, init);
};
const stripe = new Stripe(secret, {
  host: u.hostname,
  port: Number(u.port),
  protocol: "http",
  maxNetworkRetries: 0,
  telemetry: false,
  httpClient: Stripe.createFetchHttpClient(viaSandbox),
});
const base = `${target}`.replace(/\/$/, "");

async function once(i: number) {
  const key = randomUUID();
  if (mode === "direct") {
    await stripe.checkout.sessions.create(
      {
        mode: "payment",
        line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 2500, product_data: { name: `Transfer ${i}` } } }],
        success_url: "http://127.0.0.1/ok",
        cancel_url: "http://127.0.0.1/cancel",
        metadata: { switchboard_payment_id: key },
        payment_intent_data: { metadata: { switchboard_payment_id: key } },
      },
      { idempotencyKey: key },
    );
  } else {
    const res = await fetch(`${base}/api/v1/payments`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", "idempotency-key": key },
      body: JSON.stringify({ amountMinor: 2500, currency: "USD", description: `Transfer ${i}` }),
    });
    await res.text();
    if (res.status !== 201) throw new Error(`HTTP ${res.status}`);
  }
}

let n = 0;
async function lane() {
  while (performance.now() < end) {
    const t = performance.now();
    try {
      await once(n++);
      lat.push(performance.now() - t);
    } catch {
      errors++;
    }
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, lane));
const took = (performance.now() - started) / 1000;
lat.sort((a, b) => a - b);
console.log(JSON.stringify({ ok: lat.length, errors, rate: lat.length / took, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) }));
