using System.Globalization;
using System.Text.RegularExpressions;

namespace K2.ClickHouse.Embedded;

/// <summary>An error reported by the embedded ClickHouse engine, with its server error code.</summary>
public sealed partial class ChDbException : Exception
{
    public ChDbException(string message) : base(message)
    {
        var match = CodePattern().Match(message);
        Code = match.Success ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : 0;
        var name = NamePattern().Match(message);
        ErrorName = name.Success ? name.Groups[1].Value : null;
    }

    /// <summary>ClickHouse error code (e.g. 60 for UNKNOWN_TABLE), 0 when the text carried none.</summary>
    public int Code { get; }

    /// <summary>ClickHouse error name such as UNKNOWN_TABLE, when present.</summary>
    public string? ErrorName { get; }

    [GeneratedRegex(@"Code:\s*(\d+)")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"\(([A-Z][A-Z0-9_]+)\)\s*(\(version [^)]*\))?\s*$")]
    private static partial Regex NamePattern();
}
