using K2.Core.Configuration;
using K2.Core.Trades;
using K2.Kafka;
using K2.Kafka.Embedded;
using K2.Kafka.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Tests.Kafka;

/// <summary>
/// The Kafka module as the daemon wires it (AddKafka, hosted services started and stopped), over a
/// configuration the test gives. Disposing stops it gracefully, as the host does at shutdown.
/// </summary>
internal sealed class KafkaModuleHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _hosted;
    private bool _stopped;

    private KafkaModuleHost(ServiceProvider services)
    {
        _services = services;
        _hosted = services.GetServices<IHostedService>().ToList();
    }

    /// <param name="cluster">A cluster the test started (to take its brokers down), used as the embedded cluster.</param>
    public static async Task<KafkaModuleHost> StartAsync(string dataDir, IReadOnlyDictionary<string, string?> kafkaSettings, EmbeddedKafkaCluster? cluster = null)
    {
        var settings = new Dictionary<string, string?> { ["Storage:DataDir"] = dataDir };
        foreach (var (key, value) in kafkaSettings) { settings[$"{KafkaOptions.SectionName}:{key}"] = value; }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
        services.AddSingleton(TimeProvider.System);
        if (cluster is not null) { services.AddSingleton(new KafkaBootstrap(cluster)); }
        services.AddKafka(configuration);
        var problems = services.GetConfigurationProblems().All;
        if (problems.Count > 0) { throw new InvalidOperationException(string.Join("; ", problems)); }
        var host = new KafkaModuleHost(services.BuildServiceProvider());
        foreach (var hosted in host._hosted) { await hosted.StartAsync(CancellationToken.None); }
        return host;
    }

    public ITradeSink Trades => _services.GetRequiredService<ITradeSink>();

    public IDeadLetterSink DeadLetters => _services.GetRequiredService<IDeadLetterSink>();

    public KafkaPublisher Publisher => _services.GetRequiredService<KafkaPublisher>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public async Task StopAsync()
    {
        if (_stopped) { return; }
        _stopped = true;
        for (var i = _hosted.Count - 1; i >= 0; i--) { await _hosted[i].StopAsync(CancellationToken.None); }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
    }
}
