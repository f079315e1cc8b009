namespace K2.ClickHouse.Gateway;

public static class ClickHouseGatewayExtensions
{
    /// <summary>The first value of the first row, trimmed.</summary>
    public static async Task<string> QueryScalarAsync(this IClickHouseGateway gateway, string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        var text = await gateway.QueryTextAsync(sql, parameters, "TabSeparated", cancellationToken).ConfigureAwait(false);
        var firstLine = text.Split('\n', 2)[0];
        return firstLine.Split('\t', 2)[0].Trim();
    }

    /// <summary>Rows of a TabSeparated result, each split into its fields.</summary>
    public static async Task<IReadOnlyList<string[]>> QueryRowsAsync(this IClickHouseGateway gateway, string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        var text = await gateway.QueryTextAsync(sql, parameters, "TabSeparated", cancellationToken).ConfigureAwait(false);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToList();
    }

    public static async Task<string> ServerVersionAsync(this IClickHouseGateway gateway, CancellationToken cancellationToken = default) =>
        await gateway.QueryScalarAsync("SELECT version()", cancellationToken: cancellationToken).ConfigureAwait(false);
}
