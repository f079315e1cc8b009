// Queries K2's embedded ClickHouse HTTP interface with @clickhouse/client, ClickHouse's official JS client: a hot-tier
// aggregate, a cold-tier count, a Parquet download, a write and a wrong password. Prints what it got as JSON.
const { createRequire } = require("node:module");
const { writeFileSync } = require("node:fs");
const requireFromCache = createRequire(process.env.K2_NODE_MODULES + "/");
const { createClient } = requireFromCache("@clickhouse/client");

async function failure(run) {
  try {
    await run();
    return null;
  } catch (error) {
    return { code: String(error.code ?? ""), type: error.type ?? null, message: String(error.message) };
  }
}

async function main() {
  const settings = { url: process.env.K2_CLICKHOUSE_URL, username: process.env.K2_CLICKHOUSE_USER, database: process.env.K2_CLICKHOUSE_DATABASE };
  const client = createClient({ ...settings, password: process.env.K2_CLICKHOUSE_PASSWORD });
  const ping = await client.ping();
  const hot = await (await client.query({
    query: "SELECT exchange, count() AS trades, toString(sum(quantity)) AS volume FROM silver_trades GROUP BY exchange ORDER BY exchange",
    format: "JSONEachRow",
  })).json();
  const cold = await (await client.query({ query: "SELECT count() AS rows FROM cold.silver_trades", format: "JSONEachRow" })).json();
  const parameterized = await (await client.query({
    query: "SELECT count() AS rows FROM silver_trades WHERE exchange = {exchange:String}",
    query_params: { exchange: "kraken" },
    format: "JSONEachRow",
  })).json();
  const parquet = await client.exec({ query: "SELECT exchange, symbol, trade_id, price, quantity FROM silver_trades ORDER BY exchange, symbol, trade_id FORMAT Parquet" });
  const chunks = [];
  for await (const chunk of parquet.stream) chunks.push(chunk);
  writeFileSync(process.env.K2_PARQUET_FILE, Buffer.concat(chunks));
  const drop = await failure(() => client.command({ query: "DROP TABLE silver_trades" }));
  const insert = await failure(() => client.insert({ table: "silver_trades", values: [{ exchange: "x" }], format: "JSONEachRow" }));
  await client.close();

  const intruder = createClient({ ...settings, password: "not-the-password" });
  const badPassword = await failure(() => intruder.query({ query: "SELECT 1", format: "JSONEachRow" }));
  await intruder.close();

  console.log(JSON.stringify({ ping: ping.success, hot, cold, parameterized, parquetQueryId: parquet.query_id, drop, insert, badPassword }));
}

main().catch((error) => {
  console.error(error.stack ?? String(error));
  process.exit(1);
});
