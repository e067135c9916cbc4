// npm run admin:reset-password -- <email>
// Sets a new random password (printed once), ends the user's sessions and clears the account's
// sign-in limits (a blocked address, the slow-down after many failures).
import { withDatabase } from "@/lib/runtime/local-db";

const email = process.argv[2];
if (!email) {
  console.error("usage: npm run admin:reset-password -- <email>");
  process.exit(2);
}
await withDatabase(async (url) => {
  process.env.DATABASE_URL = url;
  const { resetPassword } = await import("@/lib/runtime/bootstrap");
  const { disconnectDb } = await import("@/lib/db");
  const r = await resetPassword(email);
  await disconnectDb();
  if (!r) {
    console.error(`no user with the email ${email}`);
    process.exitCode = 1;
    return;
  }
  console.log(`new password for ${r.email} (shown once): ${r.password}`);
  console.log("its sessions are ended and its sign-in limits cleared");
});
