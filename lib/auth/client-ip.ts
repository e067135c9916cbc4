// The client's address. scripts/server.ts sets x-switchboard-client-ip from the socket (or,
// with TRUST_PROXY=true, from the proxy's X-Forwarded-For) and drops any copy a client sent.
export const CLIENT_IP_HEADER = "x-switchboard-client-ip";

export function clientIp(headers: Headers): string {
  return headers.get(CLIENT_IP_HEADER) ?? "unknown";
}
