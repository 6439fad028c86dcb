/** extraCaCertsWithSimulator keeps what the environment trusted and adds the simulator CA. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { extraCaCertsWithSimulator, SIMULATOR_CA_PATH } from "../../dev/simulator/trust.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sim-trust-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it("returns the simulator CA when nothing else is trusted", () => {
  expect(extraCaCertsWithSimulator("")).toBe(SIMULATOR_CA_PATH);
  expect(extraCaCertsWithSimulator(SIMULATOR_CA_PATH)).toBe(SIMULATOR_CA_PATH);
});

it("writes one bundle holding the existing certificates and the simulator CA", async () => {
  const existing = path.join(dir, "corporate.pem");
  await writeFile(existing, "-----BEGIN CERTIFICATE-----\nMIIcorporate\n-----END CERTIFICATE-----\n");
  const bundle = extraCaCertsWithSimulator(existing);
  const text = await readFile(bundle, "utf8");
  expect(text).toContain("MIIcorporate");
  expect(text).toContain((await readFile(SIMULATOR_CA_PATH, "utf8")).trim());
  expect(extraCaCertsWithSimulator(bundle)).toBe(bundle);
});
