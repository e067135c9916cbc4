// Shared by the benchmarks: child processes that say "ready" over IPC, and small statistics.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "..");
export const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");

/** What start() began and has not seen exit: stopStarted() waits for all of it. */
const running = new Set<ChildProcess>();

/**
 * Forks a TypeScript entry that sends one IPC message when it is ready; `cwd`: the checkout whose
 * entry it is (bench/compare.ts starts other checkouts' servers). BENCH_CPU_PROF=<dir> profiles it.
 */
export function start(entry: string, env: Record<string, string>, cwd = root): Promise<ChildProcess> {
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = fork(entry, [], { cwd, execArgv: ["--import", "tsx", ...prof], env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve(child));
    child.once("exit", (c) => reject(new Error(`${cwd === root ? "" : `${cwd}: `}${entry} exited (${c})`)));
  });
}

/**
 * Stops every process start() began that is still running (a benchmark's `kill("SIGTERM")` does
 * not wait) and waits until each has exited, SIGKILL after 10 s: the next benchmark starts with
 * none of this one's web, worker or sandbox processes still on the CPU or the database.
 */
export async function stopStarted() {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
          child.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The q-quantile of sorted values. */
export const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
