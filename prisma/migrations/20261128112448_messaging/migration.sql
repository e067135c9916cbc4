-- CreateEnum
CREATE TYPE "MessageChannel" AS ENUM ('sms', 'whatsapp', 'email', 'push', 'telegram');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('queued', 'sent', 'delivered', 'failed', 'undelivered');

-- AlterTable
ALTER TABLE "integrations" ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 100;

-- CreateTable
CREATE TABLE "messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "channel" "MessageChannel" NOT NULL,
    "status" "MessageStatus" NOT NULL DEFAULT 'queued',
    "recipient" TEXT NOT NULL,
    "recipient_name" TEXT,
    "subject" TEXT,
    "body" TEXT NOT NULL,
    "html" TEXT,
    "template_key" TEXT,
    "template_data" JSONB,
    "options" JSONB NOT NULL DEFAULT '{}',
    "integration_id" UUID,
    "provider" TEXT,
    "route" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "route_index" INTEGER NOT NULL DEFAULT 0,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "provider_message_id" TEXT,
    "cost_micros" INTEGER,
    "cost_currency" CHAR(3),
    "error" TEXT,
    "error_code" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "route_attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "locked_until" TIMESTAMPTZ(3),
    "queued_at" TIMESTAMPTZ(3),
    "job_id" UUID,
    "history" JSONB NOT NULL DEFAULT '[]',
    "batch_id" UUID,
    "related_type" TEXT,
    "related_id" TEXT,
    "idempotency_key" TEXT,
    "created_by" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_batches" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "channel" "MessageChannel" NOT NULL,
    "name" TEXT,
    "total" INTEGER NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "message_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_templates" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "key" TEXT NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "subject" TEXT,
    "body" TEXT NOT NULL,
    "html" TEXT,
    "variables" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "sample_data" JSONB NOT NULL DEFAULT '{}',
    "builtin" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "device_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "token" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "device_name" TEXT,
    "user_id" UUID,
    "driver_id" UUID,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "device_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "telegram_links" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "integration_id" UUID,
    "chat_id" TEXT,
    "username" TEXT,
    "code_hash" TEXT,
    "code_expires_at" TIMESTAMPTZ(3),
    "linked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "telegram_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "otp_codes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "phone" TEXT NOT NULL,
    "purpose" TEXT NOT NULL DEFAULT 'login',
    "code_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 5,
    "verified_at" TIMESTAMPTZ(3),
    "message_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "otp_codes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "messages_idempotency_key_key" ON "messages"("idempotency_key");

-- CreateIndex
CREATE INDEX "messages_created_at_idx" ON "messages"("created_at" DESC);

-- CreateIndex
CREATE INDEX "messages_status_created_at_idx" ON "messages"("status", "created_at" DESC);

-- CreateIndex
CREATE INDEX "messages_channel_created_at_idx" ON "messages"("channel", "created_at" DESC);

-- CreateIndex
CREATE INDEX "messages_provider_provider_message_id_idx" ON "messages"("provider", "provider_message_id");

-- CreateIndex
CREATE INDEX "messages_batch_id_status_idx" ON "messages"("batch_id", "status");

-- CreateIndex
CREATE INDEX "messages_status_queued_at_next_attempt_at_idx" ON "messages"("status", "queued_at", "next_attempt_at");

-- CreateIndex
CREATE INDEX "messages_related_type_related_id_idx" ON "messages"("related_type", "related_id");

-- CreateIndex
CREATE INDEX "message_batches_created_at_idx" ON "message_batches"("created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "message_templates_key_channel_key" ON "message_templates"("key", "channel");

-- CreateIndex
CREATE UNIQUE INDEX "device_tokens_token_key" ON "device_tokens"("token");

-- CreateIndex
CREATE INDEX "device_tokens_user_id_idx" ON "device_tokens"("user_id");

-- CreateIndex
CREATE INDEX "device_tokens_driver_id_idx" ON "device_tokens"("driver_id");

-- CreateIndex
CREATE UNIQUE INDEX "telegram_links_user_id_key" ON "telegram_links"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "telegram_links_code_hash_key" ON "telegram_links"("code_hash");

-- CreateIndex
CREATE INDEX "telegram_links_chat_id_idx" ON "telegram_links"("chat_id");

-- CreateIndex
CREATE INDEX "otp_codes_phone_purpose_created_at_idx" ON "otp_codes"("phone", "purpose", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "message_batches"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Room on each page for a row's next version: the outbox updates a message several times
-- (claimed, sent, polled, delivered) and most of those updates touch no indexed column, so
-- PostgreSQL can keep them on the same page without new index entries (HOT updates).
ALTER TABLE "messages" SET (fillfactor = 70);
