// Stand-in for @azure/functions: everything the real package exports, except that each call on
// `app` (app.timer, app.storageQueue, app.http, ...) is recorded instead of registered. On exit the
// calls, with functions written as "function", go to the file named by FUNCTIONS_RECORD_FILE as
// { "package": <URL of the real @azure/functions>, "calls": [{ "method", "args" }] }.
import { writeFileSync } from "node:fs";
import process from "node:process";
import { URL } from "node:url";

export * from "@azure/functions";

const calls = [];
const asJson = (value) => JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === "function" ? "function" : v)));

export const app = new Proxy(
  {},
  {
    get:
      (_target, method) =>
      (...args) =>
        void calls.push({ method: String(method), args: asJson(args) }),
  },
);

process.on("exit", () => {
  const record = { package: new URL(import.meta.url).searchParams.get("real"), calls };
  writeFileSync(process.env.FUNCTIONS_RECORD_FILE, JSON.stringify(record, null, 2));
});
