// What meetings do on Zoom's behalf (issue 17: lib/providers/bindings.ts): Zoom's webhook events
// (meeting started/ended, recordings, participants) reach the meetings tables. Loaded by the wiring.
import { bindProvider } from "@/lib/providers/bindings";
import { handleZoomEvent } from "@/lib/meetings/events";

bindProvider("meetings", "zoom", { webhook: { handle: handleZoomEvent } });
