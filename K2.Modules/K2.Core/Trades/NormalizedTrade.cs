namespace K2.Core.Trades;

/// <summary>
/// One public trade exactly as the exchange printed it: exact decimals, the taker's side and
/// microsecond UTC timestamps. The contract is documented in docs/normalized-trade.md.
/// </summary>
/// <param name="Symbol">Exchange-native symbol as sent on the wire (BTCUSDT, BTC/USD, BTC-USD).</param>
/// <param name="CanonicalSymbol">BASE/QUOTE with aliases resolved (XBT → BTC, XDG → DOGE).</param>
/// <param name="TradeId">The exchange's own trade id, as a string.</param>
/// <param name="ExchangeTimestampUs">Trade time at the exchange, µs since the Unix epoch (UTC).</param>
/// <param name="ReceiveTimestampUs">Local receive time of the frame, µs since the Unix epoch (UTC).</param>
public readonly record struct NormalizedTrade(
    Exchange Exchange,
    string Symbol,
    string CanonicalSymbol,
    string TradeId,
    decimal Price,
    decimal Quantity,
    TradeSide Side,
    long ExchangeTimestampUs,
    long ReceiveTimestampUs,
    TradeExtras Extras)
{
    /// <summary>Price × quantity, computed in decimal.</summary>
    public decimal QuoteVolume => Price * Quantity;
}

/// <summary>Exchange-specific facts kept for audit; absent values are null.</summary>
/// <param name="RawSide">The side field as the exchange sent it (Kraken taker side, Coinbase maker side).</param>
/// <param name="IsBuyerMaker">Binance <c>m</c>.</param>
/// <param name="SequenceNumber">Coinbase <c>sequence_num</c> of the carrying message (per connection).</param>
/// <param name="OrderType">Kraken taker order type (limit/market).</param>
/// <param name="EventTimestampUs">Binance event time <c>E</c> in µs.</param>
/// <param name="IsSnapshot">The trade came from a subscription snapshot rather than a live update.</param>
public readonly record struct TradeExtras(
    string? RawSide = null,
    bool? IsBuyerMaker = null,
    long? SequenceNumber = null,
    string? OrderType = null,
    long? EventTimestampUs = null,
    bool IsSnapshot = false);
