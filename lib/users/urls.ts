import type { NextRequest } from "next/server";
import { publicBaseUrl } from "@/lib/urls";

export function inviteUrl(req: NextRequest, token: string) {
  return `${publicBaseUrl(req)}/invite/${token}`;
}
