// Provider id -> definition. A new provider is one folder and one line here.
import type { ProviderDefinition } from "@/lib/providers/types";
import telegram from "@/lib/providers/telegram";
import genericWebhook from "@/lib/providers/generic-webhook";
import fcm from "@/lib/providers/fcm";
import sendgrid from "@/lib/providers/sendgrid";
import twilio from "@/lib/providers/twilio";
import smsru from "@/lib/providers/smsru";
import smtp from "@/lib/providers/smtp";
import yookassa from "@/lib/providers/yookassa";
import stripe from "@/lib/providers/stripe";
import paypal from "@/lib/providers/paypal";
import suitedash from "@/lib/providers/suitedash";
import zoom from "@/lib/providers/zoom";
import onec from "@/lib/providers/onec";
import googleCalendar from "@/lib/providers/google-calendar";
import ringcentral from "@/lib/providers/ringcentral";
import payme from "@/lib/providers/payme";
import click from "@/lib/providers/click";

const all: ProviderDefinition[] = [telegram, genericWebhook, fcm, sendgrid, twilio, smsru, smtp, yookassa, stripe, paypal, suitedash, zoom, onec, googleCalendar, ringcentral, payme, click];

export const providers: ReadonlyMap<string, ProviderDefinition> = new Map(all.map((p) => [p.id, p]));

export function getProvider(id: string): ProviderDefinition | undefined {
  return providers.get(id);
}

export function listProviders(): ProviderDefinition[] {
  return [...providers.values()];
}

export function providersWith(capability: string): ProviderDefinition[] {
  return all.filter((p) => p.capabilities.includes(capability));
}
