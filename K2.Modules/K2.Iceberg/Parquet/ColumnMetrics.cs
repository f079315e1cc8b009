using System.Text;
using K2.Iceberg.Spec;

namespace K2.Iceberg.Parquet;

/// <summary>
/// Per-column metrics of one data file for its manifest entry: value and null counts of top-level columns and
/// lower/upper bounds of primitive columns (strings truncated to 16 code points, the upper bound rounded up).
/// Nested columns get no metrics: omitting them is safe, wrong ones silently drop rows.
/// </summary>
internal sealed class ColumnMetrics(NestedField column)
{
    private const int TruncateLength = 16;

    private long _values;
    private long _nulls;
    private object? _lower;
    private object? _upper;

    public void Add(object? value)
    {
        _values++;
        if (value is null) { _nulls++; return; }
        if (column.Type is not PrimitiveType type || value is double d && double.IsNaN(d) || value is float f && float.IsNaN(f)) { return; }
        if (type.Kind == PrimitiveKind.Decimal) { value = SingleValue.ToDecimal(type, value); }
        if (_lower is null || Compare(value, _lower) < 0) { _lower = value; }
        if (_upper is null || Compare(value, _upper) > 0) { _upper = value; }
    }

    public void AddTo(Dictionary<int, long> values, Dictionary<int, long> nulls, Dictionary<int, byte[]> lower, Dictionary<int, byte[]> upper)
    {
        if (column.Type is not PrimitiveType type) { return; }
        values[column.Id] = _values;
        nulls[column.Id] = _nulls;
        if (_lower is null || _upper is null) { return; }
        if (type.Kind == PrimitiveKind.String)
        {
            lower[column.Id] = Encoding.UTF8.GetBytes(Transform.TruncateString((string)_lower, TruncateLength));
            var up = TruncatedUpper((string)_upper);
            if (up is not null) { upper[column.Id] = Encoding.UTF8.GetBytes(up); }
            return;
        }

        if (type.Kind == PrimitiveKind.Binary) { return; }
        lower[column.Id] = SingleValue.Encode(type, _lower);
        upper[column.Id] = SingleValue.Encode(type, _upper);
    }

    /// <summary>The smallest string of at most 16 code points that is ≥ every string with this prefix; null if none.</summary>
    internal static string? TruncatedUpper(string value)
    {
        var prefix = Transform.TruncateString(value, TruncateLength);
        if (prefix.Length == value.Length) { return value; }
        var runes = prefix.EnumerateRunes().ToList();
        for (var i = runes.Count - 1; i >= 0; i--)
        {
            var next = runes[i].Value + 1;
            if (next == 0xD800) { next = 0xE000; }
            if (next <= 0x10FFFF)
            {
                var builder = new StringBuilder();
                foreach (var r in runes.Take(i)) { builder.Append(r.ToString()); }
                builder.Append(new Rune(next).ToString());
                return builder.ToString();
            }
        }

        return null;
    }

    private static int Compare(object a, object b) => a switch
    {
        string s => CompareCodePoints(s, (string)b),
        _ => ((IComparable)a).CompareTo(b),
    };

    /// <summary>Iceberg orders strings by code point (UTF-8 byte order), not by UTF-16 unit.</summary>
    internal static int CompareCodePoints(string a, string b)
    {
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            var hasA = ea.MoveNext();
            var hasB = eb.MoveNext();
            if (!hasA || !hasB) { return hasA.CompareTo(hasB); }
            var c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0) { return c; }
        }
    }
}
