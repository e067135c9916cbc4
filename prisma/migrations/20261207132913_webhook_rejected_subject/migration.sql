-- AlterTable
ALTER TABLE "webhook_events" ADD COLUMN     "subject" TEXT;

-- CreateIndex
CREATE INDEX "webhook_events_integration_id_subject_idx" ON "webhook_events"("integration_id", "subject");

