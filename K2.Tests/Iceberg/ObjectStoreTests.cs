using Amazon.Runtime;
using K2.Iceberg;
using K2.Iceberg.Storage;
using K2.Tests.Support;

namespace K2.Tests.Iceberg;

/// <summary>The S3 store against s3rver (multipart uploads of large files, listing, deleting) and the local store.</summary>
[TestFixture]
public sealed class ObjectStoreTests
{
    [Test]
    public async Task A_file_above_the_multipart_threshold_goes_through_the_multipart_path_and_reads_back_identical()
    {
        var bucket = S3rverServer.NewBucketName("ice");
        using (var client = TestWarehouses.S3Client()) { await client.PutBucketAsync(bucket); }
        var options = new S3StorageOptions
        {
            Endpoint = S3rverServer.ServiceUrl, S3Compatible = true, MultipartThresholdBytes = 5L << 20, MultipartPartSizeBytes = 5L << 20,
        };
        using var store = new S3ObjectStore($"s3://{bucket}/wh", options, new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey));
        var local = Path.Combine(TestPaths.NewScratchFolder("s3"), "big.bin");
        var content = new byte[(11 << 20) + 123];
        new Random(7).NextBytes(content);
        await File.WriteAllBytesAsync(local, content);

        await store.MoveFileAsync($"s3://{bucket}/wh/t/data/big.bin", local, default);

        File.Exists(local).Should().BeFalse();

        (await store.ReadAllAsync($"s3://{bucket}/wh/t/data/big.bin", default)).Should().Equal(content);
        var listed = new List<StoredObject>();
        await foreach (var o in store.ListAsync($"s3://{bucket}/wh/t/", default)) { listed.Add(o); }
        listed.Should().ContainSingle().Which.Size.Should().Be(content.Length);
        await store.DeleteAsync($"s3://{bucket}/wh/t/data/big.bin", default);
        (await store.ExistsAsync($"s3://{bucket}/wh/t/data/big.bin", default)).Should().BeFalse();
    }

    [Test]
    public async Task A_local_warehouse_moves_the_file_in_and_leaves_no_local_copy()
    {
        var root = TestPaths.NewScratchFolder("local-store");
        var store = new LocalObjectStore(Path.Combine(root, "warehouse"));
        var local = Path.Combine(root, "written.parquet");
        await File.WriteAllBytesAsync(local, [1, 2, 3]);
        var uri = $"{store.WarehouseUri}/t/data/written.parquet";

        await store.MoveFileAsync(uri, local, default);

        File.Exists(local).Should().BeFalse();
        var stored = LocalObjectStore.ToPath(uri);
        (await File.ReadAllBytesAsync(stored)).Should().Equal(1, 2, 3);
    }
}
