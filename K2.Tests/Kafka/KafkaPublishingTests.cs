using System.Globalization;
using System.Text.Json;
using K2.Core.Trades;
using K2.Kafka;
using K2.Tests.Exchanges;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

[TestFixture]
public sealed class KafkaPublishingTests
{
    [Test]
    public async Task Fixture_trades_published_in_embedded_mode_are_read_back_by_kcat_as_documented()
    {
        var frames = FixtureFrames.All();
        await using var host = await KafkaModuleHost.StartAsync(TestPaths.NewScratchFolder("kafka"), new Dictionary<string, string?> { ["Mode"] = "Embedded" });
        await Eventually.Holds(() => host.Publisher.TopicsReady, TimeSpan.FromSeconds(30), "topics created");
        foreach (var frame in frames)
        {
            await host.Trades.PublishAsync(frame.Exchange, frame.Raw, frame.Trades, frame.ReceiveTimestampUs, CancellationToken.None);
        }

        await host.StopAsync();
        host.Publisher.SpooledRecords.Should().Be(0);
        var bootstrap = host.Get<KafkaBootstrap>().BootstrapServers;
        var documentedFields = DocumentedFields();
        foreach (var exchange in ExchangeNames.All)
        {
            var published = frames.Where(f => f.Exchange == exchange).SelectMany(f => f.Trades).ToList();
            published.Should().NotBeEmpty();
            var messages = Kcat.ReadAll(bootstrap, $"market.crypto.trades.{exchange.ToWire()}");
            messages.Should().HaveCount(published.Count);
            foreach (var (key, read) in Kcat.ByKey(messages))
            {
                read.Select(m => m.Partition).Distinct().Should().ContainSingle();
                var expected = published.Where(t => $"{exchange.ToWire()}|{t.Symbol}" == key).ToList();
                read.Should().HaveCount(expected.Count, $"key {key}");
                for (var i = 0; i < expected.Count; i++) { ShouldMatch(read[i], expected[i], documentedFields); }
            }

            var raw = Kcat.ReadAll(bootstrap, $"market.crypto.trades.{exchange.ToWire()}.raw");
            raw.Select(m => m.Payload).Should().BeEquivalentTo(frames.Where(f => f.Exchange == exchange).Select(f => System.Text.Encoding.UTF8.GetString(f.Raw)));
            raw.Should().OnlyContain(m => m.Headers["exchange"] == exchange.ToWire() && m.Key.StartsWith(exchange.ToWire() + "|", StringComparison.Ordinal));
        }
    }

    [Test]
    public async Task Dead_letters_go_to_the_dlq_topic_with_reason_exchange_and_time_headers()
    {
        var letters = FixtureTrades.Malformed().Select((m, i) =>
        {
            ExchangeNames.TryParse(m.Exchange, out var exchange).Should().BeTrue();
            return new DeadLetter(exchange, m.Why, m.Raw, 1_771_338_600_000_000 + i);
        }).ToList();
        await using var host = await KafkaModuleHost.StartAsync(TestPaths.NewScratchFolder("kafka"), new Dictionary<string, string?> { ["Mode"] = "Embedded" });
        await Eventually.Holds(() => host.Publisher.TopicsReady, TimeSpan.FromSeconds(30), "topics created");
        foreach (var letter in letters) { await host.DeadLetters.PublishAsync(letter, CancellationToken.None); }
        await host.StopAsync();

        var messages = Kcat.ReadAll(host.Get<KafkaBootstrap>().BootstrapServers, "market.crypto.trades.dlq");
        messages.Select(m => (m.Payload, m.Headers["exchange"], m.Headers["reason"], m.Headers["receive_ts_us"])).Should().BeEquivalentTo(
            letters.Select(l => (l.RawText, l.Exchange.ToWire(), l.Reason, l.ReceiveTimestampUs.ToString(CultureInfo.InvariantCulture))));
    }

