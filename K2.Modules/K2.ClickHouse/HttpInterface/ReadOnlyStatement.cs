using System.Text;
using System.Text.RegularExpressions;

namespace K2.ClickHouse.HttpInterface;

/// <summary>
/// A client's statement checked for the read-only interface. It starts from ClickHouse's own rendering of the statement
/// (<c>formatQuery</c>, which also refuses several statements in one), so comments, case and spacing cannot hide anything.
/// Only reading statements pass; a <c>SETTINGS</c> clause is refused, because the engine's one shared connection has no
/// per-user settings profile and a subquery's <c>SETTINGS readonly = 0</c> would otherwise lift read-only mode (checked
/// with chDB 26.7); settings come as URL parameters instead, where K2 checks them. <c>INTO OUTFILE</c> is refused: the
/// embedded engine would write the file on the daemon's machine.
/// </summary>
internal sealed partial record ReadOnlyStatement(string Sql, string? Format)
{
    private static readonly HashSet<string> ReadingStatements = new(StringComparer.OrdinalIgnoreCase) { "SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXISTS", "EXPLAIN" };

    /// <param name="formatted">The statement as <c>formatQuery</c> rendered it.</param>
    public static ReadOnlyStatement Check(string formatted)
    {
        var code = WithoutQuotedText(formatted);
        var first = FirstWord().Match(code);
        if (!first.Success || !ReadingStatements.Contains(first.Groups[1].Value))
        {
            throw ClickHouseHttpError.ReadOnlyMode("Cannot execute query in readonly mode");
        }

        if (SettingsClause().IsMatch(code))
        {
            throw ClickHouseHttpError.ReadOnlyMode("Cannot modify settings in readonly mode: a SETTINGS clause is not accepted here; pass settings as URL parameters");
        }

        if (IntoOutfile().IsMatch(code))
        {
            throw ClickHouseHttpError.ReadOnlyMode("INTO OUTFILE is not allowed");
        }

        var format = FormatClause().Match(code);
        return format.Success
            ? new ReadOnlyStatement(formatted[..format.Index].TrimEnd(), formatted.Substring(format.Groups[1].Index, format.Groups[1].Length))
            : new ReadOnlyStatement(formatted.TrimEnd(), null);
    }

    /// <summary>The statement with K2's settings clause, which applies to the whole statement.</summary>
    public string WithSettings(IReadOnlyDictionary<string, string> settings) =>
        $"{Sql}\nSETTINGS {string.Join(", ", settings.Select(s => $"{s.Key} = {Quote(s.Value)}"))}";

    private static string Quote(string value)
    {
        var quoted = new StringBuilder("'");
        foreach (var c in value)
        {
            if (c is '\'' or '\\') { quoted.Append('\\'); }
            quoted.Append(c);
        }

        return quoted.Append('\'').ToString();
    }

    /// <summary>
    /// The text with every string literal and quoted identifier blanked (same length), so keywords are found only in code.
    /// Keywords are matched as formatQuery writes them, in capitals; identifiers keep their case (<c>system.settings</c>).
    /// </summary>
    private static string WithoutQuotedText(string sql)
    {
        var code = sql.ToCharArray();
        for (var i = 0; i < code.Length; i++)
        {
            var quote = code[i];
            if (quote is not ('\'' or '"' or '`')) { continue; }
            var j = i + 1;
            while (j < code.Length && sql[j] != quote)
            {
                if (sql[j] == '\\') { code[j++] = ' '; }
                if (j < code.Length) { code[j++] = ' '; }
            }

            i = j;
        }

        return new string(code);
    }

    [GeneratedRegex(@"^[\s(]*([A-Za-z]+)")]
    private static partial Regex FirstWord();

    [GeneratedRegex(@"\bSETTINGS\b")]
    private static partial Regex SettingsClause();

    [GeneratedRegex(@"\bINTO\s+OUTFILE\b")]
    private static partial Regex IntoOutfile();

    [GeneratedRegex(@"\bFORMAT\s+([A-Za-z][A-Za-z0-9]*)\s*$")]
    private static partial Regex FormatClause();
}
