/**
 * Preloaded into the benchmark's Azurite (node --require): makes its point lookups by
 * (PartitionKey, RowKey) use the RowKey index instead of scanning the whole partition.
 *
 * Azurite's in-memory store (LokiJS) answers findOne({ PartitionKey, RowKey }) by taking every
 * entity of the partition through the PartitionKey index, then filtering them one by one for the
 * RowKey, so each write into a partition of n entities costs O(n) and filling one tenant's
 * partition with 26,000 findings costs O(n²): minutes, where Table Storage takes seconds. Asking
 * for the RowKey first returns the same entity (same filters, other order) through the index.
 * Nothing else changes; `npm run bench -- --plain-azurite` runs without it.
 */
"use strict";
const path = require("node:path");
const loki = require(require.resolve("lokijs", { paths: [path.dirname(require.resolve("azurite/package.json"))] }));

const findOne = loki.Collection.prototype.findOne;
loki.Collection.prototype.findOne = function (query) {
  if (query && typeof query === "object" && "PartitionKey" in query && "RowKey" in query && Object.keys(query).length === 2) {
    return findOne.call(this, { RowKey: query.RowKey, PartitionKey: query.PartitionKey });
  }
  return findOne.call(this, query);
};
