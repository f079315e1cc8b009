using K2.Core.Health;
using K2.Query.Reading;
using Microsoft.AspNetCore.Http;

namespace K2.Query.Api;

/// <summary>The state this daemon keeps of its feeds and pipeline: the feed board (when the ingestors run here) and the sections of <c>k2 status</c>.</summary>
internal sealed class DaemonState(IFeedBoard? feeds, IEnumerable<IStatusContributor> sections)
{
    public IFeedBoard? FeedBoard { get; } = feeds;

    public IReadOnlyList<IStatusContributor> Sections { get; } = [.. sections.OrderBy(s => s.Order)];
}

internal sealed record FeedEntry(
    string Exchange, string Symbol, string CanonicalSymbol, bool Connected, double TradesPerSecond, IReadOnlyList<double> RateHistory,
    string? LastTrade, double? LastTradeAgeSeconds, int GapsOpen, int GapsFilled, int GapsAbsent, int GapsLost);

/// <param name="Ingesting">False when the exchange ingestors do not run in this daemon (no feeds to show).</param>
internal sealed record FeedList(string GeneratedAt, bool Ingesting, IReadOnlyList<FeedEntry> Data, int Count);

internal sealed record PipelineSection(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string> Notes);

internal sealed record PipelineState(string GeneratedAt, IReadOnlyList<PipelineSection> Sections);

/// <summary><c>GET /v1/feeds</c> and <c>GET /v1/pipeline</c>: what the web console shows besides the data, from state the modules keep (no storage query).</summary>
internal static class DaemonStateEndpoints
{
    public static FeedList Feeds(HttpContext http, QueryContext context, DaemonState state)
    {
        RequestParameters.OnlyKnown(http.Request);
        var now = context.Time.GetUtcNow();
        var feeds = (state.FeedBoard?.Feeds() ?? [])
            .OrderBy(f => f.Exchange, StringComparer.Ordinal).ThenBy(f => f.CanonicalSymbol, StringComparer.Ordinal)
            .Select(f => new FeedEntry(f.Exchange, f.Symbol, f.CanonicalSymbol, f.Connected, Math.Round(f.TradesPerSecond, 3), [.. f.RateHistory.Select(r => Math.Round(r, 3))],
                f.LastTradeAt is { } at ? TimeParameter.Iso(at.ToUnixTimeMilliseconds() * 1000) : null,
                f.LastTradeAt is { } last ? Math.Round(Math.Max(0, (now - last).TotalSeconds), 1) : null,
                f.GapsOpen, f.GapsFilled, f.GapsAbsent, f.GapsLost))
            .ToList();
        return new FeedList(TimeParameter.Iso(context.NowMicros), state.FeedBoard is not null, feeds, feeds.Count);
    }

    public static PipelineState Pipeline(HttpContext http, QueryContext context, DaemonState state)
    {
        RequestParameters.OnlyKnown(http.Request);
        var sections = state.Sections.Select(Snapshot).Select(s => new PipelineSection(s.Title, s.Columns, s.Rows, s.Notes)).ToList();
        return new PipelineState(TimeParameter.Iso(context.NowMicros), sections);
    }

    /// <summary>A section that fails to report says so in its place rather than failing the page, as <c>/status</c> does.</summary>
    private static StatusSection Snapshot(IStatusContributor contributor)
    {
        try
        {
            return contributor.Snapshot();
        }
        catch (Exception ex)
        {
            return new StatusSection(contributor.GetType().Name, ["error"], [[ex.Message]], []);
        }
    }
}
