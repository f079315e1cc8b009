using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.Core.Trades;

namespace K2.ClickHouse.Schema;

/// <summary>
/// Embedded Kafka mode: the mock cluster lives in the daemon, so after a restart each partition numbers its offsets
/// from 0 again, while the offload keeps its progress as the last offset per (topic, partition). The consumer views
/// therefore add a base per partition to the Kafka offset: one past the highest offset bronze or the errors table
/// holds for that partition, and never less than the base recorded at an earlier start, which keeps the base above
/// the offload's watermark even after the hot TTL has dropped every row of a partition.
/// </summary>
public static class KafkaOffsetBases
{
    public const string Table = "kafka_offset_bases";

    // No TTL: a recorded base is what keeps new offsets above everything offloaded once the hot rows have expired.
    public static string Ddl(HotTierSettings s) => $"""
        CREATE TABLE IF NOT EXISTS {s.Table(Table)}{s.OnCluster}
        (
            topic String,
            partition UInt64,
            next_offset UInt64,
            recorded_at DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC')
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "next_offset")}
        ORDER BY (topic, partition)
        """;

    /// <summary>Records the exchange's bases from what the hot tier holds now and returns them, partition → base.</summary>
    public static async Task<IReadOnlyDictionary<ulong, ulong>> AdvanceAsync(IClickHouseGateway gateway, HotTierSettings s, Exchange e, CancellationToken cancellationToken)
    {
        var topic = new Dictionary<string, string> { ["topic"] = s.Topic(e) };
        await gateway.ExecuteAsync(
            $"INSERT INTO {s.Table(Table)} (topic, partition, next_offset) " +
            $"SELECT {{topic:String}}, kafka_partition, max(kafka_offset) + 1 FROM (" +
            $"SELECT kafka_partition, kafka_offset FROM {s.Table(HotTierMigrations.BronzeTable(e))} WHERE kafka_topic = {{topic:String}} " +
            $"UNION ALL SELECT kafka_partition, kafka_offset FROM {s.Table(HotTierMigrations.ErrorsTable)} WHERE kafka_topic = {{topic:String}}) " +
            "GROUP BY kafka_partition",
            topic, cancellationToken).ConfigureAwait(false);
        var rows = await gateway.QueryRowsAsync(
            $"SELECT partition, max(next_offset) FROM {s.Table(Table)} WHERE topic = {{topic:String}} GROUP BY partition",
            topic, cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => ulong.Parse(r[0], CultureInfo.InvariantCulture), r => ulong.Parse(r[1], CultureInfo.InvariantCulture));
    }
}
