using System.ComponentModel.DataAnnotations;
using K2.Iceberg.Catalog;

namespace K2.Iceberg;

/// <summary>The <c>Iceberg</c> section: catalog, warehouse and file sizes of K2's cold tier.</summary>
public sealed class IcebergOptions
{
    public const string SectionName = "Iceberg";

    /// <summary>catalog_name in the JDBC catalog tables; readers (Spark, PyIceberg, Trino) must use the same name. Default <c>k2</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "must name the catalog, e.g. k2")]
    [MaxLength(255, ErrorMessage = "must be at most 255 characters")]
    public string CatalogName { get; set; } = "k2";

    /// <summary>Namespace of K2's tables. Default <c>k2</c>.</summary>
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_.]{0,254}$", ErrorMessage = "must be letters, digits, _ and . (not starting with a digit)")]
    public string Namespace { get; set; } = "k2";

    /// <summary>Sqlite (embedded, default) or Postgres.</summary>
    public CatalogDatabase Catalog { get; set; } = CatalogDatabase.Sqlite;

    /// <summary>SQLite catalog file. Default <c>&lt;Storage:DataDir&gt;/iceberg-catalog.db</c>.</summary>
    public string SqlitePath { get; set; } = "";

    /// <summary>Environment variable holding the PostgreSQL connection string (secrets stay out of config files).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "must name an environment variable, e.g. K2_ICEBERG_CATALOG_POSTGRES")]
    public string PostgresConnectionStringVariable { get; set; } = "K2_ICEBERG_CATALOG_POSTGRES";

    /// <summary>Warehouse root: empty for <c>&lt;Storage:DataDir&gt;/warehouse</c>, a local folder, or <c>s3://bucket/prefix</c>.</summary>
    [RegularExpression("^(s3://[a-z0-9][a-z0-9.-]{1,62}(/.*)?|(?!.*://).*)$", ErrorMessage = "must be empty, a local folder or s3://bucket/prefix")]
    public string Warehouse { get; set; } = "";

    public S3StorageOptions S3 { get; set; } = new();

    /// <summary>A data file is closed once it reaches this size. Default 128 MiB.</summary>
    [Range(1L << 20, 1L << 34, ErrorMessage = "must be between 1 MiB and 16 GiB")]
    public long TargetFileSizeBytes { get; set; } = 128L << 20;

    /// <summary>Rows per Parquet row group; memory holds one row group per open file. Default 250000.</summary>
    [Range(1000, 10_000_000, ErrorMessage = "must be between 1000 and 10000000")]
    public int RowGroupRows { get; set; } = 250_000;
}

/// <summary>S3 settings used when the warehouse is <c>s3://…</c>. Credentials come from environment variables only.</summary>
public sealed class S3StorageOptions
{
    /// <summary>Endpoint of an S3-compatible store (MinIO: http://host:9000); empty for AWS.</summary>
    public string Endpoint { get; set; } = "";

    [Required(AllowEmptyStrings = false, ErrorMessage = "must be a region name, e.g. us-east-1")]
    public string Region { get; set; } = "us-east-1";

    /// <summary>Path-style addressing (http://endpoint/bucket/key), needed by MinIO and most S3-compatible stores.</summary>
    public bool PathStyle { get; set; } = true;

    /// <summary>Turns off aws-chunked uploads and trailing checksums, which some S3-compatible stores reject.</summary>
    public bool S3Compatible { get; set; }

    /// <summary>Environment variable holding the access key id. Both unset: the SDK's default credential chain.</summary>
    public string AccessKeyVariable { get; set; } = "AWS_ACCESS_KEY_ID";

    public string SecretKeyVariable { get; set; } = "AWS_SECRET_ACCESS_KEY";

    /// <summary>
    /// The store's endpoint as the ClickHouse server reaches it, for the queries that read cold tables through ClickHouse
    /// (the audit, the query API): in compose <c>http://minio:9000</c> while K2 itself may use a host port. Empty: <see cref="Endpoint"/>.
    /// </summary>
    public string ServerEndpoint { get; set; } = "";

    /// <summary>
    /// A named collection defined on the ClickHouse server holding the store's credentials (<c>access_key_id</c>,
    /// <c>secret_access_key</c>): those queries then name it and carry no credentials. Empty: the credentials of
    /// <see cref="AccessKeyVariable"/>/<see cref="SecretKeyVariable"/> go inline, which the audit does only with the
    /// embedded engine (in process); against a server it sends none and the server's own S3 configuration applies.
    /// </summary>
    [RegularExpression("^([A-Za-z_][A-Za-z0-9_]*)?$", ErrorMessage = "must be a ClickHouse named collection name (letters, digits, _) or empty")]
    public string ServerCredentialsCollection { get; set; } = "";

    /// <summary>Files above this size are uploaded in parts. Default 64 MiB.</summary>
    [Range(5L << 20, 5L << 30, ErrorMessage = "must be between 5 MiB and 5 GiB")]
    public long MultipartThresholdBytes { get; set; } = 64L << 20;

    /// <summary>Part size of multipart uploads. Default 16 MiB (S3 minimum 5 MiB).</summary>
    [Range(5L << 20, 5L << 30, ErrorMessage = "must be between 5 MiB and 5 GiB")]
    public long MultipartPartSizeBytes { get; set; } = 16L << 20;
}
