using System.Globalization;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using K2.ClickHouse.Embedded;
using K2.Daemon.Replay;
using K2.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Bench;

/// <summary>Measures a <see cref="MemoryBreakdown"/> of this process running the embedded pipeline.</summary>
internal sealed partial class MemoryProbe : IDisposable
{
    private const double MiB = 1048576.0;
    private static readonly TimeSpan KafkaTimeout = TimeSpan.FromSeconds(5);

    private readonly ChDbEngine _engine;
    private readonly IAdminClient _admin;
    private readonly IConsumer<Ignore, Ignore> _consumer;

    public MemoryProbe(EmbeddedPipeline pipeline)
    {
        _engine = pipeline.Services.GetRequiredService<ChDbEngine>();
        var servers = pipeline.Services.GetRequiredService<KafkaConnection>().BootstrapServers;
        _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = servers }).Build();
        _consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = servers, GroupId = "k2-soak-memory-probe", EnableAutoCommit = false }).Build();
    }

    public async Task<MemoryBreakdown> MeasureAsync(TimeSpan at, CancellationToken cancellationToken)
    {
        var status = ProcStatus();
        var gc = GC.GetGCMemoryInfo();
        var malloc = MallInfo2();
        var metrics = await ChDbMetricsAsync(cancellationToken);
        var parts = await ChDbCountAsync("SELECT count() FROM system.parts WHERE active", cancellationToken);
        var merges = await ChDbCountAsync("SELECT count() FROM system.merges", cancellationToken);
        return new MemoryBreakdown(
            Math.Round(at.TotalSeconds, 1),
            Megabytes(status.GetValueOrDefault("VmRSS") * 1024),
            Megabytes(status.GetValueOrDefault("RssAnon") * 1024),
            Megabytes((status.GetValueOrDefault("RssFile") + status.GetValueOrDefault("RssShmem")) * 1024),
            (int)status.GetValueOrDefault("Threads"),
            ThreadPool.ThreadCount,
            Megabytes(gc.HeapSizeBytes),
            Megabytes(gc.TotalCommittedBytes),
            Megabytes(gc.FragmentedBytes),
            Megabytes((long)(malloc.Uordblks + malloc.Hblkhd)),
            Megabytes((long)malloc.Fordblks),
            Megabytes(metrics.GetValueOrDefault("MemoryTracking")),
            Megabytes(metrics.GetValueOrDefault("MergesMutationsMemoryTracking")),
            Megabytes(await ChDbCountAsync("SELECT toInt64(sum(memory_usage)) FROM system.processes", cancellationToken)),
            metrics.Where(m => m.Key.EndsWith("CacheBytes", StringComparison.Ordinal) && m.Value > 0).ToDictionary(m => m.Key, m => Megabytes(m.Value)),
            metrics.Where(m => m.Key.EndsWith("Thread", StringComparison.Ordinal) || m.Key.EndsWith("Threads", StringComparison.Ordinal)).Where(m => m.Value > 0).ToDictionary(),
            parts,
            merges,
            KafkaRetainedMessages());
    }

    private async Task<Dictionary<string, long>> ChDbMetricsAsync(CancellationToken cancellationToken)
    {
        var text = System.Text.Encoding.UTF8.GetString(await _engine.QueryAsync(
            "SELECT metric, value FROM system.metrics WHERE metric IN ('MemoryTracking', 'MergesMutationsMemoryTracking', 'GlobalThread') OR metric LIKE '%CacheBytes' OR (metric LIKE '%Threads' AND metric NOT LIKE '%Active%' AND metric NOT LIKE '%Scheduled%')", cancellationToken: cancellationToken));
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .ToDictionary(f => f[0], f => long.Parse(f[1], CultureInfo.InvariantCulture));
    }

    private async Task<long> ChDbCountAsync(string sql, CancellationToken cancellationToken) =>
        long.Parse(System.Text.Encoding.UTF8.GetString(await _engine.QueryAsync(sql, cancellationToken: cancellationToken)).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Messages the mock cluster holds: high minus low watermark over every partition of every topic.</summary>
    private long KafkaRetainedMessages()
    {
        long retained = 0;
        foreach (var topic in _admin.GetMetadata(KafkaTimeout).Topics.Where(t => t.Error.Code == ErrorCode.NoError))
        {
            foreach (var partition in topic.Partitions)
            {
                var ends = _consumer.QueryWatermarkOffsets(new TopicPartition(topic.Topic, partition.PartitionId), KafkaTimeout);
                retained += ends.High.Value - ends.Low.Value;
            }
        }

        return retained;
    }

    /// <summary>The leading number of each line of /proc/self/status (kB for sizes).</summary>
    private static Dictionary<string, long> ProcStatus()
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) { continue; }
            var fields = line[(colon + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || !long.TryParse(fields[0], CultureInfo.InvariantCulture, out var value)) { continue; }
            values[line[..colon]] = value;
        }

        return values;
    }

    private static double Megabytes(long bytes) => Math.Round(bytes / MiB, 1);

    [StructLayout(LayoutKind.Sequential)]
    private struct MallocStatistics
    {
        public nuint Arena;
        public nuint Ordblks;
        public nuint Smblks;
        public nuint Hblks;
        public nuint Hblkhd;
        public nuint Usmblks;
        public nuint Fsmblks;
        public nuint Uordblks;
        public nuint Fordblks;
        public nuint Keepcost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallocStatistics MallInfo2();

    public void Dispose()
    {
        _consumer.Dispose();
        _admin.Dispose();
    }
}
