// Ports (lib/ports.ts): the wiring's areas provide theirs, a second area providing the same port
// is refused at startup, and asking for one nobody provides says what is missing.
import { describe, expect, it } from "vitest";
import { port, providePort, type PortName } from "@/lib/ports";

describe("ports", () => {
  it("the wiring provides every declared port; a second provider is refused; a missing one is named", async () => {
    // the test setup loads the wiring, as the web process and the workers do
    expect(typeof port("calendarEvents").create).toBe("function");
    expect(await port("alerts").open(5)).toMatchObject({ items: [], total: 0 });

    expect(() => providePort("payments", "alerts", { open: async () => ({ items: [], total: 0 }) })).toThrow("The alerts port is provided by both alerts and payments");
    // the refusal leaves the first provider in place
    expect(await port("alerts").open(5)).toMatchObject({ total: 0 });

    expect(() => port("nobody" as PortName)).toThrow("No area provides the nobody port in this process: load the wiring (lib/wiring) first");
  });
});
