-- CreateTable
CREATE TABLE "provider_transactions" (
    "id" BIGSERIAL NOT NULL,
    "provider" TEXT NOT NULL,
    "integration_id" UUID,
    "payment_id" UUID NOT NULL,
    "provider_tx_id" TEXT NOT NULL,
    "state" INTEGER NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "provider_time" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "performed_at" TIMESTAMPTZ(3),
    "canceled_at" TIMESTAMPTZ(3),
    "reason" INTEGER,
    "data" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "provider_transactions_payment_id_idx" ON "provider_transactions"("payment_id");

-- CreateIndex
CREATE INDEX "provider_transactions_integration_id_provider_time_idx" ON "provider_transactions"("integration_id", "provider_time");

-- CreateIndex
CREATE UNIQUE INDEX "provider_transactions_provider_provider_tx_id_key" ON "provider_transactions"("provider", "provider_tx_id");

-- AddForeignKey
ALTER TABLE "provider_transactions" ADD CONSTRAINT "provider_transactions_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_transactions" ADD CONSTRAINT "provider_transactions_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

