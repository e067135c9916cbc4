// npm run db:migrate: applies pending migrations to DATABASE_URL (or the embedded database)
// and installs pg-boss' schema. `npm start` does this by itself.
import { withDatabase } from "@/lib/runtime/local-db";
import { migrate } from "@/lib/runtime/migrate";

await withDatabase(async (url) => {
  const applied = await migrate(url, { log: console.log });
  if (!applied.length) console.log("the schema is up to date");
  process.env.DATABASE_URL = url;
  const { newBoss, ensureQueues } = await import("@/lib/jobs/boss");
  const boss = newBoss("producer");
  await boss.start();
  await ensureQueues(boss);
  await boss.stop({ graceful: false, wait: true });
});
