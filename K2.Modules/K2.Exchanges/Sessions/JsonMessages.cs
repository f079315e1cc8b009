using System.Text.Json;

namespace K2.Exchanges.Sessions;

/// <summary>Builds small outgoing JSON control messages.</summary>
internal static class JsonMessages
{
    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    public static void WriteStrings(this Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values) { writer.WriteStringValue(value); }
        writer.WriteEndArray();
    }
}
