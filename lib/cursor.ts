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

const MAX_BIGINT = 9223372036854775807n;

/** A bigint primary key as text (an append-only table's identity: logs, audit entries). */
export function isBigintId(s: string) {
  return /^\d{1,19}$/.test(s) && BigInt(s) <= MAX_BIGINT;
}

/** The same cursor for tables keyed by a bigint identity instead of a uuid. */
export function encodeBigintCursor(at: Date, id: bigint | string) {
  return Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");
}

export function decodeBigintCursor(c: string): { createdAt: Date; id: bigint } {
  const [ts, id] = Buffer.from(c, "base64url").toString("utf8").split("|");
  const createdAt = new Date(ts);
  if (!ts || !id || Number.isNaN(createdAt.getTime()) || !isBigintId(id)) {
    throw errors.validation("Invalid cursor", [{ path: "cursor", message: "Not a cursor from this API" }]);
  }
  return { createdAt, id: BigInt(id) };
}
