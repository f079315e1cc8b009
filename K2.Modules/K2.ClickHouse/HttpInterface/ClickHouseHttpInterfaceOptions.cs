using System.ComponentModel.DataAnnotations;
using K2.ClickHouse.Schema;

namespace K2.ClickHouse.HttpInterface;

/// <summary>
/// <c>Modules:ClickHouse:HttpInterface</c>: ClickHouse's HTTP protocol, read-only, over the embedded engine, so ClickHouse
/// clients reach the hot and cold tiers of an embedded daemon. In production the ClickHouse server is this endpoint.
/// </summary>
public sealed class ClickHouseHttpInterfaceOptions
{
    /// <summary>Serve the interface. Default false. Embedded mode only.</summary>
    public bool Enabled { get; set; }

    /// <summary>Address of the interface. Default <c>127.0.0.1:8123</c> (ClickHouse's HTTP port), loopback only; port 0 picks a free port.</summary>
    public string Listen { get; set; } = "127.0.0.1:8123";

    /// <summary>The one user clients log in as. Default <c>default</c>, as on a ClickHouse server.</summary>
    [RegularExpression(SqlIdentifier.Pattern, ErrorMessage = SqlIdentifier.Rule)]
    public string Username { get; set; } = "default";

    /// <summary>
    /// Environment variable holding the user's password (never the password itself). Unset or empty: no password, which
    /// is allowed on a loopback address only. Default <c>K2_CLICKHOUSE_HTTP_PASSWORD</c>.
    /// </summary>
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]*$", ErrorMessage = "must be an environment variable name (letters, digits, _)")]
    public string PasswordVariable { get; set; } = "K2_CLICKHOUSE_HTTP_PASSWORD";

    /// <summary>Database of queries that name none (the <c>database</c> parameter chooses another). Empty (default): the hot tier's, <c>Modules:ClickHouse:Database</c>.</summary>
    [RegularExpression($"^$|{SqlIdentifier.Pattern}", ErrorMessage = "must be empty or " + SqlIdentifier.Rule)]
    public string DefaultDatabase { get; set; } = "";

    /// <summary>
    /// The Iceberg namespace whose tables are offered as tables of the database of the same name (read through ClickHouse's
    /// IcebergLocal engine). Default <c>cold</c>, where the offload writes.
    /// </summary>
    [RegularExpression(SqlIdentifier.Pattern, ErrorMessage = SqlIdentifier.Rule)]
    public string ColdDatabase { get; set; } = "cold";

    /// <summary>Longest a query may run (ClickHouse's <c>max_execution_time</c>), and longest it waits for the engine. Default 60 s.</summary>
    [Range(1, 3600, ErrorMessage = "must be 1–3600 seconds")]
    public int MaxExecutionSeconds { get; set; } = 60;

    /// <summary>Most rows a result may have (<c>max_result_rows</c>). Default 100,000,000.</summary>
    [Range(1L, long.MaxValue, ErrorMessage = "must be at least 1 row")]
    public long MaxResultRows { get; set; } = 100_000_000;

    /// <summary>
    /// Most bytes a result may have, in the engine (<c>max_result_bytes</c>) and on the wire. A result in a format that is
    /// answered whole (Parquet, JSON …) is held in memory up to this size. Default 256 MiB.
    /// </summary>
    [Range(1L << 16, 1L << 40, ErrorMessage = "must be 64 KiB to 1 TiB")]
    public long MaxResultBytes { get; set; } = 256L << 20;
}
