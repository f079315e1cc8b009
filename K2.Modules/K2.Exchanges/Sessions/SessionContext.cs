using K2.Core.Trades;
using K2.Exchanges.Pipeline;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Sessions;

/// <summary>What every connection of one exchange shares.</summary>
internal sealed record SessionContext(
    IExchangeProtocol Protocol,
    ExchangeOptions Options,
    FramePipeline Pipeline,
    ITradeSink Sink,
    IDeadLetterSink DeadLetters,
    TimeProvider Clock,
    ILogger Logger)
{
    public Exchange Exchange => Protocol.Exchange;

    public string Label { get; } = Protocol.Exchange.ToWire();
}
