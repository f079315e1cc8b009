using System.Security.Cryptography;
using System.Text;

namespace K2.ClickHouse.Schema;

/// <summary>One versioned step of the hot-tier schema. Statements are idempotent (IF NOT EXISTS) so a half-applied step can be re-run.</summary>
public sealed record Migration(int Version, string Name, IReadOnlyList<string> Statements)
{
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n;\n", Statements))))[..16];
}
