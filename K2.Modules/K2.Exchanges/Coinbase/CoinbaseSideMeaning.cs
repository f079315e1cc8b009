namespace K2.Exchanges.Coinbase;

/// <summary>What Coinbase Advanced Trade's <c>side</c> field means (see docs/exchanges.md).</summary>
public enum CoinbaseSideMeaning
{
    /// <summary>The maker's side: the taker is the opposite (the project default).</summary>
    Maker,

    /// <summary>The taker's side, taken literally.</summary>
    Taker,
}
