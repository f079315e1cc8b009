using K2.Core.Trades;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.Iceberg;
using K2.Tests.Maintenance;

namespace K2.Tests.Offload;

/// <summary>Cold tables an earlier K2 created are evolved in place at the next offload: wider decimals, month partitions; every row is kept.</summary>
[TestFixture]
public sealed class ColdTableEvolutionTests
{
    [Test]
    public async Task An_existing_decimal_28_18_cold_table_is_widened_to_decimal_38_18_by_schema_evolution_and_keeps_its_rows()
    {
        await using var rig = await OffloadRig.StartAsync();
        var silver = ColdTables.Silver;
        var narrow = new Schema(0, [.. silver.Schema.Fields.Select(f => f.Type is PrimitiveType { Kind: PrimitiveKind.Decimal } ? f with { Type = PrimitiveType.Decimal(28, 18) } : f)]);
        var old = await rig.Warehouse.CreateTableAsync(silver.Identifier, narrow, silver.PartitionSpec, silver.SortOrder);
        var time = HotTrades.Day.AddHours(1);
        await AppendOldRowAsync(old, time);

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

    [Test]
    public async Task An_existing_day_partitioned_cold_table_gets_the_month_spec_as_default_and_new_files_land_in_months()
    {
        await using var rig = await OffloadRig.StartAsync();
        var silver = ColdTables.Silver;
        var old = await ColdTableFixture.CreateByDayAsync(rig.Warehouse, silver);
        await AppendOldRowAsync(old, HotTrades.Day.AddHours(1));

        await rig.Trades.InsertAsync(50, HotTrades.Day, TimeSpan.FromSeconds(30));
        var result = (await rig.NewRunner().RunAsync([silver])).Single();

        result.Outcome.Should().Be(OffloadOutcome.Committed, result.Error);
        var cold = await rig.ColdAsync(silver);
        cold.Metadata.TableUuid.Should().Be(old.Metadata.TableUuid, "the table is evolved, not recreated");
        cold.Metadata.DefaultSpecId.Should().Be(1);
        cold.Metadata.DefaultSpec.Fields.Select(f => (f.Name, f.Transform.ToString())).Should().Equal(
            silver.PartitionSpec.Fields.Select(f => (f.Name, f.Transform.ToString())));
        var files = await cold.ListDataFilesAsync();
        files.Where(f => f.SpecId == 0).Should().ContainSingle("the old file stays where it is until maintenance moves it");
        files.Where(f => f.SpecId == 1).Should().NotBeEmpty();
        files.Where(f => f.SpecId == 1).Should().OnlyContain(f => (int)f.Partition.Values[0]! == (int)Transform.Month.Apply(PrimitiveType.TimestampTz, HotTrades.Day)!);
        var hot = TestWarehouses.Query($"SELECT count() FROM {rig.Hot.Table("silver_trades")}");
        TestWarehouses.Query($"SELECT count() - 1, countIf(trade_id = 'old-1') FROM {TestWarehouses.ChDbSource(cold)}").Should().Be($"{hot}\t1");
    }

    private static string TradeId(OffloadRig rig, string quantity) =>
        TestWarehouses.Query($"SELECT trade_id FROM {rig.Hot.Table("silver_trades")} WHERE quantity = toDecimal128('{quantity}', 18)");

    /// <summary>One Kraken trade, <c>old-1</c>, appended by the table's writer as an earlier K2 would have offloaded it.</summary>
    private static async Task AppendOldRowAsync(IcebergTable old, DateTime time)
    {
        await using var appender = old.NewAppender();
        await appender.WriteAsync(["kraken", "XBT/USD", "BTC/USD", "old-1", 65000.5m, 0.25m, 16250.125m, "BUY", time, time, time, false,
            "market.crypto.trades.kraken", 0L, 0L, true, Array.Empty<string>()]);
        await old.AppendAsync(await appender.CompleteAsync());
    }
}
