using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Trades;

namespace K2.ClickHouse.Operations;

/// <summary>
/// Writes to silver (and so to the candles) the bronze rows of the last <see cref="Window"/> of ingest that silver lacks.
/// A block reaches bronze and then silver in two inserts; a process killed between them keeps the block in bronze only.
/// With a broker that outlives the process the block's offsets were not committed and the Kafka engine reads it again;
/// the embedded broker dies with the process, and ingest resumes after the newest trade bronze holds, so nothing else
/// would bring those trades to silver. Run before the consumers receive anything, so no block is between its two inserts.
/// </summary>
internal sealed class SilverCatchUp(IClickHouseGateway gateway, HotTierSettings settings)
{
    /// <summary>How far back from the newest bronze row to look: a kill cuts the blocks being written, the last ones.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>Per exchange, the number of trades written to silver.</summary>
    public async Task<IReadOnlyDictionary<Exchange, long>> RunAsync(CancellationToken cancellationToken)
    {
        var written = new Dictionary<Exchange, long>();
        foreach (var exchange in ExchangeNames.All)
        {
            var bronze = settings.Table(HotTierMigrations.BronzeTable(exchange));
            var newest = await gateway.QueryRowsAsync($"SELECT count(), toUnixTimestamp64Micro(max(ingested_at)) FROM {bronze}", cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            if (newest[0][0] == "0") { continue; }
            var since = new Dictionary<string, string>
            {
                ["since"] = SqlTime.Parameter(DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(newest[0][1], CultureInfo.InvariantCulture) / 1000) - Window),
                ["exchange"] = exchange.ToWire(),
            };
            var missing = $$"""
                (
                    SELECT * FROM {{bronze}}
                    WHERE ingested_at >= {since:DateTime64(6, 'UTC')}
                        AND (symbol, trade_id) NOT IN
                        (
                            SELECT symbol, trade_id FROM {{settings.Table(HotTierMigrations.SilverTable)}}
                            WHERE exchange = {exchange:String} AND ingested_at >= {since:DateTime64(6, 'UTC')}
                        )
                    ORDER BY ingested_at
                    LIMIT 1 BY symbol, trade_id
                )
                """;
            var count = long.Parse(await gateway.QueryScalarAsync($"SELECT count() FROM {missing}", since, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (count == 0) { continue; }
            await gateway.ExecuteAsync($"INSERT INTO {settings.Table(HotTierMigrations.SilverTable)}\n{HotTierMigrations.BronzeToSilverSelect(settings, exchange, missing)}", since, cancellationToken)
                .ConfigureAwait(false);
            written[exchange] = count;
        }

        return written;
    }
}
