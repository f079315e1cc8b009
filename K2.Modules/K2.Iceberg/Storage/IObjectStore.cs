namespace K2.Iceberg.Storage;

/// <summary>An object in a store: its absolute URI, size and last write time.</summary>
public sealed record StoredObject(string Uri, long Size, DateTimeOffset LastModified);

/// <summary>
/// Where table files live. Locations are absolute URIs (<c>file:///…</c> or <c>s3://bucket/key</c>); objects are
/// written once and never overwritten.
/// </summary>
public interface IObjectStore
{
    /// <summary>The URI of the warehouse root this store was configured with.</summary>
    string WarehouseUri { get; }

    /// <summary>
    /// Stores the local file <paramref name="localPath"/> at <paramref name="uri"/> (large files in parts) and removes it
    /// locally: a warehouse on the same file system takes it by a rename instead of a copy.
    /// </summary>
    Task MoveFileAsync(string uri, string localPath, CancellationToken cancellationToken);

    Task PutBytesAsync(string uri, byte[] content, CancellationToken cancellationToken);

    Task<byte[]> ReadAllAsync(string uri, CancellationToken cancellationToken);

    /// <summary>Downloads to a local file (data files are read from local copies).</summary>
    Task DownloadAsync(string uri, string localPath, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string uri, CancellationToken cancellationToken);

    /// <summary>Deletes an object; deleting a missing object is not an error.</summary>
    Task DeleteAsync(string uri, CancellationToken cancellationToken);

    /// <summary>Every object whose URI starts with <paramref name="prefixUri"/>.</summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefixUri, CancellationToken cancellationToken);
}
