using System.Runtime.InteropServices;

namespace K2.ClickHouse.Embedded;

/// <summary>
/// The subset of chDB's C API (programs/local/chdb.h, libchdb 26.7) that K2 uses.
/// Handles are opaque pointers; the library is resolved by <see cref="ChDbLibrary"/>.
/// </summary>
internal static partial class ChDbNative
{
    public const string Library = "chdb";

    [LibraryImport(Library, EntryPoint = "chdb_set_signal_handlers_enabled")]
    public static partial void SetSignalHandlersEnabled(int enabled);

    [LibraryImport(Library, EntryPoint = "chdb_version")]
    public static partial IntPtr Version();

    /// <returns>A <c>chdb_connection*</c> (pointer to the connection handle), or null on failure.</returns>
    [LibraryImport(Library, EntryPoint = "chdb_connect")]
    public static partial IntPtr Connect(int argc, IntPtr[] argv);

    [LibraryImport(Library, EntryPoint = "chdb_close_conn")]
    public static partial void CloseConnection(IntPtr connectionPointer);

    [LibraryImport(Library, EntryPoint = "chdb_query_n")]
    public static unsafe partial IntPtr QueryN(IntPtr connection, byte* query, nuint queryLength, byte* format, nuint formatLength);

    [LibraryImport(Library, EntryPoint = "chdb_query_with_params_n")]
    public static unsafe partial IntPtr QueryWithParamsN(
        IntPtr connection, byte* query, nuint queryLength, byte* format, nuint formatLength,
        IntPtr* names, nuint* nameLengths, IntPtr* values, nuint* valueLengths, nuint count);

    [LibraryImport(Library, EntryPoint = "chdb_stream_query_n")]
    public static unsafe partial IntPtr StreamQueryN(IntPtr connection, byte* query, nuint queryLength, byte* format, nuint formatLength);

    [LibraryImport(Library, EntryPoint = "chdb_stream_query_with_params_n")]
    public static unsafe partial IntPtr StreamQueryWithParamsN(
        IntPtr connection, byte* query, nuint queryLength, byte* format, nuint formatLength,
        IntPtr* names, nuint* nameLengths, IntPtr* values, nuint* valueLengths, nuint count);

    [LibraryImport(Library, EntryPoint = "chdb_stream_fetch_result")]
    public static partial IntPtr StreamFetchResult(IntPtr connection, IntPtr streamResult);

    [LibraryImport(Library, EntryPoint = "chdb_stream_cancel_query")]
    public static partial void StreamCancelQuery(IntPtr connection, IntPtr streamResult);

    [LibraryImport(Library, EntryPoint = "chdb_destroy_query_result")]
    public static partial void DestroyQueryResult(IntPtr result);

    [LibraryImport(Library, EntryPoint = "chdb_result_buffer")]
    public static partial IntPtr ResultBuffer(IntPtr result);

    [LibraryImport(Library, EntryPoint = "chdb_result_length")]
    public static partial nuint ResultLength(IntPtr result);

    [LibraryImport(Library, EntryPoint = "chdb_result_rows_read")]
    public static partial ulong ResultRowsRead(IntPtr result);

    [LibraryImport(Library, EntryPoint = "chdb_result_rows_written")]
    public static partial ulong ResultRowsWritten(IntPtr result);

    [LibraryImport(Library, EntryPoint = "chdb_result_bytes_read")]
    public static partial ulong ResultBytesRead(IntPtr result);

    [LibraryImport(Library, EntryPoint = "chdb_result_elapsed")]
    public static partial double ResultElapsed(IntPtr result);

    [LibraryImport(Library, EntryPoint = "chdb_result_error")]
    public static partial IntPtr ResultError(IntPtr result);
}
