using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace K2.ClickHouse.HttpInterface;

/// <summary>
/// What a request's URL parameters ask for, read as ClickHouse's HTTP handler reads them: its own parameters (query,
/// database, default_format, query_id, credentials …), <c>param_&lt;name&gt;</c> query parameters, and every other
/// parameter as a setting of the query. The limits of the interface are settings too: a client may tighten them, never
/// loosen them, and <c>readonly</c> stays 1.
/// </summary>
internal sealed partial class QuerySettings
{
    private static readonly HashSet<string> HandlerParameters = new(StringComparer.Ordinal)
    {
        "query", "database", "default_format", "user", "password", "quota_key", "query_id", "session_id", "session_timeout",
        "session_check", "compress", "decompress", "buffer_size", "wait_end_of_query", "stacktrace", "role",
        "enable_http_compression", "http_zlib_compression_level", "send_progress_in_http_headers", "http_headers_progress_interval_ms",
        "add_http_cors_header", "client_protocol_version",
    };

    private QuerySettings(Dictionary<string, string> settings, Dictionary<string, string> parameters)
    {
        Settings = settings;
        Parameters = parameters;
    }

    /// <summary>The query's settings, the interface's limits and <c>readonly = 1</c> included.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Values of <c>{name:Type}</c> placeholders, as the client sent them (ClickHouse's escaped text).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public static QuerySettings From(IQueryCollection query, ClickHouseHttpInterfaceOptions limits)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in query)
        {
            var value = values.ToString();
            if (HandlerParameters.Contains(name)) { continue; }
            if (name.StartsWith("param_", StringComparison.Ordinal))
            {
                parameters[name["param_".Length..]] = value;
                continue;
            }

            if (!SettingName().IsMatch(name))
            {
                throw new ClickHouseHttpError(115, "UNKNOWN_SETTING", $"Unknown setting '{name}'");
            }

            settings[name] = value;
        }

        Limit(settings, "readonly", 1, () => ClickHouseHttpError.ReadOnlyMode("Cannot modify 'readonly' setting in readonly mode"));
        Limit(settings, "max_execution_time", limits.MaxExecutionSeconds);
        Limit(settings, "max_result_rows", limits.MaxResultRows);
        Limit(settings, "max_result_bytes", limits.MaxResultBytes);
        OneOf(settings, "result_overflow_mode", "throw", "break");
        OneOf(settings, "timeout_overflow_mode", "throw", "break");
        return new QuerySettings(settings, parameters);
    }

    /// <summary>Sets <paramref name="name"/> to <paramref name="max"/> unless the client asked for a value in (0, <paramref name="max"/>].</summary>
    private static void Limit(Dictionary<string, string> settings, string name, decimal max, Func<ClickHouseHttpError>? refusal = null)
    {
        if (!settings.TryGetValue(name, out var asked))
        {
            settings[name] = max.ToString(CultureInfo.InvariantCulture);
            return;
        }

        if (!decimal.TryParse(asked, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > max)
        {
            throw refusal?.Invoke() ?? new ClickHouseHttpError(ClickHouseHttpError.SettingConstraintViolation, "SETTING_CONSTRAINT_VIOLATION",
                $"Setting {name} shouldn't be zero or greater than {max.ToString(CultureInfo.InvariantCulture)} (asked for {asked})");
        }
    }

    private static void OneOf(Dictionary<string, string> settings, string name, params string[] allowed)
    {
        if (!settings.TryGetValue(name, out var asked))
        {
            settings[name] = allowed[0];
        }
        else if (!allowed.Contains(asked, StringComparer.Ordinal))
        {
            throw new ClickHouseHttpError(ClickHouseHttpError.SettingConstraintViolation, "SETTING_CONSTRAINT_VIOLATION",
                $"Setting {name} should be one of {string.Join(", ", allowed)} (asked for {asked})");
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex SettingName();
}
