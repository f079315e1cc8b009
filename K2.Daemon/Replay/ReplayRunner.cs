using K2.Core.Trades;
using K2.Exchanges;
using K2.Exchanges.Pipeline;
using K2.Instruments;
using K2.Offload.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K2.Daemon.Replay;

/// <summary>
/// <c>k2 replay</c>: the embedded pipeline in one folder — captures through the live ingestion path
/// into the embedded Kafka cluster, ClickHouse's Kafka engine into the hot tier, then the offload of
/// all ten tables with every window treated as closed — and a summary of what landed where.
/// </summary>
internal sealed class ReplayRunner(IReadOnlyList<ReplayInput> inputs, string dataDir, double? speed, TimeSpan consumeTimeout)
{
    public async Task<ReplaySummary> RunAsync(CancellationToken cancellationToken)
    {
        await using var pipeline = await EmbeddedPipeline.StartAsync(dataDir, new Dictionary<string, string?>(), cancellationToken);
        var services = pipeline.Services;
        var replayer = new CaptureReplayer(
            services.GetRequiredService<ITradeSink>(), services.GetRequiredService<IDeadLetterSink>(), TimeProvider.System,
            services.GetRequiredService<ILoggerFactory>().CreateLogger("K2.Replay"));
        var instruments = services.GetRequiredService<IInstrumentRegistry>().Current;
        var options = services.GetRequiredService<ExchangesOptions>();
        var fed = await Task.WhenAll(inputs.Select(i => replayer.ReplayAsync(i.Exchange, i.Path, instruments, options, speed, cancellationToken)));

        await pipeline.WaitUntilConsumedAsync(fed.GroupBy(f => f.Exchange).ToDictionary(g => g.Key, g => (long)g.Sum(f => f.Trades)), consumeTimeout, cancellationToken);
        await pipeline.OffloadAsync(cancellationToken);

        var tables = new List<ReplaySummary.Table>();
        foreach (var cold in ColdTables.All)
        {
            var hot = await pipeline.CountAsync($"SELECT count() FROM {pipeline.Database}.{cold.HotTable}", cancellationToken);
            tables.Add(new ReplaySummary.Table($"{ColdTables.Namespace}.{cold.Name}", $"{pipeline.Database}.{cold.HotTable}", hot, pipeline.ColdScalar(cold, "count()"), pipeline.ColdLocation(cold)));
        }

        return new ReplaySummary(dataDir, pipeline.Warehouse, fed.Select(ReplaySummary.Feed.From).ToArray(), tables);
    }
}

/// <summary>The embedded pipeline could not do what was asked: its message says what and why.</summary>
public sealed class ReplayException(string message) : Exception(message);
