import { defineConfig } from "vitest/config";
import { extraCaCertsWithSimulator } from "./dev/simulator/trust.js";

// Test workers are forked from this process, so they inherit the simulator's test CA
// (Node reads NODE_EXTRA_CA_CERTS only at process start).
process.env.NODE_EXTRA_CA_CERTS = extraCaCertsWithSimulator();

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/azurite.global.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
