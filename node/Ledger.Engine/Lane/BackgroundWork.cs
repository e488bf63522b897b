using Ledger.Storage.Threads;

namespace Ledger.Engine.Lane;

/// <summary>
/// Work the node does for itself (state-map checkpoints) on a thread of its own at a lower CPU priority, so that it
/// yields the cores to the sequencer and to queries. The priority is the thread's nice value (Linux keeps it per
/// thread); raising it needs no privilege, lowering it again would, which is why the thread is not a pool thread.
/// </summary>
internal static class BackgroundWork
{
    /// <summary>The nice value of checkpoint threads: a tenth of a normal thread's CPU share when both want a core.</summary>
    public const int CheckpointNice = 10;

    /// <summary>Runs <paramref name="work"/> on a new background thread at <paramref name="nice"/> (0, or a nice value the thread is already above: unchanged).</summary>
    /// <returns>A task that completes when the work has, faulted with its exception if it threw.</returns>
    public static Task Run(string name, int nice, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            // Never above the process's own priority: a node started at a higher nice value keeps it.
            if (nice != 0 && ThreadNice.Current() is { } current && current < nice)
                ThreadNice.TrySet(nice);
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }
}
