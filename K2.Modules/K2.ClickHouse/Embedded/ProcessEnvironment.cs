using System.Runtime.InteropServices;

namespace K2.ClickHouse.Embedded;

/// <summary>
/// The native process environment, which a native library reads when it loads; <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// changes only .NET's own copy.
/// </summary>
internal static partial class ProcessEnvironment
{
    public static void SetUnlessSet(string name, string value)
    {
        if (SetEnv(name, value, overwrite: 0) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
