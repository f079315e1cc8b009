using System.Text;
using K2.Exchanges.Parsing;

namespace K2.Exchanges.Sessions;

/// <summary>
/// Splits instruments across daemons: FNV-1a of <c>exchange:symbol</c> modulo the shard count, so every
/// daemon computes the same disjoint parts from the same instruments.yaml, whatever the file's order.
/// </summary>
internal static class ShardFilter
{
    public static bool Owns(WireSymbol symbol, int shardIndex, int shardCount) =>
        shardCount <= 1 || Hash($"{symbol.Instrument.Exchange}:{symbol.Instrument.Symbol}") % (uint)shardCount == (uint)shardIndex;

    private static uint Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 16777619u;
        }

        return hash;
    }
}
