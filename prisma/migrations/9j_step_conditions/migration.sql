-- AlterTable
ALTER TABLE "FlowStep" ADD COLUMN "conditions" TEXT;

