// zod fields several areas validate the same way.
import { z } from "zod";

/** An IANA time zone name this runtime knows ("Europe/Moscow"). */
export const ianaTimeZone = z
  .string()
  .trim()
  .max(100)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "An IANA time zone such as Europe/Moscow");
