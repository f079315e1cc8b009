using System.ComponentModel.DataAnnotations;
using K2.Core.Configuration;
using K2.Core.Http;

namespace K2.Catalog;

/// <summary>The <c>Modules:Catalog</c> section: the Iceberg REST catalog over K2's SQL catalog.</summary>
public sealed class CatalogOptions : ModuleOptions, IValidatableObject
{
    public const string SectionName = "Modules:Catalog";

    /// <summary>Address of the REST catalog (<c>/v1/…</c>). Default <c>127.0.0.1:8181</c>, loopback only; port 0 picks a free port.</summary>
    public string Listen { get; set; } = "127.0.0.1:8181";

    /// <summary>
    /// The S3 endpoint as the catalog's clients reach the warehouse (sent as <c>s3.endpoint</c>), when it differs from the
    /// daemon's own <c>Iceberg:S3:Endpoint</c> (in compose: <c>http://localhost:9000</c> outside, <c>http://minio:9000</c> inside).
    /// Empty (default): the daemon's endpoint.
    /// </summary>
    [RegularExpression("^$|^https?://[^\\s]+$", ErrorMessage = "must be empty or an http(s) URL such as http://localhost:9000")]
    public string ClientS3Endpoint { get; set; } = "";

    public CatalogAuthOptions Auth { get; set; } = new();

    public VendedCredentialsOptions VendedCredentials { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Auth.TokenSha256.Count; i++)
        {
            if (!CatalogCredentials.IsSha256Hex(Auth.TokenSha256[i]))
            {
                yield return new ValidationResult("must be the 64 hex digits of the token's SHA-256", [$"{nameof(Auth)}:{nameof(Auth.TokenSha256)}:{i}"]);
            }
        }

        if (!ListenAddress.TryParse(Listen, out var endpoint))
        {
            yield return new ValidationResult($"'{Listen}' {ListenAddress.Rule}", [nameof(Listen)]);
        }
        else if (!ListenAddress.IsLoopback(endpoint) && !Auth.Required)
        {
            yield return new ValidationResult(
                $"'{Listen}' is reachable from other machines: configure Modules:Catalog:Auth:Clients or Auth:TokenSha256 so clients must authenticate, or listen on 127.0.0.1",
                [nameof(Listen)]);
        }
    }
}

/// <summary>
/// Who may read the catalog. With nothing configured the catalog is open, which is allowed on a loopback address only.
/// Only SHA-256 hashes are configured, never the secrets themselves.
/// </summary>
public sealed class CatalogAuthOptions
{
    /// <summary>OAuth2 clients for the client-credentials flow (<c>POST /v1/oauth/tokens</c>).</summary>
    public List<CatalogClientOptions> Clients { get; set; } = [];

    /// <summary>Hex SHA-256 hashes of static bearer tokens (<c>printf %s "$TOKEN" | sha256sum</c>).</summary>
    public List<string> TokenSha256 { get; set; } = [];

    /// <summary>Lifetime of a token issued by <c>/v1/oauth/tokens</c>. Default 3600 s.</summary>
    [Range(60, 86_400, ErrorMessage = "must be 60–86400 seconds")]
    public int TokenLifetimeSeconds { get; set; } = 3600;

    internal bool Required => Clients.Count > 0 || TokenSha256.Count > 0;
}

public sealed class CatalogClientOptions : IValidatableObject
{
    /// <summary>The <c>client_id</c> (Spark's and PyIceberg's <c>credential</c> is <c>client_id:client_secret</c>).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "must name the client")]
    public string ClientId { get; set; } = "";

    /// <summary>Hex SHA-256 of the client secret (<c>printf %s "$SECRET" | sha256sum</c>).</summary>
    public string SecretSha256 { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!CatalogCredentials.IsSha256Hex(SecretSha256))
        {
            yield return new ValidationResult("must be the 64 hex digits of the secret's SHA-256", [nameof(SecretSha256)]);
        }
    }
}

/// <summary>
/// Storage credentials handed to clients that ask for them (<c>X-Iceberg-Access-Delegation: vended-credentials</c>), as
/// ClickHouse's DataLakeCatalog does. Off by default; the keys come from their own environment variables, so the daemon's
/// own keys are vended only if an operator points these variables at them.
/// </summary>
public sealed class VendedCredentialsOptions
{
    /// <summary>Vend the keys below to clients that ask. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Environment variable holding the access key id to vend (ideally a read-only key).</summary>
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]*$", ErrorMessage = "must be an environment variable name (letters, digits, _)")]
    public string AccessKeyVariable { get; set; } = "K2_CATALOG_READER_ACCESS_KEY";

    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]*$", ErrorMessage = "must be an environment variable name (letters, digits, _)")]
    public string SecretKeyVariable { get; set; } = "K2_CATALOG_READER_SECRET_KEY";

    /// <summary>Environment variable holding a session token to vend with the keys; empty: none.</summary>
    [RegularExpression("^$|^[A-Za-z_][A-Za-z0-9_]*$", ErrorMessage = "must be empty or an environment variable name (letters, digits, _)")]
    public string SessionTokenVariable { get; set; } = "";
}
