using K2.Core.Trades;
using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Sessions;
using K2.Instruments;

namespace K2.Exchanges;

/// <summary>
/// Everything K2 knows about one exchange, behind one interface: its options, symbol rule, frame parser (with its
/// side rule), WebSocket protocol and REST trades source. The shared machinery — connections, reconnect and backoff,
/// the frame pipeline, dedup, the gap ledger and backfill — works through it only. Each exchange is one folder
/// (<c>Binance/</c>, <c>Kraken/</c>, <c>Coinbase/</c>); its options class creates its adapter.
/// </summary>
internal interface IExchangeAdapter
{
    Exchange Exchange { get; }

    ExchangeOptions Options { get; }

    /// <summary>
    /// Symbol rule: the name the exchange uses for <paramref name="instrument"/> in frames and subscriptions, which
    /// can differ from how instruments.yaml spells it (Kraken's WebSocket v2 speaks <c>BTC/USD</c>, not <c>XBT/USD</c>).
    /// </summary>
    string WireName(Instrument instrument);

    /// <summary>The WebSocket frame parser over <paramref name="symbols"/>.</summary>
    ITradeFrameParser CreateParser(SymbolTable symbols);

    /// <summary>What the exchange's connections send and how they are grouped and rotated.</summary>
    IExchangeProtocol CreateProtocol();

    /// <summary>The public REST trades endpoint, for backfill; requests go through <paramref name="rest"/>, which paces them.</summary>
    IRestTradeSource CreateRestSource(RestClient rest);

    /// <summary>
    /// Whether the trade stream skips ids that were never printed (Kraken): a gap whose ids a REST answer reaches past
    /// without containing them is closed <see cref="Pipeline.GapStatus.Absent"/> rather than lost.
    /// </summary>
    bool SkipsTradeIds { get; }
}
