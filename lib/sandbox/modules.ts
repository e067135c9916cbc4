// Every provider's emulator. A new provider with a sandbox adds one line.
import type { SandboxModule } from "@/lib/sandbox/kit";
import telegram from "@/lib/providers/telegram/sandbox";
import genericWebhook from "@/lib/providers/generic-webhook/sandbox";
import fcm from "@/lib/providers/fcm/sandbox";
import sendgrid from "@/lib/providers/sendgrid/sandbox";
import twilio from "@/lib/providers/twilio/sandbox";
import smsru from "@/lib/providers/smsru/sandbox";
import smtp from "@/lib/providers/smtp/sandbox";
import yookassa from "@/lib/providers/yookassa/sandbox";
import stripe from "@/lib/providers/stripe/sandbox";
import paypal from "@/lib/providers/paypal/sandbox";
import suitedash from "@/lib/providers/suitedash/sandbox";
import zoom from "@/lib/providers/zoom/sandbox";
import onec from "@/lib/providers/onec/sandbox";
import googleCalendar from "@/lib/providers/google-calendar/sandbox";
import ringcentral from "@/lib/providers/ringcentral/sandbox";

export const sandboxModules: SandboxModule[] = [telegram, genericWebhook, fcm, sendgrid, twilio, smsru, smtp, yookassa, stripe, paypal, suitedash, zoom, onec, googleCalendar, ringcentral];
