using System.Diagnostics;
using System.Globalization;
using Ledger.Storage.CrashProbe;
using Ledger.Storage.Segments;
using Xunit;

namespace Ledger.Storage.Tests.Segments;

/// <summary>
/// Kills a real writer process (SIGKILL) while it appends and fsyncs frames, five times at random moments. After each
/// kill, recovery to the last acknowledged location must leave every acknowledged frame intact and nothing else. A kill
/// keeps the OS page cache, so this checks the recovery logic and frame integrity, not power-loss durability.
/// </summary>
public class SegmentCrashTests
{
    private static readonly string ProbeDll = Path.Combine(AppContext.BaseDirectory, "Ledger.Storage.CrashProbe.dll");
    private const long SegmentSizeLimit = 64 * 1024;

    [Fact]
    public async Task AppendFlush_ProcessKilledAtRandomMoments_EveryAcknowledgedFrameReadsBackAfterRecovery()
    {
        using var dir = new TempDirectory();
        var random = new Random();
        var acknowledged = new List<(long Id, BlockLocation Location)>();
        for (var run = 0; run < 5; run++)
        {
            BlockLocation? committed = acknowledged.Count == 0 ? null : acknowledged[^1].Location;
            var acks = await RunAndKillAsync(dir.Path, run * 1_000_000L, committed, TimeSpan.FromMilliseconds(random.Next(0, 300)));
            Assert.True(acks.Count > 0, $"run {run}: the probe acknowledged nothing before it was killed");
            acknowledged.AddRange(acks);

            using var store = BlockSegmentStore.Open(dir.Path, acknowledged[^1].Location, new BlockSegmentStoreOptions { SegmentSizeLimit = SegmentSizeLimit });
            // After the last acknowledgement the probe can have appended at most one more frame (and begun one segment).
            Assert.InRange(store.Recovery.TruncatedBytes, 0, SegmentFormat.FrameHeaderSize + 5000);
            Assert.InRange(store.Recovery.DeletedFiles.Count, 0, 1);
            foreach (var (id, location) in acknowledged)
                Assert.True(SegmentProbe.Body(id).AsSpan().SequenceEqual(store.Read(location)), $"run {run}: frame {id} at {location} reads back different");
            Assert.Equal(acknowledged.Select(a => a.Location), store.Scan().Select(f => f.Location));
        }
        Assert.True(acknowledged[^1].Location.Segment > 1, "the probe never rolled over to a second segment");
    }

    private static async Task<List<(long Id, BlockLocation Location)>> RunAndKillAsync(string dir, long firstId, BlockLocation? committed, TimeSpan extra)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ProbeDll);
        psi.ArgumentList.Add("segments");
        psi.ArgumentList.Add(dir);
        psi.ArgumentList.Add(firstId.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(SegmentSizeLimit.ToString(CultureInfo.InvariantCulture));
        if (committed is { } c)
        {
            psi.ArgumentList.Add(c.Segment.ToString(CultureInfo.InvariantCulture));
            psi.ArgumentList.Add(c.Offset.ToString(CultureInfo.InvariantCulture));
            psi.ArgumentList.Add(c.Length.ToString(CultureInfo.InvariantCulture));
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the crash probe");
        var stderr = process.StandardError.ReadToEndAsync();
        var acks = new List<(long, BlockLocation)>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                // Only whole lines "ack <id> <segment> <offset> <length>." count: a line cut by the kill is not an acknowledgement.
                if (!line.StartsWith("ack ", StringComparison.Ordinal) || !line.EndsWith('.'))
                    continue;
                var f = line[4..^1].Split(' ');
                var ack = (long.Parse(f[0], CultureInfo.InvariantCulture),
                    new BlockLocation(ulong.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture)));
                lock (acks)
                {
                    acks.Add(ack);
                    // Let every run write past at least one rollover's worth of frames before the random extra time.
                    if (acks.Count >= 40)
                        enough.TrySetResult();
                }
            }
        });
        try
        {
            await Task.WhenAny(enough.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(enough.Task.IsCompleted, $"the crash probe did not acknowledge 40 frames; exited={process.HasExited}; stderr: {(process.HasExited ? await stderr : "")}");
            await Task.Delay(extra);
        }
        finally
        {
            process.Kill(); // SIGKILL on Unix
            await process.WaitForExitAsync();
        }
        await reader;
        lock (acks)
            return [.. acks];
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
            return host;
        var main = Environment.ProcessPath;
        return main is not null && Path.GetFileNameWithoutExtension(main) == "dotnet" ? main : "dotnet";
    }
}
