// Starts tests/e2e/stack.ts for the whole Playwright run and stops it afterwards.
import { spawn } from "node:child_process";
import path from "node:path";

export default async function globalSetup() {
  const proc = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/e2e/stack.ts")], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("the e2e stack did not start in 180 s")), 180_000);
    proc.once("message", () => {
      clearTimeout(t);
      resolve();
    });
    proc.once("exit", (code) => reject(new Error(`the e2e stack exited with ${code}`)));
  });
  return async () => {
    const done = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await done;
  };
}
