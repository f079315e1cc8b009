namespace K2.Core.Trades;

/// <summary>The side of the TAKER (aggressor) of a trade.</summary>
public enum TradeSide : byte
{
    Buy = 1,
    Sell = 2,
}

public static class TradeSideNames
{
    public static string ToWire(this TradeSide side) => side == TradeSide.Buy ? "BUY" : "SELL";
}
