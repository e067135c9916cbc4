// Where people and providers reach this instance: PUBLIC_BASE_URL, else NEXTAUTH_URL, else the
// request's origin. Invitation links and the webhook URLs shown to admins are built from it,
// and inbound webhook signatures over the URL (Twilio) are checked against it.
export function publicBaseUrl(req?: { url: string }) {
  return (process.env.PUBLIC_BASE_URL ?? process.env.NEXTAUTH_URL ?? (req ? new URL(req.url).origin : "http://localhost:3000")).replace(/\/$/, "");
}
