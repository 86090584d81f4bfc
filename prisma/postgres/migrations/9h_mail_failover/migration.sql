-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "mailProvider" TEXT NOT NULL DEFAULT 'auto';

-- AlterTable
ALTER TABLE "FollowUp" ADD COLUMN     "handedOverTo" TEXT;

-- AlterTable
ALTER TABLE "MessageEvent" ADD COLUMN     "provider" TEXT NOT NULL DEFAULT 'sendgrid';

