using System.Globalization;
using System.Text.RegularExpressions;
using K2.ClickHouse.Schema;

namespace K2.ClickHouse.Gateway;

/// <summary>What both gateways share when writing query results as Parquet files.</summary>
internal static partial class ParquetExport
{
    /// <summary>The folder, absolute; refused if it holds characters <c>file()</c> treats as globs or templates.</summary>
    public static string CheckedFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        return SafePath().IsMatch(full) && Directory.Exists(full)
            ? full
            : throw new ArgumentException($"export folder '{folder}' must exist and use only letters, digits and . _ - / in its path", nameof(folder));
    }

    /// <summary>A part's file name, refused unless it uses only letters, digits, '_' and '-'.</summary>
    public static string CheckedPartName(string part) => PartName().IsMatch(part)
        ? part
        : throw new ArgumentException($"part name '{part}' must use only letters, digits, _ and -", nameof(part));

    /// <summary>The rows of <paramref name="sql"/> whose <paramref name="partExpression"/> gives <paramref name="part"/> (checked), in the query's order.</summary>
    public static string RowsOfPart(string sql, string partExpression, string part) =>
        $"SELECT * FROM ({sql}) WHERE ({partExpression}) = '{CheckedPartName(part)}'";

    public static string Settings(IReadOnlyDictionary<string, string> settings) => settings.Count == 0
        ? ""
        : "SETTINGS " + string.Join(", ", settings.Select(s => string.Create(CultureInfo.InvariantCulture, $"{SqlIdentifier.Checked(s.Key, "setting")} = {Value(s.Value)}")));

    private static string Value(string value) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
        ? number.ToString(CultureInfo.InvariantCulture)
        : $"'{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'";

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex PartName();

    [GeneratedRegex("^/[A-Za-z0-9._/-]+$")]
    private static partial Regex SafePath();
}
