using System.Runtime.InteropServices;

namespace K2.Core.Native;

/// <summary>
/// The process's native environment, which a native library (chDB, librdkafka) reads; <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// changes only .NET's own copy.
/// </summary>
public static partial class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/>; with <paramref name="overwrite"/> false a value already there is kept.</summary>
    public static void Set(string name, string value, bool overwrite)
    {
        if (SetEnv(name, value, overwrite ? 1 : 0) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
