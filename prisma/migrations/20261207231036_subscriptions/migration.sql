-- CreateEnum
CREATE TYPE "SubscriptionStatus" AS ENUM ('incomplete', 'incomplete_expired', 'active', 'past_due', 'canceled');

-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "invoice_id" TEXT,
ADD COLUMN     "invoice_pdf_url" TEXT,
ADD COLUMN     "invoice_url" TEXT,
ADD COLUMN     "subscription_id" UUID;

-- CreateTable
CREATE TABLE "subscriptions" (
    "id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "integration_id" UUID,
    "plan" TEXT NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "interval" TEXT NOT NULL,
    "interval_count" INTEGER NOT NULL DEFAULT 1,
    "status" "SubscriptionStatus" NOT NULL DEFAULT 'incomplete',
    "provider_status" TEXT,
    "provider_subscription_id" TEXT,
    "provider_customer_id" TEXT,
    "provider_plan_id" TEXT,
    "payment_method_id" TEXT,
    "payment_url" TEXT,
    "customer_email" TEXT,
    "description" TEXT,
    "application_id" UUID,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "current_period_start" TIMESTAMPTZ(3),
    "current_period_end" TIMESTAMPTZ(3),
    "cancel_at_period_end" BOOLEAN NOT NULL DEFAULT false,
    "canceled_at" TIMESTAMPTZ(3),
    "next_charge_at" TIMESTAMPTZ(3),
    "failed_charges" INTEGER NOT NULL DEFAULT 0,
    "applied_events" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status_event_at" TIMESTAMPTZ(3),
    "idempotency_key" TEXT,
    "created_by" TEXT,
    "history" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "subscriptions_idempotency_key_key" ON "subscriptions"("idempotency_key");

-- CreateIndex
CREATE INDEX "subscriptions_created_at_idx" ON "subscriptions"("created_at" DESC);

-- CreateIndex
CREATE INDEX "subscriptions_status_created_at_idx" ON "subscriptions"("status", "created_at" DESC);

-- CreateIndex
CREATE INDEX "subscriptions_provider_provider_subscription_id_idx" ON "subscriptions"("provider", "provider_subscription_id");

-- CreateIndex
CREATE INDEX "subscriptions_integration_id_created_at_idx" ON "subscriptions"("integration_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "subscriptions_application_id_idx" ON "subscriptions"("application_id");

-- CreateIndex
CREATE INDEX "subscriptions_status_next_charge_at_idx" ON "subscriptions"("status", "next_charge_at");

-- CreateIndex
CREATE INDEX "payments_subscription_id_created_at_idx" ON "payments"("subscription_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

