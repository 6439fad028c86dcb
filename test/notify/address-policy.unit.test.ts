/** Every address class the outbound check refuses, and the public addresses it lets through. */
import { describe, expect, it } from "vitest";
import { refusedAddressClass } from "../../shared/notify/address-policy.js";
import { isOutboundRefused, postJson } from "../../shared/notify/outbound.js";

describe("refusedAddressClass", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:a00:1", "private"],
    ["100.64.0.1", "shared address space (CGNAT)"],
    ["100.127.255.254", "shared address space (CGNAT)"],
    ["169.254.169.254", "link-local"],
    ["169.254.1.1", "link-local"],
    ["::ffff:169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["168.63.129.16", "Azure platform address"],
    ["192.0.2.1", "reserved"],
    ["198.18.0.1", "reserved"],
    ["2001:db8::1", "reserved"],
    ["64:ff9b::a00:1", "reserved"],
    ["::a00:1", "reserved"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["not-an-ip", "not an IP address"],
  ])("refuses %s (%s)", (address, name) => {
    expect(refusedAddressClass(address)).toBe(name);
  });

  it.each(["8.8.8.8", "20.190.128.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"])("allows %s", (address) => {
    expect(refusedAddressClass(address)).toBeUndefined();
  });

  it("allows loopback only when asked, and nothing else with it", () => {
    expect(refusedAddressClass("127.0.0.1", { allowLoopback: true })).toBeUndefined();
    expect(refusedAddressClass("::1", { allowLoopback: true })).toBeUndefined();
    expect(refusedAddressClass("10.0.0.1", { allowLoopback: true })).toBe("private");
    expect(refusedAddressClass("169.254.169.254", { allowLoopback: true })).toBe("link-local");
  });
});

describe("postJson refuses before connecting", () => {
  const refusal = (url: string, resolved: string[] = []) =>
    postJson(
      url,
      "{}",
      {},
      { resolve: () => Promise.resolve(resolved.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))) },
    ).then(
      () => "sent",
      (error: unknown) => (isOutboundRefused(error) ? error.message : `other: ${String(error)}`),
    );

  it("refuses http:// and credentials in the URL", async () => {
    expect(await refusal("http://hooks.example/x", ["8.8.8.8"])).toMatch(/Only https/);
    expect(await refusal("https://user:pw@hooks.example/x", ["8.8.8.8"])).toMatch(/credentials/);
  });

  it("refuses a name when any address it resolves to is refused (the metadata endpoint among public ones)", async () => {
    expect(await refusal("https://hooks.example/x", ["8.8.8.8", "169.254.169.254"])).toMatch(/169\.254\.169\.254, a link-local address/);
    expect(await refusal("https://rebind.example/x", ["::ffff:127.0.0.1"])).toMatch(/loopback/);
  });

  it("refuses a body above the cap", async () => {
    const big = "x".repeat(20);
    await expect(postJson("https://hooks.example/x", big, {}, { maxRequestBytes: 10 })).rejects.toThrow(/above the 10-byte cap/);
  });
});

describe("postJson on IPv6 literals", () => {
  it("checks the bare address of a bracketed URL host", async () => {
    await expect(postJson("https://[fd00::1]/x", "{}", {})).rejects.toThrow(/fd00::1, a private address/);
    await expect(postJson("https://[::ffff:169.254.169.254]/x", "{}", {})).rejects.toThrow(/link-local/);
  });
});
