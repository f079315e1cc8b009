using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace K2.Catalog;

/// <summary>
/// Checks bearer tokens and issues tokens to OAuth2 clients (client-credentials flow). Only SHA-256 hashes are kept,
/// of configured secrets and of issued tokens alike, and compared in fixed time.
/// </summary>
internal sealed class CatalogCredentials(CatalogAuthOptions options, TimeProvider time)
{
    private readonly byte[][] _staticTokens = [.. options.TokenSha256.Select(Convert.FromHexString)];
    private readonly Dictionary<string, byte[]> _clients = options.Clients.ToDictionary(c => c.ClientId, c => Convert.FromHexString(c.SecretSha256), StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new(StringComparer.Ordinal);

    /// <summary>Whether requests must carry a token: any client or static token configured.</summary>
    public bool Required => options.Required;

    public TimeSpan TokenLifetime => TimeSpan.FromSeconds(options.TokenLifetimeSeconds);

    public static bool IsSha256Hex(string text) => text.Length == 64 && text.All(Uri.IsHexDigit);

    /// <summary>True for a configured static token or an issued one that has not expired.</summary>
    public bool IsValidToken(string token)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        var valid = false;
        foreach (var known in _staticTokens) { valid |= CryptographicOperations.FixedTimeEquals(known, hash); }
        if (valid) { return true; }
        return _issued.TryGetValue(Convert.ToHexString(hash), out var expires) && expires > time.GetUtcNow();
    }

    /// <summary>A new access token for a client whose secret matches, or null.</summary>
    public string? Issue(string clientId, string clientSecret)
    {
        if (!_clients.TryGetValue(clientId, out var expected)) { return null; }
        if (!CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(clientSecret)))) { return null; }

        var now = time.GetUtcNow();
        foreach (var (hash, expires) in _issued)
        {
            if (expires <= now) { _issued.TryRemove(hash, out _); }
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _issued[Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)))] = now + TokenLifetime;
        return token;
    }
}
