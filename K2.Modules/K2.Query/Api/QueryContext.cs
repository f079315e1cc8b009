using K2.ClickHouse.Gateway;
using K2.Query.Reading;
using Microsoft.Extensions.Logging;

namespace K2.Query.Api;

/// <summary>What the endpoints share: the ClickHouse gateway and hot database, cold pins, symbols and limits.</summary>
internal sealed class QueryContext(
    IClickHouseGateway gateway, string database, ColdPins pins, SymbolResolver symbols, InstrumentRanges ranges, QueryOptions options, TimeProvider time, ILogger logger)
{
    public IClickHouseGateway Gateway { get; } = gateway;

    public string Database { get; } = database;

    public ColdPins Pins { get; } = pins;

    public SymbolResolver Symbols { get; } = symbols;

    public InstrumentRanges Ranges { get; } = ranges;

    public QueryOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    public long NowMicros => K2.Core.Time.UnixMicros.Now(Time);
}
