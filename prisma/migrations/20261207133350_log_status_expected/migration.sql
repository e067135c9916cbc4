-- AlterEnum
ALTER TYPE "LogStatus" ADD VALUE 'expected';

