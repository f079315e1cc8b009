using System.Globalization;
using System.Text.Json;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;
using K2.Instruments;

namespace K2.Exchanges.Backfill;

/// <summary>
/// Kraken <c>GET /0/public/Trades?pair=XBTUSD&amp;since=&lt;ns&gt;</c>: rows <c>[price, volume, time, side, type, misc, trade_id]</c>
/// from the trade just before the gap. Kraken's WebSocket skips some ids, so a response that reaches past the
/// gap without those ids proves they do not exist.
/// </summary>
internal sealed class KrakenRestTrades(HttpClient http, Uri baseUrl) : IRestTradeSource
{
    public async Task<RestTrades> FetchAsync(WireSymbol symbol, Gap gap, CancellationToken cancellationToken)
    {
        var pair = SymbolRules.KrakenLegacyAsset(symbol.Instrument.Base) + SymbolRules.KrakenLegacyAsset(symbol.Instrument.Quote);
        var sinceNs = gap.BeforeTimestampUs * 1000;
        var body = await http.GetByteArrayAsync(new Uri(baseUrl, $"0/public/Trades?pair={pair}&since={sinceNs}&count=1000"), cancellationToken);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        if (root.TryGetProperty("error", out var errors) && errors.GetArrayLength() > 0) { throw new HttpRequestException($"Kraken error: {errors}"); }
        var trades = new List<ParsedTrade>();
        var maxId = long.MinValue;
        foreach (var result in root.GetProperty("result").EnumerateObject())
        {
            if (result.Value.ValueKind != JsonValueKind.Array) { continue; }
            foreach (var row in result.Value.EnumerateArray())
            {
                var id = row[6].GetInt64();
                maxId = Math.Max(maxId, id);
                var side = row[3].GetString() == "b" ? "buy" : "sell";
                var trade = new NormalizedTrade(Exchange.Kraken, symbol.Wire, symbol.Canonical, id.ToString(CultureInfo.InvariantCulture),
                    RestJson.Decimal(row[0]), RestJson.Decimal(row[1]), side == "buy" ? TradeSide.Buy : TradeSide.Sell,
                    RestJson.SecondsToMicros(row[2]), 0, new TradeExtras(RawSide: side, OrderType: row[4].GetString() == "m" ? "market" : "limit"));
                trades.Add(new ParsedTrade(trade, id));
            }
        }

        return new RestTrades(trades, maxId >= gap.LastMissing, body);
    }
}
