using K2.Core.Trades;
using K2.Exchanges.Parsing;

namespace K2.Exchanges.Sessions;

/// <summary>What differs between exchanges on a connection; the session engine does the rest.</summary>
internal interface IExchangeProtocol
{
    Exchange Exchange { get; }

    /// <summary>The URL to open for a connection that will carry <paramref name="symbols"/>.</summary>
    Uri ConnectUri(Uri baseUrl, IReadOnlyList<WireSymbol> symbols);

    /// <summary>Messages to send right after connecting (the symbols not already in the URL).</summary>
    IReadOnlyList<string> InitialSubscribe(IReadOnlyList<WireSymbol> symbols);

    /// <summary>Messages to add symbols to a live connection.</summary>
    IReadOnlyList<string> Subscribe(IReadOnlyList<WireSymbol> symbols);

    /// <summary>Messages to remove symbols from a live connection.</summary>
    IReadOnlyList<string> Unsubscribe(IReadOnlyList<WireSymbol> symbols);

    /// <summary>Pause between outgoing messages (Binance counts incoming messages per second).</summary>
    TimeSpan MessageSpacing { get; }

    /// <summary>Application-level ping and how often to send it, if the exchange wants one.</summary>
    (string Message, TimeSpan Interval)? KeepAlive { get; }

    /// <summary>Whether frames carry a per-connection sequence number that must have no holes (Coinbase).</summary>
    bool TracksSequence { get; }
}
