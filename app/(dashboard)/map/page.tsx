import { requirePermission } from "@/lib/auth/page";
import { env } from "@/lib/env";
import { MapPage } from "@/components/map/map-page";

export const metadata = { title: "Map" };

export default async function Page() {
  await requirePermission("tracking.read");
  const e = env();
  const [lat, lng] = e.MAP_CENTER.split(",").map(Number);
  return (
    <MapPage
      config={{
        tileUrl: e.MAP_TILE_URL.trim(),
        tileAttribution: e.MAP_TILE_ATTRIBUTION,
        center: [lat, lng],
        zoom: e.MAP_ZOOM,
        offlineAfterSeconds: e.GPS_OFFLINE_AFTER_SECONDS,
        movingSpeedKmh: e.GPS_MOVING_SPEED_KMH,
      }}
    />
  );
}