    [Test]
    public async Task A_record_the_brokers_can_never_take_is_set_aside_in_a_file_and_the_rest_is_delivered()
    {
        var dataDir = TestPaths.NewScratchFolder("kafka");
        await using var host = await KafkaModuleHost.StartAsync(dataDir, new Dictionary<string, string?> { ["Mode"] = "Embedded" });
        await Eventually.Holds(() => host.Publisher.TopicsReady, TimeSpan.FromSeconds(30), "topics created");
        var frame = FixtureFrames.All().First(f => f.Exchange == Exchange.Kraken);
        var huge = new byte[2 * 1024 * 1024];
        Array.Fill(huge, (byte)'x');
        var failedBefore = KafkaMetrics.Failed.WithLabels("raw").Value;

        await host.Trades.PublishAsync(Exchange.Kraken, huge, frame.Trades, frame.ReceiveTimestampUs, CancellationToken.None);
        await host.StopAsync();

        KafkaMetrics.Failed.WithLabels("raw").Value.Should().Be(failedBefore + 1);
        using var line = JsonDocument.Parse(File.ReadAllLines(Path.Combine(dataDir, "spool", "undeliverable.jsonl")).Single());
        line.RootElement.GetProperty("topic").GetString().Should().Be("market.crypto.trades.kraken.raw");
        line.RootElement.GetProperty("value_base64").GetBytesFromBase64().Should().Equal(huge);
        Kcat.ReadAll(host.Get<KafkaBootstrap>().BootstrapServers, "market.crypto.trades.kraken").Should().HaveCount(frame.Trades.Count);
    }

    private static void ShouldMatch(KcatMessage message, NormalizedTrade trade, IReadOnlyList<string> documentedFields)
    {
        var exchange = trade.Exchange.ToWire();
        message.Key.Should().Be($"{exchange}|{trade.Symbol}");
        message.Headers.Should().Equal(new Dictionary<string, string>
        {
            ["exchange"] = exchange,
            ["schema_version"] = "1",
            ["receive_ts_us"] = trade.ReceiveTimestampUs.ToString(CultureInfo.InvariantCulture),
        });
        using var document = JsonDocument.Parse(message.Payload);
        var json = document.RootElement;
        json.EnumerateObject().Select(p => p.Name).Should().Equal(documentedFields, "fields come in the documented order");
        json.GetProperty("schema_version").GetInt32().Should().Be(1);
        json.GetProperty("exchange").GetString().Should().Be(exchange);
        json.GetProperty("symbol").GetString().Should().Be(trade.Symbol);
        json.GetProperty("canonical_symbol").GetString().Should().Be(trade.CanonicalSymbol);
        json.GetProperty("trade_id").GetString().Should().Be(trade.TradeId);
        json.GetProperty("price").GetString().Should().Be(DecimalText.Format(trade.Price));
        decimal.Parse(json.GetProperty("price").GetString()!, CultureInfo.InvariantCulture).Should().Be(trade.Price);
        json.GetProperty("quantity").GetString().Should().Be(DecimalText.Format(trade.Quantity));
        json.GetProperty("side").GetString().Should().Be(trade.Side.ToWire());
        json.GetProperty("exchange_ts_us").GetInt64().Should().Be(trade.ExchangeTimestampUs);
        json.GetProperty("receive_ts_us").GetInt64().Should().Be(trade.ReceiveTimestampUs);
        NullableString(json, "raw_side").Should().Be(trade.Extras.RawSide);
        NullableString(json, "order_type").Should().Be(trade.Extras.OrderType);
        (json.GetProperty("is_buyer_maker").ValueKind == JsonValueKind.Null ? (bool?)null : json.GetProperty("is_buyer_maker").GetBoolean()).Should().Be(trade.Extras.IsBuyerMaker);
        (json.GetProperty("sequence_number").ValueKind == JsonValueKind.Null ? (long?)null : json.GetProperty("sequence_number").GetInt64()).Should().Be(trade.Extras.SequenceNumber);
        (json.GetProperty("event_ts_us").ValueKind == JsonValueKind.Null ? (long?)null : json.GetProperty("event_ts_us").GetInt64()).Should().Be(trade.Extras.EventTimestampUs);
        json.GetProperty("is_snapshot").GetBoolean().Should().Be(trade.Extras.IsSnapshot);
    }

    private static string? NullableString(JsonElement json, string name) =>
        json.GetProperty(name).ValueKind == JsonValueKind.Null ? null : json.GetProperty(name).GetString();

    /// <summary>The field names of the table in docs/normalized-trade-message.md, in order.</summary>
    internal static List<string> DocumentedFields() =>
        File.ReadLines(Path.Combine(TestPaths.RepoRoot, "docs", "normalized-trade-message.md"))
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Split('`')[1])
            .ToList();
}
