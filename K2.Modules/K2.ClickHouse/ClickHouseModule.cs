using K2.ClickHouse.Embedded;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.HttpInterface;
using K2.ClickHouse.Operations;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Core.Health;
using K2.Core.Http;
using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Core.Trades;
using K2.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.ClickHouse;

public static class ClickHouseModule
{
    /// <summary>The key of the HTTP interface's <see cref="ModuleListener"/> among the keyed services.</summary>
    public const string HttpInterfaceListenerKey = "clickhouse-http";

    /// <summary>The ClickHouse hot tier. <c>Modules:ClickHouse:Enabled</c>.</summary>
    public static IServiceCollection AddClickHouse(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<ClickHouseOptions>(configuration, ClickHouseOptions.SectionName);
        if (!options.Enabled) { return services; }

        if (options.Mode == ClickHouseMode.Embedded)
        {
            var dataPath = K2Paths.UnderDataDir(configuration, options.Embedded.DataPath, "clickhouse");
            var libraryPath = string.IsNullOrWhiteSpace(options.Embedded.LibraryPath) ? null : K2Paths.Resolve(configuration, options.Embedded.LibraryPath);
            // chDB's icebergLocal reads local files only under the process's working directory (it ignores
            // user_files_path): the host puts the process in the data folder (Process:WorkingDirectory).
            services.AddSingleton(sp =>
            {
                var kafka = KafkaNamedCollection.Define(options.Kafka.NamedCollection, sp.GetRequiredService<KafkaConnection>().Security);
                return ChDbEngine.Open(dataPath, libraryPath, options.Embedded.ServerSettings(), [kafka]);
            });
            services.AddSingleton<IClickHouseGateway>(sp => new EmbeddedClickHouseGateway(sp.GetRequiredService<ChDbEngine>()));
            if (options.Embedded.ReleaseMemorySeconds > 0) { services.AddHostedService<EmbeddedMemoryReleaser>(); }
        }
        else
        {
            services.AddSingleton<IClickHouseGateway>(_ => HttpClickHouseGateway.Create(
                options.Http.Url, options.Http.Username, Environment.GetEnvironmentVariable(options.Http.PasswordVariable), TimeSpan.FromSeconds(options.Http.TimeoutSeconds), options.Database));
        }

        services.AddSingleton(sp =>
        {
            var kafka = sp.GetRequiredService<KafkaConnection>();
            return new HotTierSettings(options, kafka.Topics, () => EngineBrokers(kafka, options))
            {
                KafkaOffsetsRestart = options.Kafka.Brokers.Length == 0 && kafka.OffsetsRestartWithProcess,
            };
        });
        services.AddSingleton<HotTierSchema>();
        services.AddSingleton<CandleRepair>();
        services.AddSingleton<SilverCatchUp>();
        services.AddSingleton<DuplicateReport>();
        services.AddSingleton<ITradeResumePoints, HotTierResumePoints>();
        services.AddSingleton<HotTierHealth>();
        services.AddSingleton(sp =>
        {
            var kafka = sp.GetRequiredService<KafkaConnection>();
            return new KafkaConsumerLag(sp.GetRequiredService<HotTierSettings>(), kafka, () => DaemonBrokers(kafka, options));
        });
        services.AddSingleton<ConsumerHealth>();
        services.AddHostedService<HotTierStarter>();
        services.AddHostedService<HotTierHealthPoller>();
        if (options.CandleCheck.IntervalSeconds > 0) { services.AddSingleton<CandleCheck>().AddHostedService(sp => sp.GetRequiredService<CandleCheck>()); }
        services.AddSingleton<IReadinessCheck, HotTierReadiness>();
        services.AddSingleton<IStatusContributor, HotTierStatus>();
        if (options.HttpInterface.Enabled && options.Mode == ClickHouseMode.Embedded) { AddHttpInterface(services, configuration, options); }
        return services;
    }

    /// <summary>The read-only HTTP interface over the embedded engine, on its own listener, started after the hot tier's schema.</summary>
    private static void AddHttpInterface(IServiceCollection services, IConfiguration configuration, ClickHouseOptions options)
    {
        var http = options.HttpInterface;
        ListenAddress.TryParse(http.Listen, out var endpoint);
        if (endpoint is not null && !ListenAddress.IsLoopback(endpoint) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(http.PasswordVariable)))
        {
            services.GetConfigurationProblems().AddForKey($"{ClickHouseOptions.SectionName}:HttpInterface:Listen",
                $"'{http.Listen}' is reachable from other machines but environment variable {http.PasswordVariable} (HttpInterface:PasswordVariable) is empty; set a password or listen on 127.0.0.1");
            return;
        }

        services.AddIceberg(configuration);
        services.AddSingleton(sp => new ColdTableMirror(sp.GetRequiredService<IcebergWarehouse>(), http.ColdDatabase,
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<ColdTableMirror>>()));
        services.AddSingleton(sp => new ClickHouseHttpInterface(sp.GetRequiredService<ChDbEngine>(), http,
            http.DefaultDatabase.Length > 0 ? http.DefaultDatabase : options.Database, sp.GetRequiredService<ColdTableMirror>(), sp.GetRequiredService<ILogger<ClickHouseHttpInterface>>()));
        services.AddKeyedSingleton(HttpInterfaceListenerKey, (sp, _) => new ModuleListener(HttpInterfaceListenerKey, endpoint!,
            app => sp.GetRequiredService<ClickHouseHttpInterface>().Map(app), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => new HttpInterfaceStarter(sp.GetRequiredKeyedService<ModuleListener>(HttpInterfaceListenerKey), http,
            http.DefaultDatabase.Length > 0 ? http.DefaultDatabase : options.Database, sp.GetRequiredService<ILogger<HttpInterfaceStarter>>()));
    }

    /// <summary>
    /// The brokers the Kafka engine connects to: <c>Modules:ClickHouse:Kafka:Brokers</c> when set (the
    /// server may reach Kafka on another address than the daemon), else the daemon's own Kafka brokers.
    /// </summary>
    private static string EngineBrokers(KafkaConnection kafka, ClickHouseOptions options) =>
        options.Kafka.Brokers.Length > 0 ? options.Kafka.Brokers : kafka.BootstrapServers ?? NoBrokers();

    /// <summary>Where the daemon itself reaches Kafka (for measuring lag): its own brokers first.</summary>
    private static string DaemonBrokers(KafkaConnection kafka, ClickHouseOptions options) =>
        kafka.BootstrapServers ?? (options.Kafka.Brokers.Length > 0 ? options.Kafka.Brokers : NoBrokers());

    private static string NoBrokers() => throw new InvalidOperationException(
        $"{ClickHouseOptions.SectionName}:Kafka:Brokers is empty and the Kafka module is disabled: set the host:port list the ClickHouse server reaches Kafka at.");
}
