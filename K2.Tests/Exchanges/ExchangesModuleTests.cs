using K2.Core.Configuration;
using K2.Core.Health;
using K2.Core.Trades;
using K2.Exchanges;
using K2.Instruments;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Exchanges;

public sealed class ExchangesModuleTests
{
    private static (ServiceCollection Services, IReadOnlyList<string> Problems) Register(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddExchanges(configuration);
        return (services, services.GetConfigurationProblems().All);
    }

    [Test]
    public void One_hosted_ingestor_and_readiness_check_per_enabled_exchange()
    {
        var (services, problems) = Register(new() { ["Modules:Exchanges:Kraken:Enabled"] = "false" });
        problems.Should().BeEmpty();
        var sink = new CollectingSink();
        services.AddSingleton<ITradeSink>(sink).AddSingleton<IDeadLetterSink>(sink).AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton<IInstrumentRegistry>(new InstrumentRegistry(FixtureTrades.Instruments, "instruments.yaml", NullLogger<InstrumentRegistry>.Instance));
        using var provider = services.BuildServiceProvider();

        provider.GetServices<IHostedService>().Should().HaveCount(2);
        provider.GetServices<IReadinessCheck>().Select(c => c.Name).Should().BeEquivalentTo("exchange:binance", "exchange:coinbase");
        provider.GetServices<IReadinessCheck>().Should().OnlyContain(c => !c.Check().IsReady, "nothing streams before the ingestors start");
    }

    [Test]
    public void Each_exchange_has_one_adapter_configured_by_its_own_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Modules:Exchanges:Kraken:RestUrl"] = "http://127.0.0.1:1/kraken/",
            ["Modules:Exchanges:Coinbase:SideMeaning"] = "Taker",
        }).Build();
        var services = new ServiceCollection();
        var options = services.AddValidatedOptions<ExchangesOptions>(configuration, ExchangesOptions.SectionName);

        services.GetConfigurationProblems().All.Should().BeEmpty();
        options.Adapters().Select(a => a.Exchange).Should().Equal(ExchangeNames.All, "every exchange of the enum has its folder, and only one");
        foreach (var exchange in ExchangeNames.All)
        {
            options.For(exchange).Exchange.Should().Be(exchange);
            options.Adapter(exchange).Options.Should().BeSameAs(options.For(exchange), $"{exchange}'s adapter is configured by Modules:Exchanges:{exchange}");
        }

        options.Adapter(Exchange.Kraken).Options.RestUrl.Should().Be(new Uri("http://127.0.0.1:1/kraken/"));
        ((K2.Exchanges.Coinbase.CoinbaseOptions)options.Adapter(Exchange.Coinbase).Options).SideMeaning.Should().Be(K2.Exchanges.Coinbase.CoinbaseSideMeaning.Taker);
    }

    [Test]
    public void A_disabled_module_registers_nothing()
    {
        var (services, problems) = Register(new() { ["Modules:Exchanges:Enabled"] = "false" });
        problems.Should().BeEmpty();
        services.Should().NotContain(d => d.ServiceType == typeof(IHostedService));
    }

    [Test]
    public void Bad_settings_are_reported_by_key_with_what_is_allowed()
    {
        var (_, problems) = Register(new()
        {
            ["Modules:Exchanges:ShardIndex"] = "3",
            ["Modules:Exchanges:ShardCount"] = "2",
            ["Modules:Exchanges:Binance:WebSocketUrl"] = "https://example.test",
            ["Modules:Exchanges:Binance:StreamsPerConnection"] = "5000",
            ["Modules:Exchanges:Coinbase:SideMeaning"] = "Sideways",
            ["Modules:Exchanges:Kraken:Snapshots"] = "true",
        });

        problems.Should().Contain(p => p.Contains("Modules:Exchanges:ShardIndex") && p.Contains("below ShardCount"));
        problems.Should().Contain(p => p.Contains("Modules:Exchanges:Binance:WebSocketUrl") && p.Contains("ws://"));
        problems.Should().Contain(p => p.Contains("Modules:Exchanges:Binance:StreamsPerConnection") && p.Contains("1..1024"));
        problems.Should().Contain(p => p.Contains("Modules:Exchanges:Coinbase:SideMeaning") && p.Contains("Maker"));
        problems.Should().Contain(p => p.Contains("Modules:Exchanges:Kraken:Snapshots") && p.Contains("unknown key"));
    }

    [Test]
    public void The_shipped_appsettings_bind_without_problems()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(K2.Tests.Support.TestPaths.RepoRoot, "appsettings.json")).Build();
        var services = new ServiceCollection();
        services.AddExchanges(configuration);
        services.GetConfigurationProblems().All.Should().BeEmpty();
    }
}
