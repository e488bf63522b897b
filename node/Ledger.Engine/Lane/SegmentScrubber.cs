using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Ledger.Engine.Lane;

/// <summary>
/// Re-reads the committed blocks' segment frames in the background, at most <c>Lane:ScrubBytesPerSecond</c>, checking
/// each frame's length and CRC-32C (<see cref="LaneStore.ReadFrame"/>), from height 1 to the head and then again from
/// the start, and after each pass every table block of the RocksDB index (<see cref="LaneStore.VerifyIndex"/>). The first damaged frame or table raises the damaged-store alert through the store's damage report (the lane then
/// refuses writes, WriteFailurePolicy.cs, 4) and ends the scrub. Reads go through the page cache: the scrub finds what
/// the file system hands back damaged, which is what a reader would be served.
/// </summary>
internal sealed partial class SegmentScrubber : IAsyncDisposable
{
    private static readonly TimeSpan PauseAtHead = TimeSpan.FromSeconds(10);

    private readonly LaneStore _store;
    private readonly long _bytesPerSecond;
    private readonly Func<long> _head;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private long _checked;
    private int _disposed;

    public SegmentScrubber(LaneStore store, long bytesPerSecond, Func<long> head, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        _store = store;
        _bytesPerSecond = bytesPerSecond;
        _head = head;
        _logger = logger;
        _run = BackgroundWork.Run("ledger-scrub", BackgroundWork.CheckpointNice, () => Run(_stop.Token));
    }

    /// <summary>Bytes checked so far.</summary>
    public long CheckedBytes => Interlocked.Read(ref _checked);

    private void Run(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var head = _head();
                var clock = Stopwatch.StartNew();
                long bytes = 0;
                for (long h = 1; h <= head && !stop.IsCancellationRequested; h++)
                {
                    if (_store.Get(LaneStore.Blocks, _store.HeightKey(h)) is not { } raw)
                        continue;
                    var location = BlockLocationCodec.Decode(raw);
                    try
                    {
                        _ = _store.ReadFrame(h, location);
                    }
                    catch (StoreDamagedException)
                    {
                        return; // reported by the store (the alert); one report is enough
                    }
                    bytes += location.Length;
                    Interlocked.Add(ref _checked, location.Length);
                    // Pace: never ahead of the configured rate.
                    var due = TimeSpan.FromSeconds((double)bytes / _bytesPerSecond) - clock.Elapsed;
                    if (due > TimeSpan.Zero && stop.WaitHandle.WaitOne(due))
                        return;
                }
                // Then the index: every table block's checksum, including families no query reads.
                if (!stop.IsCancellationRequested && !_store.VerifyIndex())
                    return;
                if (stop.WaitHandle.WaitOne(PauseAtHead))
                    return;
            }
        }
        catch (ObjectDisposedException)
        {
            // the store closed under the scrub
        }
#pragma warning disable CA1031 // the scrub is a check, never a reason to stop the node; it says why it stopped
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogScrubStopped(_logger, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the segment scrub stopped")]
    private static partial void LogScrubStopped(ILogger logger, Exception exception);
}
