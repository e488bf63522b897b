using System.Runtime.InteropServices;

namespace Ledger.Storage.Threads;

/// <summary>
/// The calling thread's CPU priority as a nice value (Linux keeps it per thread: <c>setpriority(PRIO_PROCESS, 0, …)</c>
/// under glibc/NPTL changes only the caller). Raising it needs no privilege; lowering it again does, so use it on
/// threads of your own, not on pool threads.
/// </summary>
public static partial class ThreadNice
{
    private const int PrioProcess = 0;

    /// <summary>The calling thread's nice value, or null where it cannot be read.</summary>
    public static int? Current()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        Marshal.SetLastPInvokeError(0);
        var nice = getpriority(PrioProcess, 0);
        return nice == -1 && Marshal.GetLastPInvokeError() != 0 ? null : nice;
    }

    /// <summary>Sets the calling thread's nice value; false where the platform has none or refused it.</summary>
    public static bool TrySet(int nice) => OperatingSystem.IsLinux() && setpriority(PrioProcess, 0, nice) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, uint who, int prio);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getpriority(int which, uint who);
}
