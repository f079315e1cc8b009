using System.Text;
using K2.ClickHouse;
using K2.ClickHouse.Embedded;
using K2.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.ClickHouse;

public sealed class ChDbEngineTests
{
    private static ChDbEngine Engine => EmbeddedClickHouse.Engine;

    [Test]
    public void A_query_returns_the_engine_output_in_the_requested_format()
    {
        Engine.QueryText("SELECT 1 + 2 AS x, 'k2' AS s", "JSONEachRow").Trim().Should().Be("{\"x\":3,\"s\":\"k2\"}");
        ChDbEngine.LibraryVersion.Should().StartWith("26.7");
    }

    [Test]
    public void A_burst_of_parallel_work_leaves_at_most_the_configured_idle_threads_behind()
    {
        var cap = new EmbeddedClickHouseOptions().MaxIdleThreads;
        Engine.QueryText("SELECT value FROM system.server_settings WHERE name = 'max_thread_pool_free_size'").Trim().Should().Be(cap.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var before = GlobalThreads();

        Engine.QueryText("SELECT count() FROM numbers_mt(100000000) GROUP BY number % 7 SETTINGS max_threads = 128");

        GlobalThreads().Should().BeLessThanOrEqualTo(before + cap, "threads beyond the idle cap end when the burst is over");
    }

    [Test]
    public async Task Releasing_freed_memory_hands_a_large_query_s_memory_back_to_the_system()
    {
        await RunLargeSortAsync();
        var held = Rss();

        await HotTier.Gateway.ReleaseFreedMemoryAsync();

        (held - Rss()).Should().BeGreaterThan(100L << 20, "the engine's allocator kept the sort's memory until asked to return it");
    }

    [Test]
    public async Task The_memory_releaser_hands_freed_memory_back_within_its_period()
    {
        var options = new ClickHouseOptions();
        await RunLargeSortAsync();
        var held = Rss();

        using var releaser = new EmbeddedMemoryReleaser(HotTier.Gateway, options, TimeProvider.System, NullLogger<EmbeddedMemoryReleaser>.Instance);
        await releaser.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Holds(() => Task.FromResult(held - Rss() > 100L << 20), TimeSpan.FromSeconds(options.Embedded.ReleaseMemorySeconds + 2), "the sort's memory returned");
        }
        finally
        {
            await releaser.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task The_engine_s_memory_comes_in_huge_pages_when_the_kernel_grants_them_on_request()
    {
        // In the kernel's "always" mode every process gets them, so only "madvise" shows that the engine asked.
        Assume.That(File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled"), Does.Contain("[madvise]"));

        await RunLargeSortAsync();

        HugePages().Should().BeGreaterThan(64L << 20, "the sort's memory was allocated in 2 MiB pages");
    }

    private static long HugePages() => 1024 * long.Parse(
        File.ReadLines("/proc/self/smaps_rollup").Single(l => l.StartsWith("AnonHugePages:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
        System.Globalization.CultureInfo.InvariantCulture);

    private static Task RunLargeSortAsync() =>
        HotTier.Gateway.ExecuteAsync("SELECT count() FROM (SELECT number, toString(number) AS s FROM numbers(4000000) ORDER BY s LIMIT 1 BY s)");

    [Test]
    public async Task Parts_a_merge_replaced_are_removed_within_seconds()
    {
        var db = EmbeddedClickHouse.NewDatabase();
        Engine.Execute($"CREATE TABLE {db}.t (id UInt64) ENGINE = MergeTree ORDER BY id");
        for (var i = 0; i < 20; i++) { Engine.Execute($"INSERT INTO {db}.t VALUES ({i})"); }
        Engine.Execute($"OPTIMIZE TABLE {db}.t FINAL");
        Engine.QueryText($"SELECT count() FROM system.parts WHERE database = '{db}' AND active").Trim().Should().Be("1", "the merge replaced the twenty inserted parts");

        // The engine's default (30 s, backing off to 300) kept a minute of replaced parts in memory under streaming inserts.
        await Eventually.Holds(() => Task.FromResult(ReplacedParts(db) == 0), TimeSpan.FromSeconds(15), "the replaced parts removed");
    }

    private static int ReplacedParts(string db) =>
        int.Parse(Engine.QueryText($"SELECT count() FROM system.parts WHERE database = '{db}' AND NOT active").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static long Rss() => long.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    [Test]
    public void A_table_round_trips_exact_decimals()
    {
        var db = EmbeddedClickHouse.NewDatabase();
        Engine.Execute($"CREATE TABLE {db}.t (id UInt64, price Decimal(38, 18)) ENGINE = MergeTree ORDER BY id");
        Engine.Execute($"INSERT INTO {db}.t VALUES (1, '70215.50000000'), (2, '0.000000000123456789')");

        Engine.QueryText($"SELECT id, toString(price) FROM {db}.t ORDER BY id").Should().Be("1\t70215.5\n2\t0.000000000123456789\n");
    }

    private static int GlobalThreads() =>
        int.Parse(Engine.QueryText("SELECT value FROM system.metrics WHERE metric = 'GlobalThread'").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public void An_error_carries_the_server_code_and_text()
    {
        var act = () => Engine.Execute("SELECT * FROM no_such_database_k2.no_such_table");

        var error = act.Should().Throw<ChDbException>().Which;
        error.Code.Should().Be(81);
        error.ErrorName.Should().Be("UNKNOWN_DATABASE");
        error.Message.Should().Contain("no_such_database_k2");
    }

    [Test]
    public void An_empty_result_is_an_empty_buffer()
    {
        Engine.Query("SELECT 1 WHERE 0", "JSONEachRow").Should().BeEmpty();
        Engine.Query("SELECT 1 WHERE 0", "RowBinary").Should().BeEmpty();
    }

    [Test]
    public void Parameters_are_bound_by_the_engine_not_interpolated()
    {
        var parameters = new Dictionary<string, string> { ["name"] = "x'); DROP TABLE y; --", ["n"] = "41" };

        Engine.QueryText("SELECT {name:String}, {n:UInt32} + 1", "TabSeparated", parameters).Should().Be("x\\'); DROP TABLE y; --\t42\n");
    }

    [Test]
    public void A_streamed_result_arrives_in_chunks_and_matches_the_whole()
    {
        const int rows = 3_000_000;
        using var stream = Engine.Stream($"SELECT number FROM numbers({rows})", "RowBinary");
        var buffer = new byte[64 * 1024];
        long bytes = 0, sum = 0;
        var carry = 0;
        int read;
        while ((read = stream.Read(buffer, carry, buffer.Length - carry)) > 0)
        {
            var available = carry + read;
            var whole = available / 8 * 8;
            for (var i = 0; i < whole; i += 8) { sum += BitConverter.ToInt64(buffer, i); }
            carry = available - whole;
            Array.Copy(buffer, whole, buffer, 0, carry);
            bytes += read;
        }

        bytes.Should().Be(rows * 8L);
        sum.Should().Be((long)rows * (rows - 1) / 2);
    }

    [Test]
    public void A_stream_disposed_early_frees_the_connection()
    {
        using (var stream = Engine.Stream("SELECT number FROM numbers(100000000)", "TabSeparated"))
        {
            stream.ReadExactly(new byte[100]);
        }

        Engine.QueryText("SELECT 42").Should().Be("42\n");
    }

    [Test]
    public void An_error_while_starting_a_stream_is_raised_and_releases_the_connection()
    {
        var act = () => Engine.Stream("SELECT broken syntax here(", "TabSeparated");

        act.Should().Throw<ChDbException>().Which.Code.Should().Be(62);
        Engine.QueryText("SELECT 7").Should().Be("7\n");
    }

    [Test]
    public async Task Concurrent_callers_share_the_one_connection_safely()
    {
        var db = EmbeddedClickHouse.NewDatabase();
        Engine.Execute($"CREATE TABLE {db}.c (worker UInt32, n UInt32) ENGINE = MergeTree ORDER BY (worker, n)");

        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; n < 25; n++)
            {
                await Engine.QueryAsync($"INSERT INTO {db}.c VALUES ({worker}, {n})");
                var echoed = Encoding.UTF8.GetString(await Engine.QueryAsync($"SELECT {worker * 1000 + n}"));
                echoed.Should().Be($"{worker * 1000 + n}\n");
            }
        }));
        await Task.WhenAll(workers);

        Engine.QueryText($"SELECT count(), uniqExact(worker, n) FROM {db}.c").Should().Be("200\t200\n");
    }

    [Test]
    public void A_second_storage_path_in_one_process_is_refused()
    {
        _ = Engine;
        var act = () => ChDbEngine.Open(TestPaths.NewScratchFolder("other-chdb"));

        act.Should().Throw<InvalidOperationException>().WithMessage("*one storage path per process*");
    }
}
