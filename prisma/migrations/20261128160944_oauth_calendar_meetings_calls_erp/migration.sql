-- AlterTable
ALTER TABLE "oauth_tokens" ADD COLUMN     "account_name" TEXT,
ADD COLUMN     "connected_by_id" UUID,
ADD COLUMN     "last_error" TEXT,
ADD COLUMN     "refresh_token_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'connected';

-- CreateTable
CREATE TABLE "oauth_states" (
    "id" TEXT NOT NULL,
    "integration_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "code_verifier" TEXT,
    "redirect_uri" TEXT NOT NULL,
    "return_to" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "oauth_states_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "calendar_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "integration_id" UUID NOT NULL,
    "calendar_id" TEXT NOT NULL,
    "google_event_id" TEXT,
    "etag" TEXT,
    "application_id" UUID,
    "meeting_id" UUID,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "location" TEXT,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "all_day" BOOLEAN NOT NULL DEFAULT false,
    "time_zone" TEXT,
    "attendees" JSONB NOT NULL DEFAULT '[]',
    "reminders" JSONB,
    "recurrence" JSONB,
    "status" TEXT NOT NULL DEFAULT 'confirmed',
    "origin" TEXT NOT NULL DEFAULT 'crm',
    "local_version" INTEGER NOT NULL DEFAULT 1,
    "synced_version" INTEGER NOT NULL DEFAULT 0,
    "google_updated_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    "last_synced_at" TIMESTAMPTZ(3),
    "sync_error" TEXT,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "calendar_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "calendar_syncs" (
    "integration_id" UUID NOT NULL,
    "calendar_id" TEXT NOT NULL,
    "sync_token" TEXT,
    "last_full_sync_at" TIMESTAMPTZ(3),
    "last_sync_at" TIMESTAMPTZ(3),
    "resyncs" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "calendar_syncs_pkey" PRIMARY KEY ("integration_id","calendar_id")
);

-- CreateTable
CREATE TABLE "calendar_channels" (
    "id" UUID NOT NULL,
    "integration_id" UUID NOT NULL,
    "calendar_id" TEXT NOT NULL,
    "resource_id" TEXT,
    "token" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "stopped_at" TIMESTAMPTZ(3),
    "last_message_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "calendar_channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "meetings" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "integration_id" UUID NOT NULL,
    "zoom_meeting_id" TEXT NOT NULL,
    "zoom_uuid" TEXT,
    "topic" TEXT NOT NULL,
    "agenda" TEXT,
    "type" INTEGER NOT NULL DEFAULT 2,
    "starts_at" TIMESTAMPTZ(3),
    "duration_minutes" INTEGER,
    "time_zone" TEXT,
    "recurrence" JSONB,
    "join_url" TEXT NOT NULL,
    "start_url" TEXT,
    "password" TEXT,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "recordings" JSONB,
    "application_id" UUID,
    "calendar_event_id" UUID,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "meetings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "call_logs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "integration_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "session_id" TEXT,
    "source" TEXT NOT NULL DEFAULT 'call_log',
    "direction" TEXT NOT NULL,
    "from_number" TEXT,
    "from_name" TEXT,
    "to_number" TEXT,
    "to_name" TEXT,
    "contact_id" UUID,
    "driver_id" UUID,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_seconds" INTEGER,
    "result" TEXT,
    "call_status" TEXT,
    "action" TEXT,
    "recording_url" TEXT,
    "raw" JSONB,
    "requested_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "call_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "erp_links" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "integration_id" UUID NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" UUID NOT NULL,
    "object" TEXT NOT NULL,
    "ref_key" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "data_hash" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_synced_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "erp_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "erp_sync_logs" (
    "id" BIGSERIAL NOT NULL,
    "link_id" UUID NOT NULL,
    "operation" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "http_status" INTEGER,
    "request" JSONB,
    "response" JSONB,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "erp_sync_logs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "oauth_states_expires_at_idx" ON "oauth_states"("expires_at");

-- CreateIndex
CREATE INDEX "calendar_events_integration_id_starts_at_idx" ON "calendar_events"("integration_id", "starts_at");

-- CreateIndex
CREATE INDEX "calendar_events_application_id_idx" ON "calendar_events"("application_id");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_events_integration_id_calendar_id_google_event_id_key" ON "calendar_events"("integration_id", "calendar_id", "google_event_id");

-- CreateIndex
CREATE INDEX "calendar_channels_integration_id_idx" ON "calendar_channels"("integration_id");

-- CreateIndex
CREATE INDEX "calendar_channels_expires_at_idx" ON "calendar_channels"("expires_at");

-- CreateIndex
CREATE INDEX "meetings_starts_at_idx" ON "meetings"("starts_at");

-- CreateIndex
CREATE UNIQUE INDEX "meetings_integration_id_zoom_meeting_id_key" ON "meetings"("integration_id", "zoom_meeting_id");

-- CreateIndex
CREATE INDEX "call_logs_started_at_idx" ON "call_logs"("started_at" DESC);

-- CreateIndex
CREATE INDEX "call_logs_contact_id_started_at_idx" ON "call_logs"("contact_id", "started_at" DESC);

-- CreateIndex
CREATE INDEX "call_logs_driver_id_started_at_idx" ON "call_logs"("driver_id", "started_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "call_logs_integration_id_external_id_key" ON "call_logs"("integration_id", "external_id");

-- CreateIndex
CREATE INDEX "erp_links_entity_type_entity_id_idx" ON "erp_links"("entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "erp_links_status_next_attempt_at_idx" ON "erp_links"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "erp_links_integration_id_entity_type_entity_id_key" ON "erp_links"("integration_id", "entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "erp_sync_logs_link_id_created_at_idx" ON "erp_sync_logs"("link_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "oauth_tokens_status_expires_at_idx" ON "oauth_tokens"("status", "expires_at");

-- AddForeignKey
ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_events" ADD CONSTRAINT "calendar_events_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_events" ADD CONSTRAINT "calendar_events_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_syncs" ADD CONSTRAINT "calendar_syncs_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_channels" ADD CONSTRAINT "calendar_channels_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_logs" ADD CONSTRAINT "call_logs_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_logs" ADD CONSTRAINT "call_logs_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_logs" ADD CONSTRAINT "call_logs_driver_id_fkey" FOREIGN KEY ("driver_id") REFERENCES "drivers"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "erp_links" ADD CONSTRAINT "erp_links_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "erp_sync_logs" ADD CONSTRAINT "erp_sync_logs_link_id_fkey" FOREIGN KEY ("link_id") REFERENCES "erp_links"("id") ON DELETE CASCADE ON UPDATE CASCADE;

