namespace K2.Query.Reading;

/// <summary>A response format: its <c>format=</c> name, media type and the ClickHouse output format that writes it.</summary>
internal sealed record OutputFormat(string Name, string MediaType, string ClickHouseFormat, bool IsText)
{
    public static readonly OutputFormat Json = new("json", "application/json", "JSONEachRow", true);
    public static readonly OutputFormat Ndjson = new("ndjson", "application/x-ndjson", "JSONEachRow", true);
    // Plain CSV and a header written by K2: a header row would repeat in every block of a streamed result.
    public static readonly OutputFormat Csv = new("csv", "text/csv", "CSV", true);
    public static readonly OutputFormat Parquet = new("parquet", "application/vnd.apache.parquet", "Parquet", false);
    public static readonly OutputFormat Arrow = new("arrow", "application/vnd.apache.arrow.stream", "ArrowStream", false);

    public static readonly IReadOnlyList<OutputFormat> All = [Json, Ndjson, Csv, Parquet, Arrow];

    public static string Allowed => string.Join(", ", All.Select(f => f.Name));

    /// <summary>
    /// ClickHouse output settings: exact decimals as JSON strings, µs times as numbers; small Parquet row groups (memory
    /// stays flat) without bloom filters, which a download does not need and which would make it a third larger; Arrow
    /// buffers uncompressed, as IPC compression is optional and not every Arrow reader has it (ClickHouse's default is LZ4).
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings => Name switch
    {
        "json" or "ndjson" => new Dictionary<string, string>
        {
            ["output_format_json_quote_decimals"] = "1",
            ["output_format_json_quote_64bit_integers"] = "0",
        },
        "parquet" => new Dictionary<string, string>
        {
            ["output_format_parquet_row_group_size"] = "65536",
            ["output_format_parquet_compression_method"] = "'zstd'",
            ["output_format_parquet_write_bloom_filter"] = "0",
        },
        "arrow" => new Dictionary<string, string>
        {
            ["output_format_arrow_low_cardinality_as_dictionary"] = "0",
            ["output_format_arrow_compression_method"] = "'none'",
        },
        _ => new Dictionary<string, string>(),
    };

    /// <summary><c>format=</c> when given, else the first supported media type of <c>Accept</c>, else JSON; null for an unknown <c>format=</c>.</summary>
    public static OutputFormat? Choose(string? format, string? accept)
    {
        if (!string.IsNullOrEmpty(format)) { return All.FirstOrDefault(f => string.Equals(f.Name, format, StringComparison.OrdinalIgnoreCase)); }
        foreach (var part in (accept ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var media = part.Split(';', 2)[0].Trim();
            if (All.FirstOrDefault(f => string.Equals(f.MediaType, media, StringComparison.OrdinalIgnoreCase)) is { } match) { return match; }
        }

        return Json;
    }
}
