using K2.ClickHouse.Gateway;
using K2.Tests.Support;

namespace K2.Tests.ClickHouse;

[TestFixture]
public sealed class EmbeddedGatewayContractTests : GatewayContract
{
    protected override IClickHouseGateway CreateGateway() => new EmbeddedClickHouseGateway(EmbeddedClickHouse.Engine);
}

/// <summary>Runs only when K2_TEST_CLICKHOUSE_URL names a ClickHouse server (e.g. http://localhost:8123); ignored otherwise.</summary>
[TestFixture]
public sealed class HttpGatewayContractTests_IgnoredWithoutK2TestClickHouseUrl : GatewayContract
{
    protected override IClickHouseGateway CreateGateway()
    {
        var url = Environment.GetEnvironmentVariable("K2_TEST_CLICKHOUSE_URL");
        if (string.IsNullOrWhiteSpace(url)) { Assert.Ignore("K2_TEST_CLICKHOUSE_URL is not set: no ClickHouse server to run the HTTP contract against."); }
        return HttpClickHouseGateway.Create(url, Environment.GetEnvironmentVariable("K2_TEST_CLICKHOUSE_USER") ?? "default", Environment.GetEnvironmentVariable("K2_TEST_CLICKHOUSE_PASSWORD"), TimeSpan.FromMinutes(10), "default");
    }
}
