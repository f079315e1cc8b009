using K2.Iceberg;
using K2.Iceberg.Tables;

namespace K2.Tests.Iceberg;

[TestFixture]
[NonParallelizable]
public sealed class ColdSourceSqlTests
{
    private const string Table = "s3://k2-cold/warehouse/cold/silver_trades";
    private static readonly string AccessVariable = $"K2_TEST_ACCESS_{Guid.NewGuid():N}";
    private static readonly string SecretVariable = $"K2_TEST_SECRET_{Guid.NewGuid():N}";

    [SetUp]
    public void SetCredentials()
    {
        Environment.SetEnvironmentVariable(AccessVariable, "root-access");
        Environment.SetEnvironmentVariable(SecretVariable, "root-secret");
    }

    [TearDown]
    public void ClearCredentials()
    {
        Environment.SetEnvironmentVariable(AccessVariable, null);
        Environment.SetEnvironmentVariable(SecretVariable, null);
    }

    [Test]
    public void With_a_server_named_collection_the_sql_names_it_at_the_server_side_endpoint_and_carries_no_credentials()
    {
        var sql = new ColdSourceSql(Options(collection: "k2_s3")).For(Table);

        sql.Should().Be("icebergS3(k2_s3, url = 'http://minio:9000/k2-cold/warehouse/cold/silver_trades/')");
    }

    [Test]
    public void Credentials_travel_inline_only_where_allowed()
    {
        new ColdSourceSql(Options(), inlineCredentials: true).For(Table).Should().Contain("root-secret");

        var overHttp = new ColdSourceSql(Options(), inlineCredentials: false).For(Table);

        overHttp.Should().Be("icebergS3('http://minio:9000/k2-cold/warehouse/cold/silver_trades/')");
    }

    private static S3StorageOptions Options(string collection = "") => new()
    {
        Endpoint = "http://localhost:19000",
        ServerEndpoint = "http://minio:9000",
        ServerCredentialsCollection = collection,
        AccessKeyVariable = AccessVariable,
        SecretKeyVariable = SecretVariable,
    };
}
