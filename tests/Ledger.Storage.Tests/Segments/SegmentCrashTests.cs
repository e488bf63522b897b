using System.Diagnostics;
using System.Globalization;
using Ledger.Storage.CrashProbe;
using Ledger.Storage.Segments;
using Xunit;

namespace Ledger.Storage.Tests.Segments;

/// <summary>
/// A real writer process that appends and fsyncs frames kills itself with SIGKILL at deterministic points: right after
/// its n-th acknowledged frame, and after appending one more frame handed to the OS but never fsynced or acknowledged
/// (the seam between the append and the fsync). After each kill, recovery to the last acknowledged location leaves every
/// acknowledged frame intact and nothing else; the unacknowledged frame is cut. A kill keeps the OS page cache, so this
/// checks the recovery logic and frame integrity, not power-loss durability.
/// </summary>
public class SegmentCrashTests
{
    private static readonly string ProbeDll = Path.Combine(AppContext.BaseDirectory, "Ledger.Storage.CrashProbe.dll");
    private const long SegmentSizeLimit = 64 * 1024;

    [Fact]
    public async Task AppendFlush_ProcessKilledAtTheSeams_EveryAcknowledgedFrameReadsBackAndTheUnsyncedOneIsCut()
    {
        using var dir = new TempDirectory();
        var acknowledged = new List<(long Id, BlockLocation Location)>();
        (int Frames, bool Unsynced)[] runs = [(40, false), (40, true), (3, true), (25, false)];
        for (var run = 0; run < runs.Length; run++)
        {
            var (frames, unsynced) = runs[run];
            BlockLocation? committed = acknowledged.Count == 0 ? null : acknowledged[^1].Location;
            var (acks, extra) = await RunUntilKilledAsync(dir.Path, run * 1_000_000L, committed, frames, unsynced);
            Assert.Equal(frames, acks.Count);
            Assert.Equal(unsynced, extra is not null);
            acknowledged.AddRange(acks);

            using var store = BlockSegmentStore.Open(dir.Path, acknowledged[^1].Location, new BlockSegmentStoreOptions { SegmentSizeLimit = SegmentSizeLimit });
            if (extra is { } e)
            {
                // The frame appended after the last acknowledgement reached the page cache and is cut (or its new segment deleted).
                if (e.Segment == acknowledged[^1].Location.Segment)
                    Assert.Equal(SegmentFormat.FrameHeaderSize + e.Length, store.Recovery.TruncatedBytes);
                else
                    Assert.Equal([SegmentFormat.FileName(e.Segment)], store.Recovery.DeletedFiles);
            }
            else
            {
                Assert.True(store.Recovery.IsClean, $"run {run}: recovery cut something after a kill right after an acknowledgement");
            }
            foreach (var (id, location) in acknowledged)
                Assert.True(SegmentProbe.Body(id).AsSpan().SequenceEqual(store.Read(location)), $"run {run}: frame {id} at {location} reads back different");
            Assert.Equal(acknowledged.Select(a => a.Location), store.Scan().Select(f => f.Location));
        }
        Assert.True(acknowledged[^1].Location.Segment > 1, "the probe never rolled over to a second segment");
    }

    private static async Task<(List<(long Id, BlockLocation Location)> Acks, BlockLocation? Unsynced)> RunUntilKilledAsync(
        string dir, long firstId, BlockLocation? committed, int frames, bool unsynced)
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
        psi.ArgumentList.Add("kill-after");
        psi.ArgumentList.Add(frames.ToString(CultureInfo.InvariantCulture));
        if (unsynced)
            psi.ArgumentList.Add("unsynced");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the crash probe");
        var stderr = process.StandardError.ReadToEndAsync();
        var acks = new List<(long, BlockLocation)>();
        BlockLocation? extra = null;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (!line.EndsWith('.'))
                continue;
            var f = line[..^1].Split(' ');
            if (f[0] == "ack")
            {
                acks.Add((long.Parse(f[1], CultureInfo.InvariantCulture),
                    new BlockLocation(ulong.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture))));
            }
            else if (f[0] == "unsynced")
            {
                extra = new BlockLocation(ulong.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture));
            }
        }
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode is 137 or -9 or 9, $"the probe exited {process.ExitCode}, not by SIGKILL; stderr: {await stderr}");
        return (acks, extra);
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
