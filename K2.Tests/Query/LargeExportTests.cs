using System.Globalization;
using System.Net;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using K2.Core.Time;
using Parquet.Serialization;

namespace K2.Tests.Query;

/// <summary>
/// A large export over both tiers, page by page as Parquet and as Arrow, read back by independent readers (Parquet.Net,
/// Apache Arrow's C# reader): its rows are exactly the fixture's trades, in order, once each, and its pages end where the
/// cursor says.
/// </summary>
[NonParallelizable]
public sealed class LargeExportTests
{
    private const int TradesPerExchangeAndHalf = 12_000;
    private const int PageRows = 9_000;

    private QueryApi _api = null!;
    private long _from;
    private long _to;

    [OneTimeSetUp]
    public async Task WriteHalfOffloadHalfHot()
    {
        _api = await QueryApi.StartAsync();
        _from = UnixMicros.FromDateTimeOffset(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-2), TimeSpan.Zero));
        await _api.Trades.InsertAsync(TradesPerExchangeAndHalf, _from, 250_000);
        (await _api.Rig.NewRunner().RunAsync()).Should().OnlyContain(r => r.Error == null);
        await _api.Trades.InsertAsync(TradesPerExchangeAndHalf, _from + (TradesPerExchangeAndHalf * 250_000L), 250_000);
        _to = UnixMicros.Now(TimeProvider.System);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [TestCase("parquet")]
    [TestCase("arrow")]
    public async Task A_large_export_read_by_an_independent_reader_holds_exactly_the_trades_of_the_range(string format)
    {
        var expected = QueryReads.Expected(_api.Trades.All, "BTC/USDT", _from, _to);
        expected.Count.Should().BeGreaterThan(3 * PageRows, "the export spans several pages");

        var rows = new List<ExportedTrade>();
        var pages = new List<int>();
        string? cursor = null;
        do
        {
            using var response = await _api.Http.GetAsync(QueryReads.Url("/v1/trades", ("symbol", "BTC/USDT"), ("from", QueryReads.Iso(_from)), ("to", QueryReads.Iso(_to)),
                ("limit", PageRows.ToString(CultureInfo.InvariantCulture)), ("format", format), ("cursor", cursor)));
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            await using var body = await response.Content.ReadAsStreamAsync();
            var page = format == "parquet" ? await ReadParquetAsync(body) : await ReadArrowAsync(body);
            rows.AddRange(page);
            pages.Add(page.Count);
            cursor = response.Headers.TryGetValues("K2-Next-Cursor", out var next) ? next.Single() : null;
        }
        while (cursor is not null);

        rows.Select(r => r.Comparable).Should().Equal(expected.Select(QueryReads.Comparable), "every trade of the range once, in (time, exchange, id) order");
        rows.Should().Contain(r => r.Tier == "cold").And.Contain(r => r.Tier == "hot");
        pages.SkipLast(1).Should().OnlyContain(count => count == PageRows, "a page with a cursor is full");
        pages[^1].Should().BeLessThanOrEqualTo(PageRows);
    }

    private sealed record ExportedTrade(string Exchange, string Symbol, string Canonical, string TradeId, decimal Price, decimal Quantity, string Side, long TsMicros, string Tier)
    {
        public object Comparable => (Exchange, Symbol, Canonical, TradeId, Price, Quantity, Side, TsMicros);
    }

    private static async Task<List<ExportedTrade>> ReadParquetAsync(Stream body)
    {
        var file = new MemoryStream();
        await body.CopyToAsync(file);
        file.Position = 0;
        var table = await ParquetSerializer.DeserializeUntypedAsync(file);
        return [.. table.Data.Select(row => new ExportedTrade(
            (string)row["exchange"]!, (string)row["symbol"]!, (string)row["canonical_symbol"]!, (string)row["trade_id"]!, (decimal)row["price"]!,
            (decimal)row["quantity"]!, (string)row["side"]!, (long)row["exchange_ts_us"]!, (string)row["tier"]!))];
    }

    private static async Task<List<ExportedTrade>> ReadArrowAsync(Stream body)
    {
        var trades = new List<ExportedTrade>();
        using var reader = new ArrowStreamReader(body);
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                for (var i = 0; i < batch.Length; i++)
                {
                    trades.Add(new ExportedTrade(Text(batch, "exchange", i), Text(batch, "symbol", i), Text(batch, "canonical_symbol", i), Text(batch, "trade_id", i),
                        ((Decimal128Array)batch.Column("price")).GetValue(i)!.Value, ((Decimal128Array)batch.Column("quantity")).GetValue(i)!.Value, Text(batch, "side", i),
                        ((Int64Array)batch.Column("exchange_ts_us")).GetValue(i)!.Value, Text(batch, "tier", i)));
                }
            }
        }

        return trades;
    }

    private static string Text(RecordBatch batch, string column, int row) => batch.Column(column) switch
    {
        StringArray text => text.GetString(row),
        BinaryArray bytes => System.Text.Encoding.UTF8.GetString(bytes.GetBytes(row)),
        var other => throw new InvalidOperationException($"column {column} is {other.Data.DataType.Name}, not text"),
    };
}
