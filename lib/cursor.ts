// Keyset pagination cursors: (timestamp, id) of the last row of a page, opaque to clients.
import { z } from "zod";
import { errors } from "@/lib/errors";

export function encodeCursor(at: Date, id: string) {
  return Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");
}

export function decodeCursor(c: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(c, "base64url").toString("utf8").split("|");
  const d = new Date(at);
  if (Number.isNaN(d.getTime()) || !z.uuid().safeParse(id).success) throw errors.validation("Invalid cursor");
  return { at: d, id };
}
