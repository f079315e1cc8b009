using System.Globalization;

namespace K2.Core.Trades;

/// <summary>Decimal ↔ text for K2's records: plain notation, no exponent, no trailing zeros, invariant culture.</summary>
public static class DecimalText
{
    private const string PlainFormat = "0.############################";

    /// <summary>70215.50000000 → "70215.5"; 1E-8 → "0.00000001"; 100 → "100".</summary>
    public static string Format(decimal value) => value.ToString(PlainFormat, CultureInfo.InvariantCulture);

    /// <summary>Writes <see cref="Format"/> into <paramref name="destination"/> without allocating.</summary>
    public static bool TryFormat(decimal value, Span<char> destination, out int written) =>
        value.TryFormat(destination, out written, PlainFormat, CultureInfo.InvariantCulture);

    /// <summary>Writes <see cref="Format"/> as UTF-8 without allocating.</summary>
    public static bool TryFormat(decimal value, Span<byte> utf8Destination, out int written) =>
        value.TryFormat(utf8Destination, out written, PlainFormat, CultureInfo.InvariantCulture);
}
