import { configDefaults, defineConfig } from "vitest/config";
import { extraCaCertsWithSimulator } from "./dev/simulator/trust.js";

// Test workers are forked from this process, so they inherit the simulator's test CA
// (Node reads NODE_EXTRA_CA_CERTS only at process start).
process.env.NODE_EXTRA_CA_CERTS = extraCaCertsWithSimulator();

/**
 * Two tiers, told apart by the file name:
 * - unit: `*.unit.test.ts`, nothing outside the test's own process (no Azurite, Graph simulator,
 *   browser or child process; test/setup/unit-guard.ts makes any attempt fail), seconds in all:
 *   `npm run test:unit` while editing.
 * - integration: every other `*.test.ts`, with one Azurite for the run (test/setup/azurite.global.ts).
 * `npm test` runs both.
 */
const UNIT_TESTS = "test/**/*.unit.test.ts";

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [UNIT_TESTS],
          setupFiles: ["test/setup/unit-guard.ts"],
          // Pure tests may share one worker per core: forking a process per file would cost most of
          // the tier's time. Globals a test stubs (the fake Graph's fetch) are put back after it.
          isolate: false,
          unstubGlobals: true,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, UNIT_TESTS],
          globalSetup: ["test/setup/azurite.global.ts"],
        },
      },
    ],
  },
});
