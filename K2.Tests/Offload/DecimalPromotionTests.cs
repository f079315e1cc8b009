using K2.Core.Trades;
using K2.Iceberg.Spec;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.Iceberg;

namespace K2.Tests.Offload;

[TestFixture]
public sealed class DecimalPromotionTests
{
    [Test]
    public async Task An_existing_decimal_28_18_cold_table_is_widened_to_decimal_38_18_by_schema_evolution_and_keeps_its_rows()
    {
        await using var rig = await OffloadRig.StartAsync();
        var silver = ColdTables.Silver;
        var narrow = new Schema(0, [.. silver.Schema.Fields.Select(f => f.Type is PrimitiveType { Kind: PrimitiveKind.Decimal } ? f with { Type = PrimitiveType.Decimal(28, 18) } : f)]);
        var old = await rig.Warehouse.CreateTableAsync(silver.Identifier, narrow, silver.PartitionSpec, silver.SortOrder);
        var time = HotTrades.Day.AddHours(1);
        await using (var appender = old.NewAppender())
        {
            await appender.WriteAsync(["kraken", "XBT/USD", "BTC/USD", "old-1", 65000.5m, 0.25m, 16250.125m, "BUY", time, time, time, false,
                "market.crypto.trades.kraken", 0L, 0L, true, Array.Empty<string>()]);
            await old.AppendAsync(await appender.CompleteAsync());
        }

        await rig.Trades.InsertLateAsync(Exchange.Binance, "PEPEUSDT", time.AddMinutes(1), "0.00000412", "30000000000.00000000");
        await rig.Trades.InsertLateAsync(Exchange.Binance, "PEPEUSDT", time.AddMinutes(2), "0.5", "1000000000000000.000000000000000002");
        var result = (await rig.NewRunner().RunAsync([silver])).Single();

        result.Outcome.Should().Be(OffloadOutcome.Committed, result.Error);
        var cold = await rig.ColdAsync(silver);
        cold.Metadata.Schemas.Should().HaveCount(2);
        cold.Metadata.TableUuid.Should().Be(old.Metadata.TableUuid, "the table is evolved, not recreated");
        cold.Metadata.CurrentSchema.Fields.Where(f => f.Type is PrimitiveType { Kind: PrimitiveKind.Decimal }).Select(f => f.Type.ToString())
            .Should().OnlyContain(t => t == "decimal(38,18)");
        TestWarehouses.Query($"SELECT trade_id, toString(price), toString(quantity), toString(quote_volume) FROM {TestWarehouses.ChDbSource(cold)} ORDER BY exchange_ts")
            .Split('\n').Should().Equal(
                "old-1\t65000.5\t0.25\t16250.125",
                $"{TradeId(rig, "30000000000")}\t0.00000412\t30000000000\t123600",
                $"{TradeId(rig, "1000000000000000.000000000000000002")}\t0.5\t1000000000000000.000000000000000002\t500000000000000.000000000000000001");
    }

    private static string TradeId(OffloadRig rig, string quantity) =>
        TestWarehouses.Query($"SELECT trade_id FROM {rig.Hot.Table("silver_trades")} WHERE quantity = toDecimal128('{quantity}', 18)");
}
