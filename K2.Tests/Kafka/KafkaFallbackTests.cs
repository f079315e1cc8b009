using System.Text.Json;
using K2.Core.Trades;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

[TestFixture]
public sealed class KafkaFallbackTests
{
    [Test]
    public async Task With_the_module_disabled_trades_and_dead_letters_go_to_jsonl_files_under_the_data_dir()
    {
        var dataDir = TestPaths.NewScratchFolder("kafka-off");
        var frames = FixtureFrames.All();
        await using (var host = await KafkaModuleHost.StartAsync(dataDir, new Dictionary<string, string?> { ["Enabled"] = "false" }))
        {
            foreach (var frame in frames) { await host.Trades.PublishAsync(frame.Exchange, frame.Raw, frame.Trades, frame.ReceiveTimestampUs, CancellationToken.None); }
            await host.DeadLetters.PublishAsync(new DeadLetter(Exchange.Kraken, "unparseable", "{\"broken\":", 42), CancellationToken.None);
        }

        var folder = Path.Combine(dataDir, "kafka-fallback");
        var documentedFields = KafkaPublishingTests.DocumentedFields();
        foreach (var exchange in ExchangeNames.All)
        {
            var lines = File.ReadAllLines(Path.Combine(folder, $"trades-{exchange.ToWire()}.jsonl"));
            var expected = frames.Where(f => f.Exchange == exchange).SelectMany(f => f.Trades).ToList();
            lines.Should().HaveCount(expected.Count);
            for (var i = 0; i < lines.Length; i++)
            {
                using var json = JsonDocument.Parse(lines[i]);
                json.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal(documentedFields);
                json.RootElement.GetProperty("trade_id").GetString().Should().Be(expected[i].TradeId);
                json.RootElement.GetProperty("price").GetString().Should().Be(DecimalText.Format(expected[i].Price));
            }
        }

        var letter = JsonDocument.Parse(File.ReadAllLines(Path.Combine(folder, "dead-letters.jsonl")).Single()).RootElement;
        (letter.GetProperty("exchange").GetString(), letter.GetProperty("reason").GetString(), letter.GetProperty("receive_ts_us").GetInt64(), letter.GetProperty("raw").GetString())
            .Should().Be(("kraken", "unparseable", 42L, "{\"broken\":"));
    }
}
