// Push device tokens: the mobile apps (and web push) register the FCM token of the device
// they run on, for a dashboard user or a driver. One row per token: registering a token
// again updates it (and moves it to whoever registers it now), so a phone handed from one
// driver to another follows its new owner. The push channel sends to tokensFor(...); a
// send answered UNREGISTERED deletes the token (deleteDeviceToken).
//
// Who may register for whom (registrationOwner): a token registered for someone receives their
// pushes (a driver's pickup addresses), so the owner is tied to the caller. A driver's device
// key (an API key bound to a driver) registers only for its driver; a signed-in user only for
// themselves, unless an admin; an unbound push:register key is the fleet's backend (the CRM or
// the app's server, created by an admin) and may name any driver or user, as tracking:write
// fleet keys may post any driver's positions.
import { z } from "zod";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { zodDetails } from "@/lib/api";
import type { DeviceToken } from "@/generated/prisma/client";
import { DEVICE_TYPES, type DeviceTokenView } from "@/lib/messaging/contract";

export { DEVICE_TYPES };

export const deviceTokenSchema = z
  .string({ error: "token is required" })
  .trim()
  .min(1, "token is required")
  .max(4096, "A device token is at most 4096 characters")
  .regex(/^\S*$/, "A device token has no spaces or line breaks");

export const deviceTypeSchema = z.enum(DEVICE_TYPES, { error: "The device type is one of ios, android, web" });

export const registerDeviceTokenInput = z.strictObject({
  token: deviceTokenSchema,
  deviceType: deviceTypeSchema,
  deviceName: z.string().trim().max(200, "At most 200 characters").nullish(),
  userId: z.string().uuid("Not a valid user id").nullish(),
  driverId: z.string().uuid("Not a valid driver id").nullish(),
});
export type RegisterDeviceTokenInput = z.input<typeof registerDeviceTokenInput>;

/** Who asks: a driver-bound or fleet API key, or a signed-in user. */
export type DeviceRegistrant =
  | { kind: "api_key"; driverId: string | null }
  | { kind: "user"; userId: string; admin: boolean };

/**
 * The owners a registration may set for this caller, or a 403 naming why. `requested` is what
 * the body names (either may be null); an empty answer means "keep the token's owners" (only
 * a fleet key or an admin naming nobody: everyone else always registers as themselves).
 */
export function registrationOwner(
  who: DeviceRegistrant,
  requested: { userId: string | null; driverId: string | null },
): { userId?: string | null; driverId?: string | null } {
  if (who.kind === "api_key" && who.driverId) {
    if (requested.userId) throw errors.forbidden("This API key belongs to one driver's device: it registers devices for its driver only, not for a user");
    if (requested.driverId && requested.driverId !== who.driverId) {
      throw errors.forbidden(`This API key belongs to one driver's device: it cannot register a device for driver ${requested.driverId}`);
    }
    return { userId: null, driverId: who.driverId };
  }
  if (who.kind === "user" && !who.admin) {
    if (requested.driverId) throw errors.forbidden("Only an admin registers a device for a driver (drivers' apps use their own device key)");
    if (requested.userId && requested.userId !== who.userId) throw errors.forbidden("You can register devices for yourself only");
    return { userId: who.userId, driverId: null };
  }
  if (!requested.userId && !requested.driverId) return who.kind === "user" ? { userId: who.userId, driverId: null } : {};
  return { userId: requested.userId, driverId: requested.driverId };
}

/** What a caller may forget: a driver key its driver's tokens, a user their own, fleet keys and admins any. */
export function deletableBy(who: DeviceRegistrant): { userId?: string; driverId?: string } {
  if (who.kind === "api_key") return who.driverId ? { driverId: who.driverId } : {};
  return who.admin ? {} : { userId: who.userId };
}

/** A token as shown to people and returned by the API: never the whole token. */
export function shortToken(token: string): string {
  return token.length <= 16 ? `${token.slice(0, 4)}…` : `${token.slice(0, 8)}…${token.slice(-4)}`;
}

export function serializeDeviceToken(d: DeviceToken): DeviceTokenView {
  return {
    id: d.id,
    tokenPreview: shortToken(d.token),
    platform: d.platform as DeviceTokenView["platform"],
    deviceName: d.deviceName,
    userId: d.userId,
    driverId: d.driverId,
    lastSeenAt: d.lastSeenAt.toISOString(),
    createdAt: d.createdAt.toISOString(),
  };
}

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

/**
 * Forgets a token (the app logged out, or FCM said UNREGISTERED). True when it existed (and
 * belonged to `owner`, when given: see deletableBy).
 */
export async function deleteDeviceToken(token: string, owner: { userId?: string; driverId?: string } = {}): Promise<boolean> {
  const { count } = await db.deviceToken.deleteMany({ where: { token, ...owner } });
  return count > 0;
}

/** The tokens to push to for a user and/or a driver; none when neither is given. */
export async function tokensFor(who: { userId?: string | null; driverId?: string | null }): Promise<string[]> {
  if (!who.userId && !who.driverId) return [];
  const rows = await listDeviceTokens(who);
  return rows.map((r) => r.token);
}
