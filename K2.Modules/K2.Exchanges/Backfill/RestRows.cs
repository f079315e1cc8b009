using System.Text;
using System.Text.Json;
using K2.Exchanges.Parsing;

namespace K2.Exchanges.Backfill;

/// <summary>Finds where a REST answer's rows are, leaving the reader on their array.</summary>
internal delegate void RowsLocator(ref Utf8JsonReader reader);

/// <summary>
/// REST answers row by row: the answer is split into its trade rows and each row goes through the exchange's row
/// parser, built on the same field readers as its frame parser. A bad row is set aside with its reason; the others
/// are kept.
/// </summary>
internal static class RestRows
{
    /// <summary>The byte ranges of the rows of <paramref name="body"/>.</summary>
    /// <exception cref="FrameRejectedException">The answer is not JSON or has no rows where <paramref name="locate"/> looks.</exception>
    public static IReadOnlyList<Range> Split(ReadOnlySpan<byte> body, RowsLocator locate)
    {
        try
        {
            var reader = new Utf8JsonReader(body, isFinalBlock: true, state: default);
            reader.Read();
            locate(ref reader);
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                FrameRejectedException.Throw(RejectReasons.UnknownFrame, $"expected an array of trades, got {reader.TokenType}");
            }

            var rows = new List<Range>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                rows.Add(start..(int)reader.BytesConsumed);
            }

            return rows;
        }
        catch (JsonException ex)
        {
            throw new FrameRejectedException(RejectReasons.MalformedJson, $"not valid JSON ({ex.Message})");
        }
    }

    /// <summary>Runs every row of <paramref name="body"/> through <paramref name="rowParser"/>.</summary>
    public static (List<ParsedTrade> Trades, List<RejectedRow> Rejects) Parse(byte[] body, IReadOnlyList<Range> rows, ITradeFrameParser rowParser)
    {
        var trades = new List<ParsedTrade>(rows.Count);
        var rejects = new List<RejectedRow>();
        foreach (var row in rows)
        {
            var outcome = rowParser.Parse(body.AsSpan(row), 0, trades);
            if (outcome.Kind == FrameKind.Rejected) { rejects.Add(new RejectedRow(outcome, Encoding.UTF8.GetString(body.AsSpan(row)))); }
        }

        return (trades, rejects);
    }
}
