import type { NextRequest } from "next/server";

/** Where people open links we hand out: PUBLIC_BASE_URL, else NEXTAUTH_URL, else the request's origin. */
export function publicBaseUrl(req?: NextRequest) {
  return (process.env.PUBLIC_BASE_URL ?? process.env.NEXTAUTH_URL ?? (req ? new URL(req.url).origin : "http://localhost:3000")).replace(/\/$/, "");
}

export function inviteUrl(req: NextRequest, token: string) {
  return `${publicBaseUrl(req)}/invite/${token}`;
}
