using K2.ClickHouse.Schema;

namespace K2.Maintenance.Audit;

/// <summary>
/// What the audit's SQL needs from ClickHouse beyond the hot tier's floor; checked at the daemon's start. Both table
/// functions came with ClickHouse 24.9, which split the S3-only <c>iceberg</c> into one function per storage.
/// </summary>
internal static class AuditServerFeatures
{
    public static readonly IReadOnlyList<ServerFeature> All =
    [
        ServerFeature.TableFunction("icebergS3", new Version(24, 9), "audit: reads cold tables on S3"),
        ServerFeature.TableFunction("icebergLocal", new Version(24, 9), "audit: reads cold tables in a local warehouse"),
    ];
}
