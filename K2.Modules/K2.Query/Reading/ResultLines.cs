using System.Buffers;
using System.IO.Pipelines;

namespace K2.Query.Reading;

/// <summary>Rows counted by the tier they came from.</summary>
internal sealed class TierCounts
{
    public long Hot { get; set; }

    public long Cold { get; set; }

    public long Mixed { get; set; }

    public long Total => Hot + Cold + Mixed;

    /// <summary>Counts one text row by its last column, <c>tier</c> (JSON <c>…"tier":"hot"}</c>, CSV <c>…,"hot"</c>).</summary>
    public void Count(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd("}\r"u8);
        if (line.EndsWith("\"cold\""u8)) { Cold++; }
        else if (line.EndsWith("\"hot\""u8)) { Hot++; }
        else if (line.EndsWith("\"mixed\""u8)) { Mixed++; }
    }
}

/// <summary>
/// Copies a line-per-row result (JSONEachRow, CSV) from ClickHouse to the response as it arrives, one pooled buffer at
/// a time, so memory does not grow with the result. Rows can be separated (the commas of a JSON array) and are counted by
/// tier.
/// </summary>
internal sealed class ResultLines(Stream source, PipeWriter target, bool jsonArray)
{
    public TierCounts Tiers { get; } = new();

    public async Task CopyAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var filled = 0;
        var first = true;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) { break; }
                filled += read;
                var consumed = WriteLines(buffer.AsSpan(0, filled), ref first);
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                await target.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            if (filled > 0)
            {
                WriteLine(buffer.AsSpan(0, filled), ref first);
                await target.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int WriteLines(ReadOnlySpan<byte> data, ref bool first)
    {
        var consumed = 0;
        int newline;
        while ((newline = data[consumed..].IndexOf((byte)'\n')) >= 0)
        {
            WriteLine(data.Slice(consumed, newline), ref first);
            consumed += newline + 1;
        }

        return consumed;
    }

    private void WriteLine(ReadOnlySpan<byte> line, ref bool first)
    {
        if (jsonArray && !first) { target.Write(",\n"u8); }
        target.Write(line);
        if (!jsonArray) { target.Write("\n"u8); }
        first = false;
        Tiers.Count(line);
    }
}
