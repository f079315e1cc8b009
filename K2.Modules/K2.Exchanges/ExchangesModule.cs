using K2.Core.Configuration;
using K2.Core.Health;
using K2.Core.Trades;
using K2.Exchanges.Sessions;
using K2.Instruments;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges;

public static class ExchangesModule
{
    /// <summary>
    /// <c>Modules:Exchanges</c>: one hosted ingestor (and readiness check) per enabled exchange
    /// (<c>Modules:Exchanges:&lt;Name&gt;:Enabled</c>). Needs <see cref="IInstrumentRegistry"/>, <see cref="ITradeSink"/>
    /// and <see cref="IDeadLetterSink"/> from the container, serves the <see cref="IFeedBoard"/>, and resumes after restarts from
    /// <see cref="ITradeResumePoints"/> when one is registered (the ClickHouse module's).
    /// </summary>
    public static IServiceCollection AddExchanges(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<ExchangesOptions>(configuration, ExchangesOptions.SectionName);
        if (!options.Enabled) { return services; }

        foreach (var adapter in options.Adapters().Where(a => a.Options.Enabled))
        {
            services.AddSingleton(sp => new ExchangeIngestor(adapter, options, sp.GetRequiredService<IInstrumentRegistry>(), sp.GetRequiredService<ITradeSink>(),
                sp.GetRequiredService<IDeadLetterSink>(), sp.GetService<ITradeResumePoints>(), sp.GetService<TimeProvider>() ?? TimeProvider.System,
                sp.GetRequiredService<ILoggerFactory>()));
            services.AddSingleton<IHostedService>(sp => IngestorOf(sp, adapter.Exchange));
            services.AddSingleton<IReadinessCheck>(sp => IngestorOf(sp, adapter.Exchange));
        }

        services.AddSingleton(sp => new ExchangesStatus(sp.GetServices<ExchangeIngestor>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<IStatusContributor>(sp => sp.GetRequiredService<ExchangesStatus>());
        services.AddSingleton<IFeedBoard>(sp => sp.GetRequiredService<ExchangesStatus>());
        return services;
    }

    private static ExchangeIngestor IngestorOf(IServiceProvider services, Exchange exchange) =>
        services.GetServices<ExchangeIngestor>().First(i => i.Exchange == exchange);
}
