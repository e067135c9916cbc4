// The floor for bench/messaging.ts: SMS.ru-format sends straight at the sandbox, as fast as
// CONCURRENCY requests in flight allow. Prints one JSON line: { sent, errors, seconds, rate }.
const [base, apiId, countArg, concArg, prefix] = process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concArg);
let next = 0;
let errors = 0;
const started = performance.now();
async function lane() {
  while (next < count) {
    const i = next++;
    const body = new URLSearchParams({ api_id: apiId, to: `${prefix}${String(i).padStart(5, "0")}`, msg: `Raw ${i}: driver arrives at 14:05`, json: "1" });
    try {
      const res = await fetch(`${base}/smsru/sms/send`, { method: "POST", body });
      const j = (await res.json()) as { status?: string };
      if (!res.ok || j.status !== "OK") errors++;
    } catch {
      errors++;
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, lane));
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ sent: count - errors, errors, seconds, rate: (count - errors) / seconds }));
export {};
