// Push device tokens: the mobile apps (and web push) register the FCM token of the device
// they run on, for a dashboard user or a driver. One row per token: registering a token
// again updates it (and moves it to whoever registers it now), so a phone handed from one
// driver to another follows its new owner. The push channel sends to tokensFor(...); a
// send answered UNREGISTERED deletes the token (deleteDeviceToken).
import { z } from "zod";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { zodDetails } from "@/lib/api";
import type { DeviceToken } from "@/generated/prisma/client";

export const DEVICE_TYPES = ["ios", "android", "web"] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export const deviceTokenSchema = z
  .string({ error: "token is required" })
  .trim()
  .min(1, "token is required")
  .max(4096, "A device token is at most 4096 characters")
  .regex(/^\S*$/, "A device token has no spaces or line breaks");

export const deviceTypeSchema = z.enum(DEVICE_TYPES, { error: "The device type is one of ios, android, web" });

export const registerDeviceTokenInput = z.object({
  token: deviceTokenSchema,
  deviceType: deviceTypeSchema,
  deviceName: z.string().trim().max(200, "At most 200 characters").nullish(),
  userId: z.string().uuid("Not a valid user id").nullish(),
  driverId: z.string().uuid("Not a valid driver id").nullish(),
});
export type RegisterDeviceTokenInput = z.input<typeof registerDeviceTokenInput>;

/** A token as shown to people and returned by the API: never the whole token. */
export function shortToken(token: string): string {
  return token.length <= 16 ? `${token.slice(0, 4)}…` : `${token.slice(0, 8)}…${token.slice(-4)}`;
}

export function serializeDeviceToken(d: DeviceToken) {
  return {
    id: d.id,
    tokenPreview: shortToken(d.token),
    platform: d.platform,
    deviceName: d.deviceName,
    userId: d.userId,
    driverId: d.driverId,
    lastSeenAt: d.lastSeenAt.toISOString(),
    createdAt: d.createdAt.toISOString(),
  };
}
export type DeviceTokenView = ReturnType<typeof serializeDeviceToken>;

/**
 * Registers a device token, or refreshes it when known (lastSeenAt bumped, platform and name
 * updated). Naming a user and/or a driver makes them the token's owners (replacing the
 * previous ones); naming neither keeps the owners it had.
 */
export async function registerDeviceToken(input: RegisterDeviceTokenInput): Promise<{ device: DeviceToken; created: boolean }> {
  const r = registerDeviceTokenInput.safeParse(input);
  if (!r.success) {
    throw errors.validation("The device token is invalid", zodDetails(r.error));
  }
  const data = r.data;
  if (data.driverId && !(await db.driver.findUnique({ where: { id: data.driverId }, select: { id: true } }))) {
    throw errors.notFound("Driver");
  }
  if (data.userId && !(await db.user.findUnique({ where: { id: data.userId }, select: { id: true } }))) {
    throw errors.notFound("User");
  }
  const owner = data.userId || data.driverId ? { userId: data.userId ?? null, driverId: data.driverId ?? null } : {};
  const common = { platform: data.deviceType, ...(data.deviceName !== undefined ? { deviceName: data.deviceName } : {}), ...owner };
  const update = () => db.deviceToken.update({ where: { token: data.token }, data: { ...common, lastSeenAt: new Date() } });

  if (await db.deviceToken.findUnique({ where: { token: data.token }, select: { id: true } })) {
    return { device: await update(), created: false };
  }
  try {
    return { device: await db.deviceToken.create({ data: { token: data.token, ...common } }), created: true };
  } catch (e) {
    // registered by a concurrent request in between: it is an update after all
    if ((e as { code?: string }).code === "P2002") return { device: await update(), created: false };
    throw e;
  }
}

/** The devices of a user and/or a driver (all devices when neither is given), most recently seen first. */
export async function listDeviceTokens(filter: { userId?: string | null; driverId?: string | null } = {}): Promise<DeviceToken[]> {
  const or = [
    ...(filter.userId ? [{ userId: filter.userId }] : []),
    ...(filter.driverId ? [{ driverId: filter.driverId }] : []),
  ];
  return db.deviceToken.findMany({
    where: or.length ? { OR: or } : {},
    orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }],
    take: 1000,
  });
}

/** Forgets a token (the app logged out, or FCM said UNREGISTERED). True when it existed. */
export async function deleteDeviceToken(token: string): Promise<boolean> {
  const { count } = await db.deviceToken.deleteMany({ where: { token } });
  return count > 0;
}

/** The tokens to push to for a user and/or a driver; none when neither is given. */
export async function tokensFor(who: { userId?: string | null; driverId?: string | null }): Promise<string[]> {
  if (!who.userId && !who.driverId) return [];
  const rows = await listDeviceTokens(who);
  return rows.map((r) => r.token);
}
