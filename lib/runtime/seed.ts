// Demo data for the zero-config start: a small transfer company (companies, contacts,
// drivers, vehicles, orders) and one integration per provider, all against the sandboxes.
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import { sendgridSandboxPublicKey } from "@/lib/providers/sendgrid/sandbox";
import { getProvider, listProviders } from "@/lib/providers/registry";
import { aadFor, decryptJson, encryptJson } from "@/lib/vault";
import { retiredSecrets } from "@/lib/webhooks/secrets";
import { audit } from "@/lib/audit";
import { createPayment, refreshPayment } from "@/lib/payments/service";
import { notifyOrderAssigned, notifyOrderStatus } from "@/lib/messaging/notify";
import { ingestPositions } from "@/lib/tracking/ingest";
import { simulatedHistory } from "@/lib/tracking/simulator";

const COMPANIES = [
  { name: "Северный Логистик", taxId: "7701234567", email: "office@sevlog.example", phone: "+74951234567", address: "Москва, ул. Тверская, 12" },
  { name: "Avia Partners LLC", taxId: "7709876543", email: "ops@aviapartners.example", phone: "+74959876543", address: "Москва, Ленинградский пр-т, 37" },
  { name: "Гранд Отель Центр", taxId: "7705554433", email: "concierge@grandhotel.example", phone: "+74957654321", address: "Москва, ул. Петровка, 5" },
  { name: "TechConf Events", taxId: "7703332211", email: "events@techconf.example", phone: "+74951112233", address: "Москва, Краснопресненская наб., 12" },
];

const CONTACTS = [
  ["Анна", "Смирнова", "anna.smirnova@example.com", "+79161234501"],
  ["Игорь", "Кузнецов", "igor.k@example.com", "+79161234502"],
  ["Maria", "Lopez", "maria.lopez@example.com", "+34611223344"],
  ["Дмитрий", "Волков", "d.volkov@example.com", "+79161234504"],
  ["Елена", "Попова", "elena.popova@example.com", "+79161234505"],
  ["John", "Carter", "john.carter@example.com", "+447700900123"],
  ["Ольга", "Морозова", "olga.m@example.com", "+79161234507"],
  ["Сергей", "Новиков", "s.novikov@example.com", "+79161234508"],
  ["Yuki", "Tanaka", "yuki.tanaka@example.com", "+819012345678"],
  ["Наталья", "Фёдорова", "n.fedorova@example.com", "+79161234510"],
  ["Павел", "Соколов", "p.sokolov@example.com", "+79161234511"],
  ["Hans", "Müller", "hans.mueller@example.com", "+4915112345678"],
] as const;

const VEHICLES = [
  ["А123ВС777", "Mercedes-Benz", "E-Class", 2022, 3, "black"],
  ["В456ОР799", "Mercedes-Benz", "V-Class", 2021, 7, "black"],
  ["Е789КХ197", "Toyota", "Camry", 2023, 3, "white"],
  ["К321МН777", "Hyundai", "H-1", 2020, 8, "silver"],
  ["М654ТУ750", "Skoda", "Superb", 2022, 3, "grey"],
  ["Н987АВ799", "Volkswagen", "Multivan", 2021, 7, "black"],
  ["О246СЕ197", "Kia", "K5", 2023, 3, "white"],
  ["Р135ХК777", "Mercedes-Benz", "Sprinter", 2019, 16, "white"],
  ["С864ЕН750", "Toyota", "Land Cruiser", 2022, 5, "black"],
  ["Т579МО799", "BMW", "5 Series", 2023, 3, "blue"],
] as const;

const DRIVERS = [
  ["Алексей Иванов", "+79031110001"],
  ["Михаил Петров", "+79031110002"],
  ["Руслан Ахмедов", "+79031110003"],
  ["Виктор Сидоров", "+79031110004"],
  ["Андрей Козлов", "+79031110005"],
  ["Николай Лебедев", "+79031110006"],
  ["Тимур Гусейнов", "+79031110007"],
  ["Олег Васильев", "+79031110008"],
  ["Денис Орлов", "+79031110009"],
  ["Григорий Зайцев", "+79031110010"],
] as const;

