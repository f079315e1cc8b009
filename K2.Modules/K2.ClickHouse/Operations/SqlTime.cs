using System.Globalization;

namespace K2.ClickHouse.Operations;

internal static class SqlTime
{
    /// <summary>A DateTime64(6, 'UTC') parameter value.</summary>
    public static string Parameter(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
