using K2.ClickHouse.Gateway;
using K2.Core.Configuration;
using K2.Core.Hosting;
using K2.Offload;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.ClickHouse;
using K2.Tests.Iceberg;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Tests.Offload;

/// <summary>The offload's public services as the verbs compose them: on demand, the rewrite for the audit, the host's memory policy.</summary>
public sealed class OffloadServicesTests
{
    [Test]
    public async Task On_demand_the_module_offloads_through_its_public_service_whatever_Enabled_says_and_tells_the_memory_policy_once_a_run()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(200, HotTrades.Day, TimeSpan.FromSeconds(5));
        var memory = new CountingMemoryPolicy();
        await using var services = Services(rig, JobHosting.OnDemand, memory);

        var runs = services.GetRequiredService<IOffloadOnDemand>();
        var first = await runs.RunAsync([ColdTables.Silver]);
        var second = await runs.RunAsync([ColdTables.Silver]);

        first.Should().ContainSingle().Which.Outcome.Should().Be(OffloadOutcome.Committed);
        second.Should().ContainSingle().Which.Outcome.Should().Be(OffloadOutcome.UpToDate);
        memory.Calls.Should().Be(2, "the host is told when each run ends");
        services.GetRequiredService<ICandleRewrite>().Should().BeSameAs(runs, "one runner serves the verbs and the audit");
    }

    [Test]
    public async Task Scheduled_and_disabled_the_module_registers_no_offload()
    {
        await using var rig = await OffloadRig.StartAsync();

        await using var services = Services(rig, JobHosting.Scheduled, new CountingMemoryPolicy());

        services.GetService<IOffloadOnDemand>().Should().BeNull();
        services.GetService<ICandleRewrite>().Should().BeNull();
    }

    [Test]
    public async Task A_rewrite_of_a_table_that_holds_no_candles_is_refused()
    {
        await using var rig = await OffloadRig.StartAsync();
        ICandleRewrite rewrite = rig.NewRunner();

        var act = () => rewrite.RewriteAsync(ColdTables.Silver, HotTrades.Day, HotTrades.Day.AddDays(1));

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*silver_trades is not a candle table*");
    }

    /// <summary>The offload on the rig's hot tier and a fresh local warehouse, with <c>Modules:Offload:Enabled=false</c>.</summary>
    private static ServiceProvider Services(OffloadRig rig, JobHosting hosting, IMemoryPolicy memory)
    {
        var folder = TestWarehouses.LocalRoot();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Modules:Offload:Enabled"] = "false",
            ["Modules:Offload:IngestionMarginSeconds"] = "0",
            ["Iceberg:SqlitePath"] = Path.Combine(folder, "catalog.db"),
            ["Iceberg:Warehouse"] = Path.Combine(folder, "warehouse"),
        }).Build();
        var services = new ServiceCollection().AddLogging()
            .AddSingleton<IClickHouseGateway>(HotTier.Gateway)
            .AddSingleton(rig.Hot.Settings)
            .AddSingleton(memory)
            .AddOffload(configuration, hosting);
        services.GetConfigurationProblems().All.Should().BeEmpty();
        return services.BuildServiceProvider();
    }

    private sealed class CountingMemoryPolicy : IMemoryPolicy
    {
        public int Calls { get; private set; }

        public void LargeJobFinished() => Calls++;
    }
}
