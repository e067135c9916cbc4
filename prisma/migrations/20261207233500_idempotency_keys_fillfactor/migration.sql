-- Every idempotency key is written twice: claimed (a small row), then completed with its sealed
-- answer. With room left on each page the completion is a HOT update (no indexed column
-- changes), so it touches no index. Measured with bench/compare.ts: PostgreSQL CPU per payment
-- 4.52 → 4.22 ms and payment creation 1.13× as fast, in interleaved rounds (bench/README.md).
ALTER TABLE "idempotency_keys" SET (fillfactor = 50);
