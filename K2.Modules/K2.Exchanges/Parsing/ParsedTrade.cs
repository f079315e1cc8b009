using K2.Core.Trades;

namespace K2.Exchanges.Parsing;

/// <summary>A normalized trade with its numeric trade id, which dedup and the gap ledger work on.</summary>
internal readonly record struct ParsedTrade(NormalizedTrade Trade, long Id);
