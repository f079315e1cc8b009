namespace K2.ClickHouse.Embedded;

/// <summary>A whole query result with what the engine read to produce it.</summary>
internal sealed record ChDbQueryResult(byte[] Output, ulong RowsRead, ulong BytesRead, double ElapsedSeconds);
