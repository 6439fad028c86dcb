/**
 * Where an outbound request may connect: a public unicast address, never one that reaches the
 * function app's own network or platform. Decided on the resolved address (the name is the
 * sender's to choose), per address class, so a refusal names what it refused. Pure.
 */
import { BlockList, isIP } from "node:net";

export interface AddressPolicyOptions {
  /**
   * 127.0.0.0/8 and ::1 allowed: only the tests and `npm run dev`'s local receiver set it, through
   * code (AppOptions), never from a setting or a tenant's config.
   */
  readonly allowLoopback?: boolean;
}

type Range = readonly [address: string, prefix: number, family: "ipv4" | "ipv6"];

/** Address classes refused, each with its ranges (IANA special-purpose registries, RFC 6890). */
const REFUSED: readonly { readonly name: string; readonly ranges: readonly Range[] }[] = [
  {
    name: "loopback",
    ranges: [
      ["127.0.0.0", 8, "ipv4"],
      ["::1", 128, "ipv6"],
    ],
  },
  {
    name: "unspecified",
    ranges: [
      ["0.0.0.0", 8, "ipv4"],
      ["::", 128, "ipv6"],
    ],
  },
  {
    name: "private",
    ranges: [
      ["10.0.0.0", 8, "ipv4"],
      ["172.16.0.0", 12, "ipv4"],
      ["192.168.0.0", 16, "ipv4"],
      ["fc00::", 7, "ipv6"],
    ],
  },
  { name: "shared address space (CGNAT)", ranges: [["100.64.0.0", 10, "ipv4"]] },
  // 169.254.169.254 (the instance metadata endpoint) is in here.
  {
    name: "link-local",
    ranges: [
      ["169.254.0.0", 16, "ipv4"],
      ["fe80::", 10, "ipv6"],
    ],
  },
  // Azure's platform address (DNS, health probes, the wire server) is public, but only reachable from inside Azure.
  { name: "Azure platform address", ranges: [["168.63.129.16", 32, "ipv4"]] },
  {
    name: "reserved",
    ranges: [
      ["192.0.0.0", 24, "ipv4"],
      ["192.0.2.0", 24, "ipv4"],
      ["198.18.0.0", 15, "ipv4"],
      ["198.51.100.0", 24, "ipv4"],
      ["203.0.113.0", 24, "ipv4"],
      ["240.0.0.0", 4, "ipv4"],
      ["100::", 64, "ipv6"],
      ["2001:db8::", 32, "ipv6"],
      ["fec0::", 10, "ipv6"],
      // NAT64 and the deprecated IPv4-compatible form reach IPv4 addresses this check would refuse.
      ["64:ff9b::", 96, "ipv6"],
      ["::", 96, "ipv6"],
    ],
  },
  {
    name: "multicast",
    ranges: [
      ["224.0.0.0", 4, "ipv4"],
      ["ff00::", 8, "ipv6"],
    ],
  },
];

/** One BlockList per class; Node's BlockList matches an IPv4-mapped IPv6 address (::ffff:a.b.c.d) against IPv4 ranges. */
const CLASSES = REFUSED.map(({ name, ranges }) => {
  const list = new BlockList();
  for (const [address, prefix, family] of ranges) list.addSubnet(address, prefix, family);
  return { name, list };
});

/** Why the address may not be connected to, or undefined when it may. */
export function refusedAddressClass(address: string, options: AddressPolicyOptions = {}): string | undefined {
  const family = isIP(address);
  if (family === 0) return "not an IP address";
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const { name, list } of CLASSES) {
    if (!list.check(address, type)) continue;
    if (name === "loopback" && options.allowLoopback) return undefined;
    return name;
  }
  return undefined;
}