const PLACES = [
  "Шереметьево, терминал B",
  "Внуково, терминал A",
  "Домодедово",
  "Ленинградский вокзал",
  "Казанский вокзал",
  "Москва-Сити, Башня Федерация",
  "Гранд Отель Центр, ул. Петровка, 5",
  "Экспоцентр, Краснопресненская наб.",
  "Красная Поляна, Сочи (трансфер)",
  "ВДНХ, павильон 75",
];

/** A small deterministic generator so the demo looks the same on every machine. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
}

export async function seedDemoData(): Promise<boolean> {
  if ((await db.company.count()) > 0) return false;
  const rand = rng(42);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];

  const companies = [];
  for (const c of COMPANIES) companies.push(await db.company.create({ data: c }));
  const contacts = [];
  for (const [i, [firstName, lastName, email, phone]] of CONTACTS.entries()) {
    contacts.push(
      await db.contact.create({
        data: { firstName, lastName, email, phone, companyId: companies[i % companies.length].id, source: i % 3 ? "website" : "phone", tags: i % 2 ? ["vip"] : [] },
      }),
    );
  }
  const vehicles = [];
  for (const [plateNumber, make, model, year, seats, color] of VEHICLES) {
    vehicles.push(await db.vehicle.create({ data: { plateNumber, make, model, year, seats, color, status: "available" } }));
  }
  const drivers = [];
  for (const [i, [name, phone]] of DRIVERS.entries()) {
    drivers.push(
      await db.driver.create({
        data: {
          name,
          phone,
          licenseNumber: `77 ${String(10 + i).padStart(2, "0")} ${String(100000 + i * 7919).slice(0, 6)}`,
          status: i === 9 ? "off_duty" : "active",
          vehicleId: vehicles[i].id,
          companyId: null,
        },
      }),
    );
  }
  const now = Date.now();
  for (let i = 0; i < 40; i++) {
    const dayOffset = Math.floor(rand() * 10) - 6; // last 6 days to 3 days ahead
    const pickupAt = new Date(now + dayOffset * 86400_000 + Math.floor(rand() * 12 - 6) * 3600_000);
    const future = pickupAt.getTime() > now;
    const status = future ? (rand() < 0.5 ? "assigned" : "new") : rand() < 0.85 ? "completed" : "canceled";
    const driver = status === "new" ? null : pick(drivers);
    let from = pick(PLACES);
    let to = pick(PLACES);
    if (from === to) to = PLACES[(PLACES.indexOf(from) + 3) % PLACES.length];
    if (rand() < 0.1) [from, to] = [to, from];
    await db.application.create({
      data: {
        number: `APP-${String(1001 + i)}`,
        status,
        companyId: pick(companies).id,
        contactId: pick(contacts).id,
        driverId: driver?.id ?? null,
        vehicleId: driver ? vehicles[drivers.indexOf(driver)].id : null,
        pickupAddress: from,
        dropoffAddress: to,
        pickupAt,
        passengers: 1 + Math.floor(rand() * 4),
        priceMinor: (2500 + Math.floor(rand() * 90) * 100) * 100,
        currency: "RUB",
      },
    });
  }
  return true;
}

/** One integration per provider in sandbox mode, so the dashboard has something alive. */
export async function seedDemoIntegrations(): Promise<string[]> {
  if ((await db.integration.count()) > 0) return [];
  const system = { actor: { type: "system" as const, label: "demo" } };
  // one sandbox-mode integration per provider that declares a demo entry (its folder's demo.ts),
  // in the registry's order
  const created = [];
  for (const def of listProviders()) {
    for (const entry of def.demo?.() ?? []) created.push(await createIntegration({ provider: def.id, ...entry }, system));
  }
  // the website's contact form to SuiteDash (API mode: the workers upsert each contact)
  const suitedash = created.find((c) => c.provider === "suitedash")!;
  await db.contactSubmission.createMany({
    data: [
      { firstName: "Maria", lastName: "Ivanova", email: "maria.ivanova@example.com", phone: "+7 916 555-01-02", company: "Northwind Travel", serviceInterest: "Corporate transfers", message: "We need airport pick-ups for 12 people next month.", source: "website", tags: ["website-lead", "corporate"], integrationId: suitedash.id },
      { firstName: "John", lastName: "Smith", email: "john.smith@example.com", serviceInterest: "Airport transfer", message: "Price for a minivan from SVO to the city centre?", source: "website", tags: ["website-lead"], integrationId: suitedash.id },
    ],
  });
  return created.map((c) => c.id);
}

