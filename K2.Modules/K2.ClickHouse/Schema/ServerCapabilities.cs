using System.Text;
using K2.ClickHouse.Gateway;

namespace K2.ClickHouse.Schema;

/// <summary>
/// Checks that a ClickHouse server has every function, table function and setting the enabled modules registered
/// (<see cref="ServerFeature"/>), by name in its own catalogue, so that an older server is refused at start with what
/// it lacks instead of ingesting fine and failing every offload later. The version string alone would not do: builds
/// and forks can lack a feature their version number suggests.
/// </summary>
public static class ServerCapabilities
{
    /// <summary>The oldest ClickHouse that has all of <paramref name="features"/> (and the hot tier's floor).</summary>
    public static Version Minimum(IEnumerable<ServerFeature> features) =>
        features.Select(f => f.Since).Append(ServerVersion.Minimum).Max()!;

    /// <summary>
    /// The features of <paramref name="features"/> the server lacks, read from the tables <c>functions</c>,
    /// <c>table_functions</c> and <c>settings</c> of <paramref name="catalogue"/> (the server's <c>system</c> database).
    /// </summary>
    public static async Task<IReadOnlyList<ServerFeature>> MissingAsync(
        IClickHouseGateway gateway, IEnumerable<ServerFeature> features, string catalogue = "system", CancellationToken cancellationToken = default)
    {
        var wanted = features.Distinct().ToList();
        if (wanted.Count == 0) { return []; }
        SqlIdentifier.Checked(catalogue, nameof(catalogue));
        var queries = wanted.GroupBy(f => f.Kind).Select(group =>
            $"SELECT '{Table(group.Key)}', name FROM {catalogue}.{Table(group.Key)} WHERE name IN ({string.Join(", ", group.Select(f => $"'{SqlIdentifier.Checked(f.Name, "feature")}'").Distinct())})");
        var found = (await gateway.QueryRowsAsync(string.Join("\nUNION ALL\n", queries), cancellationToken: cancellationToken).ConfigureAwait(false))
            .Select(row => (row[0], row[1]))
            .ToHashSet();
        return wanted.Where(f => !found.Contains((Table(f.Kind), f.Name))).ToList();
    }

    /// <summary>Throws <see cref="UnsupportedServerVersionException"/>, one line naming what is missing and the minimum version, when the server lacks any of <paramref name="features"/>.</summary>
    public static async Task EnsureAsync(
        IClickHouseGateway gateway, string serverVersion, IReadOnlyCollection<ServerFeature> features, string catalogue = "system", CancellationToken cancellationToken = default)
    {
        var missing = await MissingAsync(gateway, features, catalogue, cancellationToken).ConfigureAwait(false);
        if (missing.Count > 0) { throw new UnsupportedServerVersionException(Describe(serverVersion, missing, Minimum(features))); }
    }

    private static string Describe(string serverVersion, IReadOnlyList<ServerFeature> missing, Version minimum)
    {
        var text = new StringBuilder($"ClickHouse {serverVersion.Trim()} lacks ");
        text.AppendJoin("; ", missing.OrderBy(f => f.Since).ThenBy(f => f.Name, StringComparer.Ordinal));
        text.Append($". K2 needs ClickHouse {minimum} or newer for the modules enabled here: upgrade the server; nothing was changed.");
        return text.ToString();
    }

    private static string Table(ServerFeatureKind kind) => kind switch
    {
        ServerFeatureKind.Function => "functions",
        ServerFeatureKind.TableFunction => "table_functions",
        _ => "settings",
    };
}
