using K2.Core.Trades;
using K2.Instruments;
using K2.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace K2.Tests.Instruments;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class InstrumentsHotReloadTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(2);

    private string _folder = null!;
    private string _path = null!;
    private InstrumentRegistry _registry = null!;
    private InstrumentsFileWatcher _watcher = null!;
    private readonly List<InstrumentChange> _changes = [];

    [SetUp]
    public async Task StartWatching()
    {
        _folder = TestPaths.NewScratchFolder("instruments");
        _path = Path.Combine(_folder, "instruments.yaml");
        await File.WriteAllTextAsync(_path, "exchanges:\n  binance:\n    symbols: [BTCUSDT, ETHUSDT]\n");
        _registry = new InstrumentRegistry(InstrumentsFileParser.ParseFile(_path), _path, NullLogger<InstrumentRegistry>.Instance);
        _registry.Subscribe(change => { lock (_changes) { _changes.Add(change); } });
        _watcher = new InstrumentsFileWatcher(_registry, Options.Create(new InstrumentsOptions { PollIntervalMilliseconds = 500 }));
        await _watcher.StartAsync(CancellationToken.None);
    }

    [TearDown]
    public async Task StopWatching()
    {
        await _watcher.StopAsync(CancellationToken.None);
        _watcher.Dispose();
    }

    [Test]
    public async Task An_edit_in_place_is_applied_within_two_seconds_with_the_added_and_removed_set()
    {
        await File.WriteAllTextAsync(_path, "exchanges:\n  binance:\n    symbols: [BTCUSDT, SOLUSDT]\n");

        var change = await NextChange();
        change.Added.Select(i => i.Symbol).Should().Equal("SOLUSDT");
        change.Removed.Select(i => i.Symbol).Should().Equal("ETHUSDT");
        _registry.Current.For(Exchange.Binance).Select(i => i.Symbol).Should().Equal("BTCUSDT", "SOLUSDT");
    }

    [Test]
    public async Task An_atomic_rename_over_the_file_is_applied()
    {
        var temporary = Path.Combine(_folder, ".instruments.yaml.tmp");
        await File.WriteAllTextAsync(temporary, "exchanges:\n  kraken:\n    symbols: [XDG/USD]\n");
        File.Move(temporary, _path, overwrite: true);

        var change = await NextChange();
        change.Added.Should().ContainSingle().Which.Canonical.Should().Be("DOGE/USD");
        change.Removed.Should().HaveCount(2);
    }

    [Test]
    public async Task A_symlink_swap_like_a_config_map_is_applied()
    {
        // Kubernetes mounts the file through a symlink into a folder that is swapped atomically.
        var v1 = Directory.CreateDirectory(Path.Combine(_folder, "v1")).FullName;
        var v2 = Directory.CreateDirectory(Path.Combine(_folder, "v2")).FullName;
        await File.WriteAllTextAsync(Path.Combine(v1, "instruments.yaml"), await File.ReadAllTextAsync(_path));
        await File.WriteAllTextAsync(Path.Combine(v2, "instruments.yaml"), "exchanges:\n  coinbase:\n    symbols: [BTC-USD]\n");
        File.Delete(_path);
        File.CreateSymbolicLink(_path, Path.Combine(v1, "instruments.yaml"));
        var link = Path.Combine(_folder, "next-link");
        File.CreateSymbolicLink(link, Path.Combine(v2, "instruments.yaml"));
        File.Move(link, _path, overwrite: true);

        var change = await NextChange();
        change.Added.Should().ContainSingle().Which.Exchange.Should().Be(Exchange.Coinbase);
    }

    [Test]
    public async Task An_invalid_edit_keeps_the_last_good_registry_and_a_later_fix_applies()
    {
        var before = _registry.Current;
        await File.WriteAllTextAsync(_path, "exchanges:\n  binance:\n    symbols: [BTCUSDT, BTCUSDT]\n");
        await Eventually.Holds(() => ReadGauge("k2_instruments_file_valid") == 0, Within, "invalid edit noticed");

        _registry.Current.Should().BeSameAs(before);
        _changes.Should().BeEmpty();

        await File.WriteAllTextAsync(_path, "exchanges:\n  binance:\n    symbols: [BTCUSDT]\n");
        var change = await NextChange();
        change.Removed.Select(i => i.Symbol).Should().Equal("ETHUSDT");
        ReadGauge("k2_instruments_file_valid").Should().Be(1);
    }

    private async Task<InstrumentChange> NextChange()
    {
        await Eventually.Holds(() => { lock (_changes) { return _changes.Count > 0; } }, Within, "instrument change");
        lock (_changes) { return _changes[0]; }
    }

    private static double ReadGauge(string name)
    {
        using var stream = new MemoryStream();
        Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        var line = text.Split('\n').First(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
