-- AlterTable
ALTER TABLE "FollowUp" ADD COLUMN "handedOverAt" DATETIME;

