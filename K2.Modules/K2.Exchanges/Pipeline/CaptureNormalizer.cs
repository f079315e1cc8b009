using System.Buffers;
using System.Text;
using System.Text.Json;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Instruments;

namespace K2.Exchanges.Pipeline;

/// <summary>
/// Runs a capture (one WebSocket text frame per line, in arrival order) through the live path's
/// parser, normalizer and dedup (no REST backfill): unique trades to <c>output</c> as JSON lines,
/// one line per rejected frame to <c>errors</c>; a bad line never stops the run.
/// </summary>
public static class CaptureNormalizer
{
    public static void Run(Exchange exchange, ExchangesOptions options, InstrumentSet instruments, TextReader input, Stream output, TextWriter errors, TimeProvider clock)
    {
        var pipeline = new FramePipeline(options.Adapter(exchange), instruments, clock);
        var unique = new List<NormalizedTrade>();
        var bytes = ArrayPool<byte>.Shared.Rent(4096);
        var newline = "\n"u8;
        var lines = 0;
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        try
        {
            while (input.ReadLine() is { } line)
            {
                lines++;
                var needed = Encoding.UTF8.GetMaxByteCount(line.Length);
                if (needed > bytes.Length)
                {
                    ArrayPool<byte>.Shared.Return(bytes);
                    bytes = ArrayPool<byte>.Shared.Rent(needed);
                }

                var length = Encoding.UTF8.GetBytes(line, bytes);
                unique.Clear();
                var outcome = pipeline.Process(bytes.AsSpan(0, length), UnixMicros.Now(clock), unique);
                if (outcome.Kind == FrameKind.Rejected)
                {
                    errors.WriteLine($"line {lines}: {outcome.Reason}: {outcome.Detail}");
                }

                foreach (var trade in unique)
                {
                    NormalizedTradeJson.Write(writer, trade);
                    writer.Flush();
                    writer.Reset();
                    output.Write(newline);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }

        output.Flush();
    }
}
