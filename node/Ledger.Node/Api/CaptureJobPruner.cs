using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Node.Api;

/// <summary>
/// Deletes the EPCIS capture jobs older than <c>Epcis:CaptureJobRetention</c>, once the ledger is open and then every
/// <c>Epcis:CaptureJobPruneInterval</c>. A failed pruning is logged and tried again at the next interval; it never stops the node.
/// </summary>
public sealed partial class CaptureJobPruner(NodeState state, NodeOptions options, TimeProvider time, ILogger<CaptureJobPruner> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    /// <summary>Deletes the jobs older than the retention now; returns how many (0 before the ledger is open).</summary>
    public long PruneOnce()
    {
        if (state.Ledger is not { } ledger)
            return 0;
        var pruned = ledger.CaptureJobs.Prune(time.GetUtcNow() - options.Epcis.CaptureJobRetention);
        if (pruned > 0)
            LogPruned(logger, pruned, options.Epcis.CaptureJobRetention);
        return pruned;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (state.Ledger is null)
                await Task.Delay(Tick, time, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    PruneOnce();
                }
#pragma warning disable CA1031 // pruning is housekeeping: a failure is logged and retried, never fatal
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogPruneFailed(logger, e.Message);
                }
                await Task.Delay(options.Epcis.CaptureJobPruneInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "deleted {Count} capture jobs older than {Retention}")]
    private static partial void LogPruned(ILogger logger, long count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "capture jobs could not be pruned, trying again at the next interval: {Message}")]
    private static partial void LogPruneFailed(ILogger logger, string message);
}
