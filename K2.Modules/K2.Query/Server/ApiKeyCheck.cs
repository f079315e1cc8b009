using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace K2.Query.Server;

/// <summary>
/// Checks the API key of a request (<c>X-API-Key</c>, or <c>Authorization: Bearer</c>) against the configured SHA-256
/// hashes. With no key configured (a loopback listener) every request passes; otherwise a missing or unknown key is a 401.
/// </summary>
internal sealed class ApiKeyCheck(IReadOnlyList<QueryApiKey> keys)
{
    public const string HeaderName = "X-API-Key";

    /// <summary>Where the matched key's name is kept for the rate limiter (never the key itself).</summary>
    public const string ItemName = "k2.api_key";

    private readonly (string Name, byte[] Hash)[] _hashes = [.. keys.Select(k => (k.Name, Convert.FromHexString(k.Sha256)))];

    public bool Required => _hashes.Length > 0;

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The name of the key presented, or null when there is none or it is not known.</summary>
    public string? Match(HttpRequest request)
    {
        var key = request.Headers[HeaderName].ToString();
        if (key.Length == 0)
        {
            var authorization = request.Headers.Authorization.ToString();
            if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) { key = authorization["Bearer ".Length..].Trim(); }
        }

        if (key.Length == 0) { return null; }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        string? match = null;
        foreach (var (name, expected) in _hashes)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected)) { match = name; }
        }

        return match;
    }
}
