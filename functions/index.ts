import { app } from "@azure/functions";
import { FUNCTIONS, STORAGE_CONNECTION, type FunctionDefinition } from "./registry.js";

/** Registers the function table with the Azure Functions host (package.json "main"). */
function register(definition: FunctionDefinition): void {
  switch (definition.trigger) {
    case "timer":
      app.timer(definition.name, { schedule: definition.schedule, handler: definition.handler });
      return;
    case "queue":
      app.storageQueue(definition.name, { queueName: definition.queueName, connection: STORAGE_CONNECTION, handler: definition.handler });
      return;
    case "http":
      app.http(definition.name, {
        route: definition.route,
        methods: [...definition.methods],
        authLevel: definition.authLevel,
        handler: definition.handler,
      });
      return;
  }
}

for (const definition of FUNCTIONS) register(definition);
