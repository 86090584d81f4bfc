-- AlterTable
ALTER TABLE "FollowUp" ADD COLUMN     "handedOverAt" TIMESTAMP(3);

