// The client's address as the node:http front decides it: the socket's peer, or behind our own
// proxies (TRUST_PROXY=true) the X-Forwarded-For entry TRUST_PROXY_HOPS from the right. What a
// client wrote into the header itself (the left part) never counts.
import { describe, expect, it } from "vitest";
import { clientAddress } from "@/lib/auth/client-ip";

const direct = { trustProxy: false, hops: 1 };
const oneProxy = { trustProxy: true, hops: 1 };
const twoProxies = { trustProxy: true, hops: 2 };

describe("clientAddress", () => {
  it("without a trusted proxy is the socket's peer, whatever the headers say", () => {
    expect(clientAddress("203.0.113.5", "198.51.100.1", direct)).toBe("203.0.113.5");
    expect(clientAddress("::ffff:203.0.113.5", undefined, direct)).toBe("203.0.113.5");
    expect(clientAddress(undefined, "198.51.100.1", direct)).toBe("unknown");
  });

  it("behind one proxy that appends (nginx $proxy_add_x_forwarded_for) is the right-most entry: a spoofed left part is ignored", () => {
    // the client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the address it saw
    expect(clientAddress("10.0.0.2", "1.2.3.4, 203.0.113.7", oneProxy)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "1.2.3.4,5.6.7.8,203.0.113.7", oneProxy)).toBe("203.0.113.7");
    // no client header: the proxy's own single entry
    expect(clientAddress("10.0.0.2", "203.0.113.7", oneProxy)).toBe("203.0.113.7");
    // repeated headers arrive joined (node) or as a list: the last value is still the proxy's
    expect(clientAddress("10.0.0.2", ["1.2.3.4", "203.0.113.7"], oneProxy)).toBe("203.0.113.7");
  });

  it("behind two proxies (a CDN, then nginx) is the second entry from the right", () => {
    // client spoof, then the CDN's view of the client, then nginx's view of the CDN
    expect(clientAddress("10.0.0.2", "1.2.3.4, 203.0.113.7, 192.0.2.50", twoProxies)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "203.0.113.7, 192.0.2.50", twoProxies)).toBe("203.0.113.7");
  });

  it("with fewer entries than hops takes the right-most one (the proxy that connected to us wrote it), never a left one", () => {
    // a client that skipped the CDN and wrote its own header: the left entry is its invention
    expect(clientAddress("10.0.0.2", "1.2.3.4, 203.0.113.7", { trustProxy: true, hops: 3 })).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "203.0.113.7", twoProxies)).toBe("203.0.113.7");
  });

  it("falls back to the socket's peer when the header is missing, empty or the chosen entry is not an address", () => {
    expect(clientAddress("10.0.0.2", undefined, oneProxy)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "", oneProxy)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", " , ", oneProxy)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "203.0.113.7, unknown", oneProxy)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "1.2.3.4, <script>", oneProxy)).toBe("10.0.0.2");
  });

  it("reads the forms load balancers write: ports, brackets, IPv6, IPv4-mapped", () => {
    expect(clientAddress("10.0.0.2", "203.0.113.7:51234", oneProxy)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "[2001:DB8::1]:443", oneProxy)).toBe("2001:db8::1");
    expect(clientAddress("10.0.0.2", "2001:db8::1", oneProxy)).toBe("2001:db8::1");
    expect(clientAddress("10.0.0.2", "::ffff:203.0.113.7", oneProxy)).toBe("203.0.113.7");
  });
});
