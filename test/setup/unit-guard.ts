/**
 * setupFiles of the unit tier (vitest.config.ts): a unit test runs inside its own process only.
 * Opening a server or a connection, or starting a process, throws at once and names the rule,
 * so a test that needs Azurite, the Graph simulator, a browser or a CLI fails loudly here
 * instead of hanging or passing by accident. Graph is faked at fetch (test/graph/fake-graph.ts).
 */
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";

function refuse(what: string): never {
  throw new Error(`A unit test must not ${what}: name the file *.test.ts (integration tier) or fake the dependency`);
}

net.Server.prototype.listen = function listen(): never {
  refuse("open a server (the Graph simulator, a local host)");
};
net.Socket.prototype.connect = function connect(): never {
  refuse("open a network connection (Azurite, Graph, a local server)");
};
const PROCESS_STARTERS = ["spawn", "spawnSync", "fork", "exec", "execSync", "execFile", "execFileSync"];
Object.assign(childProcess, Object.fromEntries(PROCESS_STARTERS.map((name) => [name, () => refuse(`start a process (${name})`)])));
// Modules that import { spawn } from "node:child_process" see the replacements too.
syncBuiltinESMExports();
