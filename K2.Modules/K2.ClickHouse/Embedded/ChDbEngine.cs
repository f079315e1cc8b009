using System.Runtime.InteropServices;
using System.Text;
using System.Xml.Linq;

namespace K2.ClickHouse.Embedded;

/// <summary>
/// The embedded ClickHouse engine (chDB): one connection per process, shared by every caller.
/// A connection runs one statement at a time, so calls are serialized; a streaming result holds
/// the connection until it is disposed.
/// </summary>
public sealed class ChDbEngine : IDisposable
{
    private static readonly Lock SharedGate = new();
    private static ChDbEngine? _shared;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IntPtr _connectionPointer;

    private ChDbEngine(string dataPath, IntPtr connectionPointer)
    {
        DataPath = dataPath;
        _connectionPointer = connectionPointer;
    }

    /// <summary>The engine's storage folder.</summary>
    public string DataPath { get; }

    /// <summary>Version string of the loaded libchdb.</summary>
    public static string? LibraryVersion => Marshal.PtrToStringUTF8(ChDbNative.Version());

    /// <summary>
    /// Opens (once per process) the engine on <paramref name="dataPath"/>. Later calls with the same
    /// path return the same engine; another path is refused, since chDB keeps one storage path per process.
    /// </summary>
    /// <param name="serverSettings">
    /// Server settings (e.g. <c>max_thread_pool_free_size</c>) for the first open; later opens share that engine. A key
    /// with a dot (<c>merge_tree.cleanup_delay_period</c>) names a setting in a section, which chDB's command line cannot
    /// take: those go to a configuration file written next to the data.
    /// </param>
    /// <param name="namedCollections">
    /// Named collections (<c>&lt;name&gt;&lt;key&gt;value&lt;/key&gt;…&lt;/name&gt;</c>) for the same configuration file, such as
    /// the Kafka engine's connection settings. Defined in the configuration they exist before the tables that use them
    /// are attached, and a secret in them can come from the environment (<c>from_env</c>) instead of a file.
    /// </param>
    public static ChDbEngine Open(string dataPath, string? libraryPath = null, IReadOnlyDictionary<string, string>? serverSettings = null, IReadOnlyList<XElement>? namedCollections = null)
    {
        var fullPath = Path.GetFullPath(dataPath);
        lock (SharedGate)
        {
            if (_shared is not null)
            {
                if (_shared.DataPath != fullPath)
                {
                    throw new InvalidOperationException(
                        $"The embedded ClickHouse engine is already open on {_shared.DataPath}; one storage path per process (asked for {fullPath}).");
                }

                return _shared;
            }

            ChDbLibrary.EnsureLoaded(libraryPath);
            Directory.CreateDirectory(fullPath);

            // ClickHouse's own SIGSEGV handler would swallow .NET's NullReferenceException and hang the process.
            ChDbNative.SetSignalHandlersEnabled(0);
            var bySection = (serverSettings ?? new Dictionary<string, string>()).ToLookup(s => s.Key.Contains('.', StringComparison.Ordinal));
            namedCollections ??= [];
            string[] args =
            [
                "k2", $"--path={fullPath}",
                .. bySection[true].Any() || namedCollections.Count > 0 ? new[] { $"--config-file={WriteConfigFile(fullPath, bySection[true], namedCollections)}" } : [],
                .. bySection[false].Select(s => $"--{s.Key}={s.Value}"),
            ];
            var argv = args.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
            try
            {
                var connection = ChDbNative.Connect(argv.Length, argv);
                if (connection == IntPtr.Zero || Marshal.ReadIntPtr(connection) == IntPtr.Zero)
                {
                    throw new ChDbException($"chdb_connect failed for path {fullPath}");
                }

                _shared = new ChDbEngine(fullPath, connection);
                return _shared;
            }
            finally
            {
                foreach (var arg in argv) { Marshal.FreeCoTaskMem(arg); }
            }
        }
    }

    private static string WriteConfigFile(string dataPath, IEnumerable<KeyValuePair<string, string>> sectioned, IReadOnlyList<XElement> namedCollections)
    {
        var root = new XElement("clickhouse");
        foreach (var section in sectioned.GroupBy(s => s.Key[..s.Key.IndexOf('.', StringComparison.Ordinal)]))
        {
            root.Add(new XElement(section.Key, section.Select(s => new XElement(s.Key[(section.Key.Length + 1)..], s.Value))));
        }

        if (namedCollections.Count > 0) { root.Add(new XElement("named_collections", namedCollections)); }

        var file = Path.Combine(dataPath, "k2-engine-config.xml");
        root.Save(file);
        return file;
    }

