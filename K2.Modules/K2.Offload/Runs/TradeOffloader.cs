using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using K2.ClickHouse.Gateway;
using K2.Iceberg.Spec;
using K2.Offload.Hot;
using K2.Offload.Tables;
using K2.Offload.Watermarks;

namespace K2.Offload.Runs;

/// <summary>
/// Offloads a bronze or silver table by ingestion order: per Kafka (topic, partition), the offsets after the committed
/// watermark up to the highest offset ingested longer ago than the safety margin. A redelivered message (same
/// partition and offset) is written once; one that arrives after its offset was committed is not written again. A
/// silver trade published twice (at two offsets) is written once: a copy whose trade an earlier position already holds
/// is dropped. The range is read in batches of at most <see cref="OffloadOptions.BatchRows"/> offsets, so memory does
/// not grow with the backlog; all batches go into one commit.
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

        var files = new List<DataFile>();
        var done = start.From;
        var key = table.Layer == ColdLayer.Silver ? table.AuditKey : table.SelectionKey;
        var quarantine = context.Quarantine;
        long quarantined = 0;
        foreach (var batch in Batches(ranges, context.Options.BatchRows))
        {
            var where = Where(batch);
            var selected = $"SELECT * FROM {context.Hot.Table(table)} WHERE ({where})";
            quarantined += await quarantine.MoveAsync(table, selected, cancellationToken).ConfigureAwait(false);
            var candidates = Quarantine.Fitting(table, selected);
            var survey = await context.Hot.SurveyAsync(table, candidates, cancellationToken).ConfigureAwait(false);
            var rows = await RowsAsync(table, candidates, done, survey, cancellationToken).ConfigureAwait(false);
            files.AddRange(await context.Hot.ExportAsync(table, iceberg, rows, key, survey.Partitions, cancellationToken).ConfigureAwait(false));
            done = done.With(batch.ToDictionary(r => r.Stream, r => r.To));
        }

        var next = start.From.With(ranges.ToDictionary(r => r.Stream, r => r.To));
        var rowCounts = ranges.ToDictionary(r => r.Stream, r => r.To - r.After);
        var committed = await ColdCommit.CommitAsync(context, table, iceberg, start, next, rowCounts, files, null, cancellationToken).ConfigureAwait(false);
        return committed
            ? new OffloadResult(table.Name, OffloadOutcome.Committed, files.Sum(f => f.RecordCount), files.Sum(f => f.FileSizeInBytes), files.Count, clock.Elapsed,
                HotRows.Newest(table, files) is { } t ? new DateTimeOffset(t) : null, next.ToJson()) { Quarantined = quarantined }
            : new OffloadResult(table.Name, OffloadOutcome.Superseded, 0, 0, 0, clock.Elapsed, null, start.From.ToJson());
    }

    internal static string Stream(string topic, long partition) => string.Create(CultureInfo.InvariantCulture, $"{topic}/{partition}");

    private sealed record OffsetRange(string Topic, long Partition, long After, long To)
    {
        public string Stream => TradeOffloader.Stream(Topic, Partition);

        /// <summary>The range as a filter; <paramref name="fromStart"/> takes every offset up to <see cref="To"/>.</summary>
        public string Sql(bool fromStart = false) => string.Create(CultureInfo.InvariantCulture,
            $"(kafka_topic = '{Topic}' AND kafka_partition = {Partition}{(fromStart ? "" : $" AND kafka_offset > {After}")} AND kafka_offset <= {To})");
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

    /// <summary>
    /// The ranges cut into batches of at most about <paramref name="size"/> offsets, each taking the same share of every
    /// stream, so that batches follow ingestion time and each one's exchange-time span stays narrow.
    /// </summary>
    private static IEnumerable<IReadOnlyList<OffsetRange>> Batches(IReadOnlyList<OffsetRange> ranges, long size)
    {
        var total = ranges.Sum(r => r.To - r.After);
        var count = (total + size - 1) / size;
        for (long i = 0; i < count; i++)
        {
            var batch = new List<OffsetRange>();
            foreach (var range in ranges)
            {
                var share = (range.To - range.After + count - 1) / count;
                var after = range.After + (i * share);
                var to = Math.Min(range.To, after + share);
                if (to > after) { batch.Add(range with { After = after, To = to }); }
            }

            yield return batch;
        }
    }

    private static string Where(IReadOnlyList<OffsetRange> batch) => string.Join(" OR ", batch.Select(r => r.Sql()));

    // The batch's rows, deduplicated by the export on one row per key: Kafka (partition, offset) for bronze, the trade key
    // for silver; the first ingestion wins, as it does across batches and runs: a silver trade already at a position
    // offloaded before (an earlier run or batch) is left out here. That lookup reads bronze, which keeps every message,
    // because silver's ReplacingMergeTree may already have collapsed the first copy into the new one. Copies of one trade
    // share its exchange time, which bounds the lookup to the batch's time span (from its survey). Such copies are rare, so
    // they are counted first: the export filters on them (a fifth of its time) only when there are some.
    private async Task<string> RowsAsync(ColdTable table, string candidates, Watermark done, HotSurvey survey, CancellationToken cancellationToken)
    {
        var earlier = done.Positions.Where(p => p.Value >= 0).Select(p => Parse(p.Key, p.Value)).ToList();
        if (table.Layer != ColdLayer.Silver || earlier.Count == 0 || survey.Partitions.Count == 0) { return candidates; }

        var offloaded = $"""
            SELECT exchange, symbol, trade_id FROM ({string.Join(" UNION ALL ", ColdTables.Bronze.Select(b =>
                $"SELECT exchange, symbol, trade_id, kafka_topic, kafka_partition, kafka_offset, exchange_ts_us FROM {context.Hot.Table(b)}"))})
            WHERE ({string.Join(" OR ", earlier.Select(r => r.Sql(fromStart: true)))})
              AND exchange_ts_us BETWEEN {survey.FirstMicros.ToString(CultureInfo.InvariantCulture)} AND {survey.LastMicros.ToString(CultureInfo.InvariantCulture)}
            """;
        var copies = await context.Hot.Gateway.QueryRowsAsync($"SELECT count() FROM ({candidates}) WHERE (exchange, symbol, trade_id) IN ({offloaded})",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return copies.Single()[0] == "0" ? candidates : $"{candidates} AND (exchange, symbol, trade_id) NOT IN ({offloaded})";
    }

    private static OffsetRange Parse(string stream, long position)
    {
        var slash = stream.LastIndexOf('/');
        var topic = stream[..slash];
        return TopicName().IsMatch(topic)
            ? new OffsetRange(topic, long.Parse(stream[(slash + 1)..], CultureInfo.InvariantCulture), -1, position)
            : throw new InvalidDataException($"watermark stream '{stream}' has a topic name K2 cannot quote");
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex TopicName();
}
