-- DropIndex
DROP INDEX "driver_locations_received_at_idx";


-- every position updates its driver row in place (HOT): room on each page for the new version
ALTER TABLE "driver_locations" SET (fillfactor = 50);
