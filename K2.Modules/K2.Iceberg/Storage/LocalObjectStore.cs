using System.Runtime.CompilerServices;

namespace K2.Iceberg.Storage;

/// <summary>A warehouse in a local folder, addressed by <c>file:///</c> URIs.</summary>
internal sealed class LocalObjectStore : IObjectStore
{
    public LocalObjectStore(string root)
    {
        Directory.CreateDirectory(root);
        WarehouseUri = ToUri(Path.GetFullPath(root)).TrimEnd('/');
    }

    public string WarehouseUri { get; }

    public static string ToUri(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    public static string ToPath(string uri) => uri.StartsWith("file:", StringComparison.Ordinal)
        ? new Uri(uri).LocalPath
        : throw new ArgumentException($"'{uri}' is not a file:// URI; this warehouse is a local folder");

    public Task MoveFileAsync(string uri, string localPath, CancellationToken cancellationToken)
    {
        var target = Prepare(uri);
        File.Move(localPath, target, overwrite: false);
        return Task.CompletedTask;
    }

    public async Task PutBytesAsync(string uri, byte[] content, CancellationToken cancellationToken)
    {
        var target = Prepare(uri);
        var temp = target + ".tmp-" + Guid.NewGuid().ToString("N");
        await File.WriteAllBytesAsync(temp, content, cancellationToken).ConfigureAwait(false);
        // A reader listing the folder must never see a half-written file under its final name.
        File.Move(temp, target, overwrite: false);
    }

    public Task<byte[]> ReadAllAsync(string uri, CancellationToken cancellationToken) => File.ReadAllBytesAsync(ToPath(uri), cancellationToken);

    public Task DownloadAsync(string uri, string localPath, CancellationToken cancellationToken)
    {
        File.Copy(ToPath(uri), localPath, overwrite: true);
        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string uri, CancellationToken cancellationToken) => Task.FromResult(File.Exists(ToPath(uri)));

    public Task DeleteAsync(string uri, CancellationToken cancellationToken)
    {
        File.Delete(ToPath(uri));
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefixUri, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = ToPath(prefixUri);
        var folder = prefix.EndsWith('/') ? prefix : Path.GetDirectoryName(prefix)!;
        if (!Directory.Exists(folder)) { yield break; }
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!path.StartsWith(prefix, StringComparison.Ordinal)) { continue; }
            var info = new FileInfo(path);
            yield return new StoredObject(ToUri(path), info.Length, info.LastWriteTimeUtc);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static string Prepare(string uri)
    {
        var path = ToPath(uri);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
