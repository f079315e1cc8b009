using System.CommandLine;
using System.Globalization;
using K2.Core.Configuration;
using K2.Iceberg;
using K2.Iceberg.Catalog;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Daemon.Cli;

/// <summary><c>k2 iceberg tables | describe &lt;table&gt; | snapshots &lt;table&gt;</c>: K2's Iceberg tables, read-only.</summary>
internal static class IcebergCommand
{
    public static Command Create()
    {
        var command = new Command("iceberg", "Show K2's Iceberg tables (catalog and warehouse from the Iceberg settings)");
        var tables = new Command("tables", "List the tables of the catalog");
        tables.SetAction((_, cancellationToken) => RunAsync(DaemonConfiguration.Build(), w => ListAsync(w, Console.Out, cancellationToken)));
        command.Subcommands.Add(tables);

        foreach (var (name, description, show) in new (string, string, Func<IcebergTable, TextWriter, CancellationToken, Task>)[]
        {
            ("describe", "Schema, partitioning, sort order, properties, current snapshot, data files and sizes", DescribeAsync),
            ("snapshots", "Every retained snapshot with its summary", SnapshotsAsync),
        })
        {
            var table = new Argument<string>("table") { Description = "<namespace>.<table>, e.g. k2.trades" };
            var sub = new Command(name, description) { table };
            sub.SetAction((parse, cancellationToken) => RunAsync(DaemonConfiguration.Build(), async w =>
                await show(await w.LoadTableAsync(TableIdentifier.Parse(parse.GetValue(table)!), cancellationToken), Console.Out, cancellationToken)));
            command.Subcommands.Add(sub);
        }

        return command;
    }

    internal static async Task<int> RunAsync(IConfiguration configuration, Func<IcebergWarehouse, Task> action)
    {
        var services = new ServiceCollection();
        services.AddIceberg(configuration);
        var problems = services.GetConfigurationProblems();
        if (problems.Any) { return ExitCodes.ReportConfigurationProblems(problems.All); }

        await using var provider = services.BuildServiceProvider();
        var warehouse = provider.GetRequiredService<IcebergWarehouse>();
        try
        {
            await warehouse.Catalog.InitializeAsync(CancellationToken.None);
            await action(warehouse);
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"k2 iceberg: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    internal static async Task ListAsync(IcebergWarehouse warehouse, TextWriter output, CancellationToken cancellationToken)
    {
        var tables = await warehouse.ListTablesAsync(cancellationToken);
        output.WriteLine($"{"TABLE",-32} {"SNAPSHOTS",9} {"RECORDS",14}  LOCATION");
        foreach (var identifier in tables)
        {
            var table = await warehouse.LoadTableAsync(identifier, cancellationToken);
            var records = table.Metadata.CurrentSnapshot?.TotalRecords ?? 0;
            output.WriteLine($"{identifier,-32} {table.Metadata.Snapshots.Count,9} {records,14}  {table.Metadata.Location}");
        }

        output.WriteLine($"{tables.Count} table(s) in catalog {warehouse.Catalog.Name} ({warehouse.Catalog.Database}), warehouse {warehouse.Store.WarehouseUri}");
    }

    internal static async Task DescribeAsync(IcebergTable table, TextWriter output, CancellationToken cancellationToken)
    {
        var m = table.Metadata;
        output.WriteLine($"table       {table.Identifier}");
        output.WriteLine($"uuid        {m.TableUuid}");
        output.WriteLine($"location    {m.Location}");
        output.WriteLine($"metadata    {table.MetadataLocation}");
        output.WriteLine($"schema {m.CurrentSchemaId}:");
        foreach (var f in m.CurrentSchema.Fields)
        {
            output.WriteLine($"  {f.Id,4}  {f.Name,-24} {f.Type,-28} {(f.Required ? "required" : "optional")}");
        }

        output.WriteLine($"partitioned by: {Fields(m, m.DefaultSpec)}");
        foreach (var spec in m.PartitionSpecs.Where(s => s.SpecId != m.DefaultSpecId))
        {
            output.WriteLine($"  older files also by spec {spec.SpecId}: {Fields(m, spec)}");
        }

        output.WriteLine($"sorted by: {(m.DefaultSortOrder.Fields.Count == 0 ? "(none)" : string.Join(", ", m.DefaultSortOrder.Fields.Select(s => $"{m.CurrentSchema.Field(s.SourceId).Name} {s.Direction} {s.NullOrder}")))}");
        foreach (var (k, v) in m.Properties.OrderBy(p => p.Key, StringComparer.Ordinal)) { output.WriteLine($"property {k} = {v}"); }
        var current = m.CurrentSnapshot;
        output.WriteLine(current is null ? "snapshot: (none)" : $"snapshot: {current.SnapshotId} ({current.Operation}, {Time(current.TimestampMs)}), {m.Snapshots.Count} retained");
        var files = await table.ListDataFilesAsync(cancellationToken);
        var bytes = files.Sum(f => f.FileSizeInBytes);
        var bySpec = m.PartitionSpecs.Count > 1 ? $"; by spec: {string.Join(", ", files.GroupBy(f => f.SpecId).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}" : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data files: {files.Count}, {files.Sum(f => f.RecordCount)} records, {bytes} bytes (avg {(files.Count == 0 ? 0 : bytes / files.Count)} bytes/file){bySpec}"));
    }

    internal static Task SnapshotsAsync(IcebergTable table, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"{"SNAPSHOT",-20} {"PARENT",-20} {"SEQ",5} {"OPERATION",-10} {"COMMITTED (UTC)",-24} SUMMARY");
        foreach (var s in table.Metadata.Snapshots.OrderBy(s => s.SequenceNumber))
        {
            var summary = string.Join(' ', s.Summary.Where(p => p.Key != "operation").OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
            output.WriteLine($"{s.SnapshotId,-20} {s.ParentSnapshotId?.ToString(CultureInfo.InvariantCulture) ?? "-",-20} {s.SequenceNumber,5} {s.Operation,-10} {Time(s.TimestampMs),-24} {summary}");
        }

        return Task.CompletedTask;
    }

    private static string Fields(TableMetadata m, PartitionSpec spec) =>
        spec.IsUnpartitioned ? "(none)" : string.Join(", ", spec.Fields.Select(p => $"{p.Name} = {p.Transform}({m.CurrentSchema.Field(p.SourceId).Name})"));

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
