-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "sealed" TEXT,
ADD COLUMN     "secret" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "message_templates" ADD COLUMN     "secret" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "secret_variables" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- The built-in password reset carries a link or a code: secret from now on
UPDATE "message_templates" SET "secret" = true, "secret_variables" = ARRAY['reset_url', 'code']::TEXT[]
 WHERE "key" = 'password_reset' AND "builtin";

-- Codes already sent in clear: masked (a queued one keeps its text so it can still be sent)
UPDATE "messages" SET "secret" = true, "body" = regexp_replace("body", '\d{4,8}', '••••••', 'g'), "template_data" = NULL
 WHERE "related_type" = 'otp' AND "status" <> 'queued';
