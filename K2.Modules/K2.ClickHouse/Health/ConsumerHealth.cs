using System.Globalization;
using System.Text.Json;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Trades;

namespace K2.ClickHouse.Health;

/// <summary>One Kafka-engine consumer as <c>system.kafka_consumers</c> reports it.</summary>
/// <param name="AssignedPartitions">Partitions assigned to the consumer; 0 until it has joined its group.</param>
public sealed record ConsumerStatus(Exchange Exchange, long MessagesRead, int AssignedPartitions, int Exceptions, string? LastException, DateTimeOffset? LastPoll);

/// <summary>Reads consumer health and table row counts, and publishes them as metrics.</summary>
public sealed class ConsumerHealth(IClickHouseGateway gateway, HotTierSettings settings, KafkaConsumerLag lag)
{
    public async Task<IReadOnlyDictionary<string, long>> TableRowsAsync(CancellationToken cancellationToken = default)
    {
        var rows = await gateway.QueryRowsAsync(
            "SELECT table, sum(rows) FROM system.parts WHERE database = {db:String} AND active GROUP BY table",
            Database, cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r[0], r => long.Parse(r[1], CultureInfo.InvariantCulture));
    }

    public async Task<IReadOnlyList<ConsumerStatus>> ConsumersAsync(CancellationToken cancellationToken = default)
    {
        var text = await gateway.QueryTextAsync(
            """
            SELECT table,
                sum(num_messages_read) AS messages_read,
                sum(length(assignments.partition_id)) AS assigned,
                sum(length(exceptions.text)) AS exceptions,
                arrayStringConcat(arrayFlatten(groupArray(arraySlice(exceptions.text, -1))), '; ') AS last_exception,
                toUnixTimestamp(max(last_poll_time)) AS last_poll
            FROM system.kafka_consumers
            WHERE database = {db:String}
            GROUP BY table
            """,
            Database, "JSONEachRow", cancellationToken).ConfigureAwait(false);
        var exchangeByTable = ExchangeNames.All.ToDictionary(KafkaConsumerDdl.QueueTable);
        var statuses = new List<ConsumerStatus>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var row = JsonDocument.Parse(line);
            var root = row.RootElement;
            if (!exchangeByTable.TryGetValue(root.GetProperty("table").GetString() ?? "", out var exchange)) { continue; }
            var lastPoll = Number(root.GetProperty("last_poll"));
            var lastException = root.GetProperty("last_exception").GetString();
            statuses.Add(new ConsumerStatus(
                exchange,
                Number(root.GetProperty("messages_read")),
                (int)Number(root.GetProperty("assigned")),
                (int)Number(root.GetProperty("exceptions")),
                string.IsNullOrEmpty(lastException) ? null : lastException,
                lastPoll > 0 ? DateTimeOffset.FromUnixTimeSeconds(lastPoll) : null));
        }

        return statuses;
    }

    /// <summary>
    /// Waits until every exchange's consumer has joined its group. A new group starts at the end of the
    /// topic (the server's auto_offset_reset), so what is published before that is not consumed.
    /// </summary>
    public async Task WaitForAssignmentsAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var consumers = await ConsumersAsync(cancellationToken).ConfigureAwait(false);
            if (consumers.Count == ExchangeNames.All.Count && consumers.All(c => c.AssignedPartitions > 0)) { return; }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Kafka-engine consumers did not join their groups within {timeout.TotalSeconds:F0} s: {string.Join(", ", consumers)}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls once and sets the gauges.</summary>
    public async Task PublishAsync(TimeProvider clock, CancellationToken cancellationToken = default)
    {
        foreach (var (table, rows) in await TableRowsAsync(cancellationToken).ConfigureAwait(false))
        {
            HotTierMetrics.TableRows.WithLabels(table).Set(rows);
        }

        foreach (var consumer in await ConsumersAsync(cancellationToken).ConfigureAwait(false))
        {
            var exchange = consumer.Exchange.ToWire();
            HotTierMetrics.MessagesRead.WithLabels(exchange).Set(consumer.MessagesRead);
            HotTierMetrics.ConsumerExceptions.WithLabels(exchange).Set(consumer.Exceptions);
            if (consumer.LastPoll is { } poll) { HotTierMetrics.SecondsSinceLastPoll.WithLabels(exchange).Set((clock.GetUtcNow() - poll).TotalSeconds); }
        }

        foreach (var (exchange, messages) in await Task.Run(() => lag.MeasureAsync(cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            HotTierMetrics.ConsumerLag.WithLabels(exchange.ToWire()).Set(messages);
        }
    }

    private Dictionary<string, string> Database => new() { ["db"] = settings.Database };

    private static long Number(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? long.Parse(element.GetString()!, CultureInfo.InvariantCulture) : element.GetInt64();
}
