using Npgsql;

namespace K2.Tests.Support;

/// <summary>
/// PostgreSQL 15 for tests: <c>K2_TEST_POSTGRES</c> (a connection string) when set, else Debian's
/// server started with initdb/pg_ctl in a temp folder (as the postgres user: it refuses root),
/// stopped when the test run ends. Tests isolate themselves by database: <see cref="NewDatabase"/>.
/// </summary>
public static class PostgresServer
{
    private const string BinDir = "/usr/lib/postgresql/15/bin";
    private static readonly Lazy<Instance> Shared = new(StartOrUseExternal, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Connection string of the maintenance database.</summary>
    public static string AdminConnectionString => Shared.Value.ConnectionString;

    /// <summary>Creates a fresh database and returns its connection string.</summary>
    public static string NewDatabase(string prefix = "k2")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    internal static void StopIfStarted()
    {
        if (Shared.IsValueCreated) { Shared.Value.Stop(); }
    }

    private static Instance StartOrUseExternal()
    {
        var external = Environment.GetEnvironmentVariable("K2_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external)) { return new Instance(external, null); }

        if (!File.Exists(Path.Combine(BinDir, "initdb")))
        {
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({BinDir}/initdb missing): apt-get install postgresql-15, or set K2_TEST_POSTGRES");
        }

        var dataDir = Path.Combine("/tmp", $"k2-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(dataDir);
        var asPostgres = Environment.UserName == "root";
        if (asPostgres) { ExternalProcess.Run("chown", "postgres:postgres", dataDir); }

        string[] Command(params string[] args) => asPostgres ? ["-u", "postgres", "--", .. args] : args;
        var runner = asPostgres ? "runuser" : Path.Combine(BinDir, "initdb");
        var initArgs = new[] { Path.Combine(BinDir, "initdb"), "-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8" };
        if (asPostgres) { ExternalProcess.Run(runner, Command(initArgs)); }
        else { ExternalProcess.Run(initArgs[0], initArgs[1..]); }

        var port = ExternalProcess.FreeTcpPort();
        var options = $"-p {port} -k {dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200";
        var startArgs = new[] { Path.Combine(BinDir, "pg_ctl"), "-D", dataDir, "-l", Path.Combine(dataDir, "server.log"), "-o", options, "-w", "start" };
        if (asPostgres) { ExternalProcess.Run("runuser", Command(startArgs)); }
        else { ExternalProcess.Run(startArgs[0], startArgs[1..]); }

        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true";
        return new Instance(connectionString, () =>
        {
            var stopArgs = new[] { Path.Combine(BinDir, "pg_ctl"), "-D", dataDir, "-m", "immediate", "-w", "stop" };
            try
            {
                if (asPostgres) { ExternalProcess.Run("runuser", Command(stopArgs)); }
                else { ExternalProcess.Run(stopArgs[0], stopArgs[1..]); }
            }
            finally
            {
                Directory.Delete(dataDir, recursive: true);
            }
        });
    }

    private sealed class Instance(string connectionString, Action? stop)
    {
        public string ConnectionString { get; } = connectionString;

        public void Stop()
        {
            NpgsqlConnection.ClearAllPools();
            stop?.Invoke();
        }
    }
}
