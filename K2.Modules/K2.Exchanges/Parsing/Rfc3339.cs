namespace K2.Exchanges.Parsing;

/// <summary>
/// RFC 3339 date-times (<c>2026-02-17T14:30:00.770670766Z</c>) to µs since the Unix epoch, parsed by hand:
/// 0–9 fraction digits (truncated to µs, never rounded), <c>Z</c> or a numeric offset, no allocation.
/// </summary>
internal static class Rfc3339
{
    private const long UnixEpochTicks = 621_355_968_000_000_000;

    public static bool TryParseMicros(ReadOnlySpan<byte> text, out long micros)
    {
        micros = 0;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || (text[10] | 0x20) != 't' || text[13] != ':' || text[16] != ':') { return false; }
        if (!TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) || !TryDigits(text.Slice(8, 2), out var day)
            || !TryDigits(text.Slice(11, 2), out var hour) || !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) { return false; }

        var position = 19;
        long fractionMicros = 0;
        if (text[position] == '.')
        {
            position++;
            var digits = 0;
            while (position < text.Length && IsDigit(text[position]))
            {
                if (digits < 6) { fractionMicros = fractionMicros * 10 + (text[position] - '0'); }
                digits++;
                position++;
            }

            if (digits is 0 or > 9) { return false; }
            for (var i = digits; i < 6; i++) { fractionMicros *= 10; }
        }

        if (!TryOffsetMinutes(text[position..], out var offsetMinutes)) { return false; }
        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks - UnixEpochTicks;
        micros = ticks / TimeSpan.TicksPerMicrosecond + fractionMicros - offsetMinutes * 60_000_000L;
        return true;
    }

    private static bool TryOffsetMinutes(ReadOnlySpan<byte> zone, out int minutes)
    {
        minutes = 0;
        if (zone.Length == 1 && (zone[0] | 0x20) == 'z') { return true; }
        if (zone.Length != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':'
            || !TryDigits(zone.Slice(1, 2), out var hours) || !TryDigits(zone.Slice(4, 2), out var mins) || hours > 23 || mins > 59)
        {
            return false;
        }

        minutes = (zone[0] == '-' ? -1 : 1) * (hours * 60 + mins);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> span, out int value)
    {
        value = 0;
        foreach (var b in span)
        {
            if (!IsDigit(b)) { return false; }
            value = value * 10 + (b - '0');
        }

        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
