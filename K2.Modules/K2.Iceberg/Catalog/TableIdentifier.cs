namespace K2.Iceberg.Catalog;

/// <summary>A table name in a catalog: a dot-joined namespace and a table name.</summary>
public sealed record TableIdentifier(string Namespace, string Name)
{
    public static TableIdentifier Parse(string text)
    {
        var dot = text.LastIndexOf('.');
        return dot <= 0 || dot == text.Length - 1
            ? throw new ArgumentException($"'{text}' is not a table name; expected <namespace>.<table>, for example k2.trades")
            : new TableIdentifier(text[..dot], text[(dot + 1)..]);
    }

    public override string ToString() => $"{Namespace}.{Name}";
}

/// <summary>A statement run in the commit's transaction, e.g. the offload's watermark (Dapper parameters).</summary>
public sealed record CommitStatement(string Sql, object? Parameters = null);

/// <summary>The catalog row did not hold the expected metadata location: another writer committed first.</summary>
public sealed class CommitConflictException(string message) : Exception(message);

/// <summary>The commit's transaction failed before committing (e.g. an extra statement failed); the table is unchanged.</summary>
public sealed class CommitFailedException(string message, Exception inner) : Exception(message, inner);

/// <summary>The database failed during the swap and the outcome could not be established; nothing may be cleaned up.</summary>
public sealed class CommitStateUnknownException(string message, Exception inner) : Exception(message, inner);
