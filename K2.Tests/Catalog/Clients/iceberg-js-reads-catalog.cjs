// Reads K2's REST catalog with iceberg-js, a client nobody here wrote: lists the namespaces and the children of
// each, the tables of `cold`, loads every table and checks it exists. Prints what it found as JSON.
const { createRequire } = require("node:module");
const requireFromCache = createRequire(process.env.K2_NODE_MODULES + "/");
const { IcebergRestCatalog } = requireFromCache("iceberg-js");

async function main() {
  const catalog = new IcebergRestCatalog({
    baseUrl: process.env.K2_CATALOG_URL,
    warehouse: "k2",
    auth: process.env.K2_CATALOG_TOKEN ? { type: "bearer", token: process.env.K2_CATALOG_TOKEN } : { type: "none" },
  });
  const { namespaces } = await catalog.listNamespaces();
  const children = {};
  for (const ns of namespaces) {
    children[ns.namespace.join(".")] = (await catalog.listNamespaces({ parent: ns })).namespaces.map((c) => c.namespace);
  }
  const { identifiers } = await catalog.listTables({ namespace: ["cold"] });
  const tables = [];
  for (const id of identifiers) {
    const result = await catalog.loadTableResult(id);
    const metadata = result.metadata;
    const current = (metadata.snapshots ?? []).find((s) => s["snapshot-id"] === metadata["current-snapshot-id"]);
    tables.push({
      name: id.name,
      namespace: id.namespace,
      exists: await catalog.tableExists(id),
      metadataLocation: result["metadata-location"],
      location: metadata.location,
      formatVersion: metadata["format-version"],
      columns: metadata.schemas.find((s) => s["schema-id"] === metadata["current-schema-id"]).fields.length,
      totalRecords: Number(current?.summary?.["total-records"] ?? -1),
    });
  }
  const missing = await catalog.tableExists({ namespace: ["cold"], name: "no_such_table" });
  let loadMissing = null;
  try {
    await catalog.loadTable({ namespace: ["cold"], name: "no_such_table" });
  } catch (error) {
    loadMissing = { status: error.status, type: error.icebergType };
  }
  let dropped = null;
  try {
    await catalog.dropTable({ namespace: ["cold"], name: identifiers[0].name });
  } catch (error) {
    dropped = { status: error.status, type: error.icebergType };
  }
  console.log(JSON.stringify({ namespaces: namespaces.map((n) => n.namespace), children, tables, missing, loadMissing, dropped }));
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(1);
});
