-- Written by hand: Prisma's schema language cannot say this.
-- The logs page's text filter chooses between two plans by the estimated number of
-- matches: an ordered index-only scan of a btree that carries `search` (common words) or
-- the trigram GIN index (rare words). With the default statistics target (100) the
-- estimate for LIKE '%word%' comes from a 100-value sample and swings by two orders of
-- magnitude between ANALYZE runs, and with it the plan (2 ms vs. 10 ms at 1M rows, see
-- bench/logs.ts). 1000 values keep it within ~20%.
ALTER TABLE "integration_logs" ALTER COLUMN "search" SET STATISTICS 1000;
