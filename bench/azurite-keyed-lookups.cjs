/**
 * Preloaded into the benchmark's Azurite (node --require): gives its in-memory table store a
 * (PartitionKey, RowKey) hash index, as Table Storage's own clustered index, in place of two
 * sorted LokiJS indexes.
 *
 * Azurite keeps each table in a LokiJS collection with sorted ("binary") indexes on PartitionKey
 * and RowKey. Point lookups (every insert, upsert and delete starts with one) take every entity of
 * the partition from the PartitionKey index and compare RowKeys one by one, and every insert or
 * removal shifts both indexes: each write costs O(entities in the partition or table), so filling
 * a tenant's partition with 26,000 findings takes minutes where Table Storage takes seconds. The
 * benchmark would measure LokiJS instead of the product. Here each entity collection gets one
 * unique (hash) index on a PartitionKey + RowKey key and findOne({ PartitionKey, RowKey }) uses
 * it. Queries are unaffected (Azurite evaluates them by scanning either way); what a request
 * answers is unchanged. `npm run bench -- --plain-azurite` runs without this file.
 */
"use strict";
const path = require("node:path");
const loki = require(require.resolve("lokijs", { paths: [path.dirname(require.resolve("azurite/package.json"))] }));

const KEY = "$entityKey";
const keyOf = (partitionKey, rowKey) => `${partitionKey}\u0000${rowKey}`;
const isEntityIndexes = (indices) =>
  Array.isArray(indices) && indices.length === 2 && indices[0] === "PartitionKey" && indices[1] === "RowKey";
const keyed = new WeakSet();

const addCollection = loki.prototype.addCollection;
loki.prototype.addCollection = function (name, options) {
  if (!options || !isEntityIndexes(options.indices)) return addCollection.call(this, name, options);
  const collection = addCollection.call(this, name, { ...options, indices: [], unique: [KEY] });
  keyed.add(collection);
  return collection;
};

const insert = loki.Collection.prototype.insert;
loki.Collection.prototype.insert = function (docs) {
  if (keyed.has(this)) for (const doc of Array.isArray(docs) ? docs : [docs]) doc[KEY] = keyOf(doc.PartitionKey, doc.RowKey);
  return insert.call(this, docs);
};

const findOne = loki.Collection.prototype.findOne;
loki.Collection.prototype.findOne = function (query) {
  if (
    keyed.has(this) &&
    query &&
    typeof query === "object" &&
    Object.keys(query).length === 2 &&
    "PartitionKey" in query &&
    "RowKey" in query
  ) {
    return this.by(KEY, keyOf(query.PartitionKey, query.RowKey)) ?? null;
  }
  return findOne.call(this, query);
};
