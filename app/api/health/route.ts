import { db } from "@/lib/db";
export const dynamic = "force-dynamic";
export async function GET() {
  const n = await db.user.count();
  return Response.json({ ok: true, n });
}
