using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using K2.ClickHouse.Gateway;
using K2.Offload.Hot;
using K2.Offload.Tables;
using K2.Offload.Watermarks;

namespace K2.Offload.Runs;

/// <summary>
/// Offloads a bronze or silver table by ingestion order: per Kafka (topic, partition), the offsets after the committed
/// watermark up to the highest offset ingested longer ago than the safety margin. A redelivered message (same
/// partition and offset) is written once; one that arrives after its offset was committed is not written again.
/// </summary>
internal sealed partial class TradeOffloader(OffloadContext context)
{
    public async Task<OffloadResult> RunAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (iceberg, start) = await context.OpenAsync(table, cancellationToken).ConfigureAwait(false);
        var ranges = await RangesAsync(table, start.From, cancellationToken).ConfigureAwait(false);
        if (ranges.Count == 0)
        {
            return new OffloadResult(table.Name, OffloadOutcome.UpToDate, 0, 0, 0, clock.Elapsed, null, start.From.ToJson());
        }

        await using var appender = iceberg.NewAppender();
        var rowCounts = ranges.ToDictionary(r => r.Stream, _ => 0L);
        var topic = table.Schema.IndexOf("kafka_topic");
        var partition = table.Schema.IndexOf("kafka_partition");
        var streamed = await context.Hot.StreamAsync(table, HotRows.Select(table, Source(table, ranges)), appender, row =>
        {
            var stream = Stream((string)row[topic]!, (long)row[partition]!);
            rowCounts[stream] = rowCounts.GetValueOrDefault(stream) + 1;
            return ValueTask.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        var files = await appender.CompleteAsync(cancellationToken).ConfigureAwait(false);
        var next = start.From.With(ranges.ToDictionary(r => r.Stream, r => r.To));
        var committed = await ColdCommit.CommitAsync(context, table, iceberg, start, next, rowCounts, files, null, cancellationToken).ConfigureAwait(false);
        return committed
            ? new OffloadResult(table.Name, OffloadOutcome.Committed, streamed.Rows, files.Sum(f => f.FileSizeInBytes), files.Count, clock.Elapsed,
                streamed.NewestTime is { } t ? new DateTimeOffset(t) : null, next.ToJson())
            : new OffloadResult(table.Name, OffloadOutcome.Superseded, 0, 0, 0, clock.Elapsed, null, start.From.ToJson());
    }

    internal static string Stream(string topic, long partition) => string.Create(CultureInfo.InvariantCulture, $"{topic}/{partition}");

    private sealed record OffsetRange(string Topic, long Partition, long After, long To)
    {
        public string Stream => TradeOffloader.Stream(Topic, Partition);
    }

    /// <summary>Per stream, the offsets to offload now: after the watermark, up to what is safely visible.</summary>
    private async Task<IReadOnlyList<OffsetRange>> RangesAsync(ColdTable table, Watermark from, CancellationToken cancellationToken)
    {
        var margin = (long)(context.Options.IngestionMarginSeconds * 1000);
        var rows = await context.Hot.Gateway.QueryRowsAsync(
            $"SELECT kafka_topic, kafka_partition, max(kafka_offset) FROM {context.Hot.Table(table)} " +
            $"WHERE ingested_at <= now64(6, 'UTC') - toIntervalMillisecond({margin}) GROUP BY kafka_topic, kafka_partition ORDER BY kafka_topic, kafka_partition",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var ranges = new List<OffsetRange>();
        foreach (var row in rows)
        {
            var topic = TopicName().IsMatch(row[0]) ? row[0] : throw new InvalidDataException($"{table.HotTable} holds a Kafka topic name K2 cannot quote: '{row[0]}'");
            var partition = long.Parse(row[1], CultureInfo.InvariantCulture);
            var to = long.Parse(row[2], CultureInfo.InvariantCulture);
            var after = from.Of(Stream(topic, partition));
            if (to > after) { ranges.Add(new OffsetRange(topic, partition, after, to)); }
        }

        return ranges;
    }

    // Sorted in the table's sort order (tight file bounds) and one row per key: Kafka (partition, offset) for bronze,
    // the trade key for silver; the first ingestion wins, as it does across runs (a later copy is past the watermark).
    private string Source(ColdTable table, IReadOnlyList<OffsetRange> ranges)
    {
        var where = string.Join(" OR ", ranges.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"(kafka_topic = '{r.Topic}' AND kafka_partition = {r.Partition} AND kafka_offset > {r.After} AND kafka_offset <= {r.To})")));
        var dedupe = table.Layer == ColdLayer.Silver ? table.AuditKey : table.SelectionKey;
        string[] order = [.. table.SortColumns, "ingested_at"];
        return $"SELECT * FROM {context.Hot.Table(table)} WHERE {where} ORDER BY {string.Join(", ", order)} LIMIT 1 BY {string.Join(", ", dedupe)}";
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex TopicName();
}
