using System.Runtime.InteropServices;

namespace Lumen.Benchmarks;

/// <summary>CPU time consumed by the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>): unlike wall time it
/// does not count the slices other processes take from a shared machine, so single-threaded timings stay stable
/// under load. Meaningless for work spread over several threads.</summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Whether the clock can be read on this OS.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Seconds of CPU time this thread has used so far.</summary>
    public static double Seconds()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out var time) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        return time.Seconds + 1e-9 * time.Nanoseconds;
    }
}