    private IntPtr Connection
    {
        get
        {
            ObjectDisposedException.ThrowIf(_connectionPointer == IntPtr.Zero, this);
            return Marshal.ReadIntPtr(_connectionPointer);
        }
    }

    /// <summary>Runs a statement that returns nothing of interest (DDL, INSERT … VALUES, SYSTEM …).</summary>
    public void Execute(string sql) => Query(sql, "TabSeparated");

    /// <summary>Runs a query and returns its whole output in <paramref name="format"/>.</summary>
    public byte[] Query(string sql, string format = "TabSeparated", IReadOnlyDictionary<string, string>? parameters = null)
    {
        _gate.Wait();
        try
        {
            return QueryLocked(sql, format, parameters);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>As <see cref="Query"/>, decoded as UTF-8.</summary>
    public string QueryText(string sql, string format = "TabSeparated", IReadOnlyDictionary<string, string>? parameters = null) =>
        Encoding.UTF8.GetString(Query(sql, format, parameters));

    public async Task<byte[]> QueryAsync(string sql, string format = "TabSeparated", IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => QueryLocked(sql, format, parameters), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Starts a streaming query: output arrives chunk by chunk as the engine produces it, so a large
    /// result never sits whole in memory. The connection is held until the stream is disposed.
    /// </summary>
    public ChDbResultStream Stream(string sql, string format)
    {
        _gate.Wait();
        try
        {
            return StartStream(sql, format, () => _gate.Release());
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    public Task<ChDbResultStream> StreamAsync(string sql, string format, CancellationToken cancellationToken = default) =>
        StreamAsync(sql, format, null, cancellationToken);

    /// <summary>As <see cref="Stream"/>, with <c>{name:Type}</c> query parameters.</summary>
    public async Task<ChDbResultStream> StreamAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => StartStream(sql, format, () => _gate.Release(), parameters), CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    private unsafe ChDbResultStream StartStream(string sql, string format, Action release, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var query = Encoding.UTF8.GetBytes(sql);
        var fmt = Encoding.UTF8.GetBytes(format);
        IntPtr handle;
        if (parameters is null || parameters.Count == 0)
        {
            fixed (byte* q = query)
            fixed (byte* f = fmt)
            {
                handle = ChDbNative.StreamQueryN(Connection, q, (nuint)query.Length, f, (nuint)fmt.Length);
            }
        }
        else
        {
            handle = WithParameters(query, fmt, parameters, streaming: true);
        }

        ThrowIfError(handle, destroy: true);
        return new ChDbResultStream(Connection, handle, release);
    }

    private byte[] QueryLocked(string sql, string format, IReadOnlyDictionary<string, string>? parameters) =>
        RunLocked(sql, format, parameters, CopyBuffer);

    private unsafe T RunLocked<T>(string sql, string format, IReadOnlyDictionary<string, string>? parameters, Func<IntPtr, T> read)
    {
        var query = Encoding.UTF8.GetBytes(sql);
        var fmt = Encoding.UTF8.GetBytes(format);
        IntPtr result;
        if (parameters is null || parameters.Count == 0)
        {
            fixed (byte* q = query)
            fixed (byte* f = fmt)
            {
                result = ChDbNative.QueryN(Connection, q, (nuint)query.Length, f, (nuint)fmt.Length);
            }
        }
        else
        {
            result = WithParameters(query, fmt, parameters, streaming: false);
        }

        try
        {
            ThrowIfError(result, destroy: false);
            return read(result);
        }
        finally
        {
            if (result != IntPtr.Zero) { ChDbNative.DestroyQueryResult(result); }
        }
    }

    private unsafe IntPtr WithParameters(byte[] query, byte[] format, IReadOnlyDictionary<string, string> parameters, bool streaming)
    {
        var count = parameters.Count;
        var handles = new List<GCHandle>(count * 2);
        var names = new IntPtr[count];
        var values = new IntPtr[count];
        var nameLengths = new nuint[count];
        var valueLengths = new nuint[count];
        try
        {
            var i = 0;
            foreach (var (name, value) in parameters)
            {
                var n = Encoding.UTF8.GetBytes(name);
                var v = Encoding.UTF8.GetBytes(value);
                var hn = GCHandle.Alloc(n, GCHandleType.Pinned);
                handles.Add(hn);
                var hv = GCHandle.Alloc(v, GCHandleType.Pinned);
                handles.Add(hv);
                names[i] = hn.AddrOfPinnedObject();
                values[i] = hv.AddrOfPinnedObject();
                nameLengths[i] = (nuint)n.Length;
                valueLengths[i] = (nuint)v.Length;
                i++;
            }

            fixed (byte* q = query)
            fixed (byte* f = format)
            fixed (IntPtr* pn = names)
            fixed (IntPtr* pv = values)
            fixed (nuint* ln = nameLengths)
            fixed (nuint* lv = valueLengths)
            {
                return streaming
                    ? ChDbNative.StreamQueryWithParamsN(Connection, q, (nuint)query.Length, f, (nuint)format.Length, pn, ln, pv, lv, (nuint)count)
                    : ChDbNative.QueryWithParamsN(Connection, q, (nuint)query.Length, f, (nuint)format.Length, pn, ln, pv, lv, (nuint)count);
            }
        }
        finally
        {
            foreach (var handle in handles) { handle.Free(); }
        }
    }

    /// <summary>
    /// Takes the connection for a sequence of statements that must not interleave with anyone else's (a <c>USE</c>, the
    /// query, the <c>USE</c> back), waiting at most <paramref name="timeout"/>; null when the engine stayed busy.
    /// </summary>
    internal async Task<ChDbLease?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_connectionPointer == IntPtr.Zero, this);
        return await _gate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false) ? new ChDbLease(this) : null;
    }

    /// <summary>The connection held by one caller until disposed; its statements run without taking the gate again.</summary>
    internal sealed class ChDbLease(ChDbEngine engine) : IDisposable
    {
        private int _released;

        public byte[] Query(string sql, string format = "TabSeparated", IReadOnlyDictionary<string, string>? parameters = null) =>
            engine.QueryLocked(sql, format, parameters);

        /// <summary>As <see cref="Query"/>, with the rows and bytes the engine read and its elapsed seconds.</summary>
        public ChDbQueryResult QueryWithStatistics(string sql, string format, IReadOnlyDictionary<string, string>? parameters) =>
            engine.RunLocked(sql, format, parameters, static result => new ChDbQueryResult(
                CopyBuffer(result), ChDbNative.ResultRowsRead(result), ChDbNative.ResultBytesRead(result), ChDbNative.ResultElapsed(result)));

        /// <summary>A streaming result on the held connection; disposing it leaves the connection held.</summary>
        public ChDbResultStream Stream(string sql, string format) => engine.StartStream(sql, format, static () => { });

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) { engine._gate.Release(); }
        }
    }

