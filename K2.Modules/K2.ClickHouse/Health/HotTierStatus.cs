using System.Globalization;
using K2.ClickHouse.Schema;
using K2.Core.Health;
using K2.Core.Trades;

namespace K2.ClickHouse.Health;

/// <summary>The hot-tier section of <c>k2 status</c>: Kafka-engine lag per exchange, from the health poller's gauges.</summary>
internal sealed class HotTierStatus(HotTierSettings settings) : IStatusContributor
{
    public int Order => 30;

    public StatusSection Snapshot()
    {
        var rows = ExchangeNames.All.Select(exchange =>
        {
            var label = exchange.ToWire();
            return (IReadOnlyList<string>)
            [
                label,
                HotTierMetrics.ConsumerLag.WithLabels(label).Value.ToString("N0", CultureInfo.InvariantCulture),
                HotTierMetrics.MessagesRead.WithLabels(label).Value.ToString("N0", CultureInfo.InvariantCulture),
                HotTierMetrics.SecondsSinceLastPoll.WithLabels(label).Value.ToString("F0", CultureInfo.InvariantCulture),
                HotTierMetrics.ConsumerExceptions.WithLabels(label).Value.ToString("N0", CultureInfo.InvariantCulture),
                HotTierMetrics.TableRows.WithLabels($"bronze_trades_{label}").Value.ToString("N0", CultureInfo.InvariantCulture),
            ];
        }).ToArray();
        var silver = HotTierMetrics.TableRows.WithLabels("silver_trades").Value.ToString("N0", CultureInfo.InvariantCulture);
        return new StatusSection(
            $"Hot tier (ClickHouse, database {settings.Database})",
            ["exchange", "consumer lag", "messages read", "s since poll", "exceptions", "bronze rows"],
            rows,
            [$"silver_trades rows: {silver}"]);
    }
}