/**
 * SHA-256 (of the DER bytes) of the public halves of sandbox key pairs that were once
 * committed to the repository, so anyone can sign with them: SendGrid's demo Event Webhook key
 * until the sandbox keys were made per install (lib/sandbox/keys.ts).
 */
export const PUBLISHED_SANDBOX_KEY_FINGERPRINTS: readonly string[] = ["70685b45e9e4376ba19b469ae8366d1ab6f28ad6dc16a128acf9e06150ef544c"];

/** The install's own replacement, per provider and webhook-verification field, for a sandbox-mode integration. */
const OWN_SANDBOX_KEY: Record<string, Record<string, () => string>> = { sendgrid: { webhookPublicKey: sendgridSandboxPublicKey } };

const fingerprint = (v: string) => createHash("sha256").update(Buffer.from(v, "base64")).digest("hex");

/**
 * Installs seeded before the sandbox keys were made per install trust a published key. Run at
 * every start: a sandbox-mode integration moves to this install's own key, any other stops
 * trusting it (its webhooks are refused until an admin enters the provider's real key); the
 * key is not kept as a "previous" secret either. Audited; returns how many integrations changed.
 */
export async function distrustPublishedSandboxKeys(fingerprints: readonly string[] = PUBLISHED_SANDBOX_KEY_FINGERPRINTS): Promise<number> {
  const published = new Set(fingerprints);
  const rows = await db.integration.findMany({ where: { provider: { in: Object.keys(OWN_SANDBOX_KEY) } } });
  let changed = 0;
  for (const row of rows) {
    const fields = getProvider(row.provider)?.webhook?.secretFields ?? [];
    if (!row.credentials || !fields.length) continue;
    const creds = decryptJson<Record<string, unknown>>(row.credentials, aadFor.integrationCredentials(row.id));
    const changes: Record<string, string> = {};
    for (const f of fields) {
      const v = creds[f];
      if (typeof v !== "string" || !published.has(fingerprint(v))) continue;
      const own = row.mode === "sandbox" ? OWN_SANDBOX_KEY[row.provider]?.[f] : undefined;
      if (own) creds[f] = own();
      else delete creds[f];
      changes[f] = own ? "[replaced: the key pair was published; now this install's sandbox key]" : "[removed: the key pair was published; enter the provider's key]";
    }
    const retired = retiredSecrets(row);
    const kept = retired.filter((r) => !(fields.includes(r.field) && published.has(fingerprint(r.value))));
    if (kept.length !== retired.length) changes.previousKeys = "[published key no longer accepted]";
    if (!Object.keys(changes).length) continue;
    await db.integration.update({
      where: { id: row.id },
      data: {
        credentials: encryptJson(creds, aadFor.integrationCredentials(row.id)),
        ...(kept.length !== retired.length ? { webhookSecret: kept.length ? encryptJson(kept, aadFor.integrationWebhookSecret(row.id)) : null } : {}),
      },
    });
    await audit({ type: "system", label: "start" }, "integration.update", "integration", row.id, { credentials: changes });
    changed++;
  }
  return changed;
}

