using Amazon.S3;
using Amazon.S3.Model;
using K2.Tests.Support;
using Npgsql;

namespace K2.Tests.Operations;

public sealed class TestServerFixturesTests
{
    [Test]
    public async Task The_postgres_fixture_serves_a_real_postgresql_15()
    {
        await using var connection = new NpgsqlConnection(PostgresServer.NewDatabase());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE TABLE w (k text PRIMARY KEY); INSERT INTO w VALUES ('a'); SELECT current_setting('server_version_num')::int, count(*) FROM w", connection);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();

        reader.GetInt32(0).Should().BeInRange(150000, 159999);
        reader.GetInt64(1).Should().Be(1);
    }

    [Test]
    public async Task The_s3rver_fixture_stores_and_returns_objects()
    {
        var config = new AmazonS3Config
        {
            ServiceURL = S3rverServer.ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
        };
        using var s3 = new AmazonS3Client(S3rverServer.AccessKey, S3rverServer.SecretKey, config);
        var bucket = S3rverServer.NewBucketName();
        await s3.PutBucketAsync(bucket);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "a/b.txt", ContentBody = "k2", UseChunkEncoding = false });

        using var response = await s3.GetObjectAsync(bucket, "a/b.txt");
        using var reader = new StreamReader(response.ResponseStream);
        (await reader.ReadToEndAsync()).Should().Be("k2");
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key).Should().Equal("a/b.txt");
    }
}
