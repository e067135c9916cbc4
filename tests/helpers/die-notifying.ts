// A process that claims an alert's notification and is killed (SIGKILL) while it delivers the
// "alert.raised" event, before messaging's subscriber has run: the change (the claim and its
// event) is committed, the reaction never happened here. Run by
// tests/integration/alerts-crash.test.ts with the alert's id; it never exits on its own.
import "@/lib/wiring";
import { subscribe, unsubscribe } from "@/lib/events";
import { ALERT_RAISED } from "@/lib/alerts/contract";
import { notifyAlert } from "@/lib/alerts/service";

const messaging = unsubscribe(ALERT_RAISED, "messaging.notify-admins");
if (!messaging) throw new Error("messaging does not subscribe to alert.raised");
// the process dies first, then messaging would have run
subscribe(ALERT_RAISED, "test.die", async () => {
  process.kill(process.pid, "SIGKILL");
  await new Promise(() => {});
});
subscribe(ALERT_RAISED, messaging.name, messaging.handler);

await notifyAlert(process.argv[2]);
// not reached: the delivery above killed the process
process.exit(3);
