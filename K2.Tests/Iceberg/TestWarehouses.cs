using Amazon.Runtime;
using Amazon.S3;
using K2.Iceberg;
using K2.Iceberg.Catalog;
using K2.Iceberg.Parquet;
using K2.Iceberg.Storage;
using K2.Iceberg.Tables;
using K2.Tests.Support;

namespace K2.Tests.Iceberg;

/// <summary>Warehouses on real parts: a scratch folder or an s3rver bucket, with a SQLite or PostgreSQL catalog.</summary>
internal static class TestWarehouses
{
    public static readonly WriterSettings SmallFiles = new(TargetFileSizeBytes: 8L << 20, RowGroupRows: 1000);

    public static async Task<IcebergWarehouse> LocalAsync(SqlCatalog? catalog = null, WriterSettings? settings = null)
    {
        var root = LocalRoot();
        catalog ??= IcebergModule.SqliteCatalog("k2", Path.Combine(root, "catalog.db"));
        var warehouse = new IcebergWarehouse(catalog, new LocalObjectStore(Path.Combine(root, "warehouse")), settings ?? SmallFiles, TimeProvider.System);
        await warehouse.StartAsync();
        return warehouse;
    }

    /// <summary>
    /// A folder chDB may read with icebergLocal: ClickHouse only reads local files under its user_files_path,
    /// which the embedded engine leaves at "." (the working directory).
    /// </summary>
    public static string LocalRoot()
    {
        var root = Path.Combine(Directory.GetCurrentDirectory(), "iceberg-scratch", $"{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        return root;
    }

    public static IcebergWarehouse Reopen(IcebergWarehouse warehouse) =>
        new(warehouse.Catalog, warehouse.Store, warehouse.WriterSettings, TimeProvider.System);

    public static async Task<(IcebergWarehouse Warehouse, string Bucket)> S3Async()
    {
        var bucket = S3rverServer.NewBucketName("ice");
        using (var client = S3Client())
        {
            await client.PutBucketAsync(bucket);
        }

        var root = TestPaths.NewScratchFolder("iceberg-s3");
        var options = new S3StorageOptions { Endpoint = S3rverServer.ServiceUrl, PathStyle = true, S3Compatible = true };
        var store = new S3ObjectStore($"s3://{bucket}/warehouse", options, new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey));
        var warehouse = new IcebergWarehouse(IcebergModule.SqliteCatalog("k2", Path.Combine(root, "catalog.db")), store, SmallFiles, TimeProvider.System);
        await warehouse.StartAsync();
        return (warehouse, bucket);
    }

    public static AmazonS3Client S3Client() => new(new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey), new AmazonS3Config
    {
        ServiceURL = S3rverServer.ServiceUrl,
        ForcePathStyle = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>The table function chDB reads the table with.</summary>
    public static string ChDbSource(IcebergTable table)
    {
        var location = table.Metadata.Location;
        if (location.StartsWith("file:", StringComparison.Ordinal)) { return $"icebergLocal('{LocalObjectStore.ToPath(location)}')"; }
        var (bucket, key) = S3ObjectStore.Split(location);
        return $"icebergS3('{S3rverServer.ServiceUrl}/{bucket}/{key}/', '{S3rverServer.AccessKey}', '{S3rverServer.SecretKey}')";
    }

    public static string Query(string sql) => EmbeddedClickHouse.Engine.QueryText(sql).TrimEnd('\n');
}