/**
 * A few payment links, two of them paid in the Stripe sandbox's checkout, so the payments
 * screens are not empty on first open (the web server is not up yet: the state is read back
 * from the provider instead of waiting for its webhooks).
 */
export async function seedDemoPayments(sandboxUrl: string): Promise<number> {
  if ((await db.payment.count()) > 0) return 0;
  const who = { actor: { type: "system" as const, label: "demo" } };
  const apps = await db.application.findMany({ where: { contactId: { not: null } }, orderBy: { pickupAt: "asc" }, take: 3, include: { contact: true } });
  let n = 0;
  for (const [i, a] of apps.entries()) {
    const p = await createPayment(
      { amountMinor: [4500, 12000, 8000][i] ?? 5000, currency: "USD", description: `Transfer ${a.number}`, customerEmail: a.contact?.email ?? undefined, applicationId: a.id },
      who,
    );
    if (i < 2 && p.providerCheckoutId) {
      await fetch(`${sandboxUrl}/stripe/__pay/${p.providerCheckoutId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outcome: "pay" }) });
      await refreshPayment(p.id);
    }
    n++;
  }
  return n;
}

/** A few notifications so Messages and the Sandbox inbox are not empty on first open. */
export async function seedDemoMessages(): Promise<number> {
  if ((await db.message.count()) > 0) return 0;
  const apps = await db.application.findMany({ where: { driverId: { not: null }, contactId: { not: null } }, orderBy: { pickupAt: "asc" }, take: 3 });
  const drivers = await db.driver.findMany({ take: 2, orderBy: { name: "asc" } });
  for (const [i, d] of drivers.entries()) {
    await db.deviceToken.upsert({
      where: { token: `demo-device-${i + 1}` },
      create: { token: `demo-device-${i + 1}`, platform: "android", deviceName: "Demo phone", driverId: d.id },
      update: {},
    });
  }
  let n = 0;
  for (const a of apps) {
    n += (await notifyOrderAssigned({ applicationId: a.id, channels: ["sms", "push"] }, "demo")).messages.filter((m) => m.messageId).length;
    n += (await notifyOrderStatus({ applicationId: a.id, channels: ["email"] }, "demo")).messages.filter((m) => m.messageId).length;
  }
  return n;
}

/**
 * The map's demo: the last three hours of today for the active demo drivers (one of them went
 * quiet 40 minutes ago, so the map shows an offline driver too), and a few drivers on an order
 * right now. Returns the drivers the live simulator should keep moving.
 */
export async function seedDemoTracks(): Promise<{ live: string[]; positions: number }> {
  const drivers = await db.driver.findMany({ where: { status: "active" }, orderBy: { name: "asc" }, take: 9, select: { id: true } });
  const ids = drivers.map((d) => d.id);
  if (!ids.length) return { live: [], positions: 0 };
  let positions = 0;
  const recent = await db.gpsPosition.count({ where: { driverId: { in: ids }, recordedAt: { gte: new Date(Date.now() - 3 * 3600_000) } } });
  if (!recent) {
    const now = Date.now();
    const until = ids.map((_, i) => (i === ids.length - 1 ? now - 40 * 60_000 : undefined));
    const rows = simulatedHistory(ids, 3, now, until);
    for (let i = 0; i < rows.length; i += 1000) positions += (await ingestPositions(rows.slice(i, i + 1000), {})).accepted;
    for (const id of ids.slice(0, 3)) {
      const order = await db.application.findFirst({ where: { driverId: id, status: { in: ["assigned", "completed"] } }, orderBy: { pickupAt: "desc" } });
      if (order) await db.application.update({ where: { id: order.id }, data: { status: "in_progress", pickupAt: new Date(now - 20 * 60_000) } });
    }
  }
  return { live: ids.slice(0, -1), positions };
}
