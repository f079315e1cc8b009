using System.Globalization;
using K2.Query.Reading;
using Microsoft.AspNetCore.Http;

namespace K2.Query.Api;

/// <summary>Checks of the query string shared by the endpoints.</summary>
internal static class RequestParameters
{
    /// <summary>Refuses parameters the endpoint does not know (a misspelt <c>form=</c> would otherwise be ignored silently).</summary>
    public static void OnlyKnown(HttpRequest request, params string[] known)
    {
        foreach (var key in request.Query.Keys)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                throw new BadParameterException(key, $"is not a parameter of {request.Path}; allowed: {string.Join(", ", known)}");
            }
        }

        foreach (var (key, values) in request.Query)
        {
            if (values.Count > 1) { throw new BadParameterException(key, "is given more than once; give it once"); }
        }
    }

    public static int Limit(string? text, QueryOptions options)
    {
        if (string.IsNullOrEmpty(text)) { return options.DefaultPageRows; }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit >= 1 && limit <= options.MaxPageRows
            ? limit
            : throw new BadParameterException("limit", $"'{text}' is not allowed; a whole number of rows from 1 to {options.MaxPageRows} (default {options.DefaultPageRows})");
    }

    public static OutputFormat Format(string? format, HttpRequest request) =>
        OutputFormat.Choose(format, request.Headers.Accept) ?? throw new BadParameterException("format", $"'{format}' is not a format; allowed: {OutputFormat.Allowed}");

    /// <summary><c>from</c> and <c>to</c> with their defaults; <c>from</c> must come before <c>to</c>.</summary>
    public static (long From, long To) Range(string? from, string? to, long now, long defaultSpanMicros)
    {
        var toMicros = TimeParameter.Parse("to", to) ?? now;
        var fromMicros = TimeParameter.Parse("from", from) ?? toMicros - defaultSpanMicros;
        return fromMicros < toMicros
            ? (fromMicros, toMicros)
            : throw new BadParameterException("from", $"{TimeParameter.Iso(fromMicros)} is not before to ({TimeParameter.Iso(toMicros)}); from must be earlier than to");
    }
}
