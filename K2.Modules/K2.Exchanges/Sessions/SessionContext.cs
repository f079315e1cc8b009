using K2.Core.Trades;
using K2.Exchanges.Pipeline;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Sessions;

/// <summary>What every connection of one exchange shares.</summary>
internal sealed record SessionContext(
    IExchangeAdapter Adapter,
    IExchangeProtocol Protocol,
    FramePipeline Pipeline,
    ITradeSink Sink,
    IDeadLetterSink DeadLetters,
    TimeProvider Clock,
    ILogger Logger)
{
    public Exchange Exchange => Adapter.Exchange;

    public ExchangeOptions Options => Adapter.Options;

    public string Label { get; } = Adapter.Exchange.ToWire();
}
