using K2.Exchanges.Parsing;

namespace K2.Exchanges.Sessions;

/// <summary>What differs between exchanges on a connection; the session engine does the rest.</summary>
internal interface IExchangeProtocol
{
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

    /// <summary>Most symbols one connection carries; more are split over several connections.</summary>
    int SymbolsPerConnection { get; }

    /// <summary>Age at which a connection is replaced by a fresh one (Binance cuts connections at 24 h); null: never.</summary>
    TimeSpan? MaxConnectionAge { get; }

    /// <summary>How long old and new connections overlap during a rotation.</summary>
    TimeSpan RotationOverlap { get; }
}