    internal static byte[] CopyBuffer(IntPtr result)
    {
        var length = (long)ChDbNative.ResultLength(result);
        var buffer = ChDbNative.ResultBuffer(result);

        // An empty result comes back as a null buffer.
        if (length == 0 || buffer == IntPtr.Zero) { return []; }
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)length));
        Marshal.Copy(buffer, bytes, 0, bytes.Length);
        return bytes;
    }

    internal static void ThrowIfError(IntPtr result, bool destroy)
    {
        if (result == IntPtr.Zero) { throw new ChDbException("chDB returned no result (connection closed?)"); }
        var error = ChDbNative.ResultError(result);
        if (error == IntPtr.Zero) { return; }
        var message = Marshal.PtrToStringUTF8(error) ?? "unknown chDB error";
        if (string.IsNullOrEmpty(message)) { return; }
        if (destroy) { ChDbNative.DestroyQueryResult(result); }
        throw new ChDbException(message.Trim());
    }

    /// <summary>Closes the connection. The engine is process-wide, so only the host's shutdown should call this.</summary>
    public void Dispose()
    {
        lock (SharedGate)
        {
            if (_connectionPointer == IntPtr.Zero) { return; }
            _gate.Wait();
            ChDbNative.CloseConnection(_connectionPointer);
            _connectionPointer = IntPtr.Zero;
            _gate.Release();
            if (ReferenceEquals(_shared, this)) { _shared = null; }
        }
    }
}
