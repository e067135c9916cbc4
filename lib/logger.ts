// Structured logs (JSON lines on stdout). Secrets are redacted by path here and by value
// in lib/redact.ts before anything provider-related is logged.
import pino from "pino";

const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info");

export const logger = pino({
  level,
  base: { service: process.env.SWITCHBOARD_PROCESS ?? "web" },
  redact: {
    paths: [
      "password",
      "*.password",
      "*.passwordHash",
      "*.token",
      "*.secret",
      "*.credentials",
      "*.authorization",
      "headers.authorization",
      "headers.cookie",
      "req.headers.authorization",
      "req.headers.cookie",
    ],
    censor: "[REDACTED]",
  },
});

export type Logger = typeof logger;
