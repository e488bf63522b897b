using System.Diagnostics;
using Ledger.Engine.Lane;
using Xunit;
using Xunit.Abstractions;

namespace Ledger.Engine.Tests.Faults;

/// <summary>
/// A real full disk: a small tmpfs mounted by the test (it runs as root here; where it cannot mount, the same refusal
/// is driven by the free-space threshold on the temporary folder). The lane refuses writes cleanly, serves reads, loses
/// nothing and resumes by itself once space is freed; `store verify` passes after a restart.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    private const int TmpfsMb = 160;

    [Fact]
    public async Task BelowFreeSpaceThreshold_RefusesBeforeWritingServesReadsResumesWhenSpaceIsFreed()
    {
        using var disk = SmallDisk.Mount(TmpfsMb, output);
        await using var lane = new FaultTestLane(Path.Combine(disk.Path, "data", "ledger"), new LaneOptions { MinFreeMb = 32, ScrubBytesPerSecond = 0 });
        lane.Open();
        for (var i = 0; i < 5; i++)
            await lane.WriteAsync(records: 20);
        var height = lane.Engine!.Head.Height;

        string? filler = null;
        if (disk.IsTmpfs)
        {
            // Leave 16 MiB: below the 32 MiB the lane keeps free.
            filler = disk.Fill(leaveBytes: 16L << 20);
        }
        else
        {
            // No file system of its own to fill: a threshold above what the temporary folder has free.
            await lane.CloseAsync();
            lane.Options = lane.Options with { MinFreeMb = (new DriveInfo(disk.Path).AvailableFreeSpace >> 20) + (64L << 10) };
            lane.Open();
        }
        var refused = await Assert.ThrowsAsync<LaneWritesRefusedException>(() => lane.Engine.SubmitAsync(lane.NextBatch()));
        Assert.Equal(LaneWriteStatus.StorageFull, refused.State.Status);
        Assert.Equal("storage-full", refused.State.Code);
        Assert.Equal("ledger/", refused.State.Path);
        Assert.InRange(refused.State.FreeBytes, 0, lane.Options.MinFreeMb << 20);
        Assert.DoesNotContain(disk.Path, refused.Message, StringComparison.Ordinal);
        Assert.Equal(LaneWriteStatus.StorageFull, lane.Engine.WriteState.Status);
        Assert.Equal(height, lane.Engine.Head.Height);
        lane.AssertAcknowledgedPresent("disk full");

        if (filler is not null)
        {
            File.Delete(filler);
            await Task.Delay(100); // the lane reads the free space at most every 20 ms
        }
        else
        {
            await lane.CloseAsync();
            lane.Options = lane.Options with { MinFreeMb = 0 };
            lane.Open();
        }
        Assert.Equal(LaneWriteStatus.Writing, lane.Engine.WriteState.Status);
        await lane.WriteAsync(records: 20);
        lane.AssertAcknowledgedPresent("after space was freed");
        await lane.CloseAsync();
        lane.AssertVerifies("after space was freed");
        lane.Open();
        lane.AssertAcknowledgedPresent("after a restart");
    }

    [Fact]
    public async Task DiskFillsUnderTheSegmentWrite_BlockAbandonedRefusedRetriedResumesWhenSpaceIsFreed()
    {
        using var disk = SmallDisk.Mount(TmpfsMb, output);
        await using var lane = new FaultTestLane(Path.Combine(disk.Path, "data", "ledger"),
            new LaneOptions { MinFreeMb = 0, ScrubBytesPerSecond = 0, WriteRetrySeconds = 0 });
        lane.Open();
        await lane.WriteAsync(records: 20);
        var height = lane.Engine!.Head.Height;

        // Every page taken: the next frame (40 records, more than a page) cannot be written. Without a file system of
        // its own to fill, the lane-frame-no-space fault point fails the append where the disk would.
        string? filler = null;
        if (disk.IsTmpfs)
        {
            filler = disk.Fill(leaveBytes: 0);
        }
        else
        {
            output.WriteLine("no tmpfs: the lane-frame-no-space fault point stands in for ENOSPC");
            await lane.CloseAsync();
            lane.Open(Ledger.Engine.Faults.FaultPoints.Throwing(Ledger.Engine.Faults.FaultPoints.LaneFrameNoSpace));
        }
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var refused = await Assert.ThrowsAsync<LaneWritesRefusedException>(() => lane.Engine.SubmitAsync(lane.NextBatch(records: 40)));
            output.WriteLine(refused.Message);
            Assert.Equal(LaneWriteStatus.WriteFailed, refused.State.Status);
            Assert.Equal("storage-failed", refused.State.Code);
            Assert.Equal("ledger/blocks", refused.State.Path);
            Assert.DoesNotContain(disk.Path, refused.Message, StringComparison.Ordinal);
            Assert.Equal(height, lane.Engine.Head.Height);
            lane.AssertAcknowledgedPresent("disk full, attempt " + attempt);
        }

        if (filler is not null)
        {
            File.Delete(filler);
        }
        else
        {
            await lane.CloseAsync();
            lane.Open();
        }
        await lane.WriteAsync(records: 40);
        await lane.WriteAsync(records: 40);
        Assert.Equal(height + 2, lane.Engine.Head.Height);
        lane.AssertAcknowledgedPresent("after space was freed");
        await lane.CloseAsync();
        var report = lane.AssertVerifies("after space was freed");
        Assert.Equal(height + 2, report.BlocksChecked);
        lane.Open();
        Assert.True(lane.Engine.Store.Segments.Recovery.IsClean, "the failed frames were not cut when the lane went back to its durable head");
        lane.AssertAcknowledgedPresent("after a restart");
    }

    [Fact]
    public async Task RestartOnAFullDisk_RefusedInOneLineLeavesNoTableFiles_StartsOnceSpaceIsFreed()
    {
        using var disk = SmallDisk.Mount(TmpfsMb, output);
        await using var lane = new FaultTestLane(Path.Combine(disk.Path, "data", "ledger"), new LaneOptions { MinFreeMb = 0, ScrubBytesPerSecond = 0 });
        lane.Open();
        for (var i = 0; i < 5; i++)
            await lane.WriteAsync(records: 20);
        await lane.CloseAsync();
        if (!disk.IsTmpfs)
        {
            // Without a file system of its own to fill, the restart is checked on a disk with space only.
            lane.Open();
            lane.AssertAcknowledgedPresent("restart");
            return;
        }
        var index = Path.Combine(lane.Directory, "index");
        var tables = Directory.GetFiles(index, "*.sst").Length;
        var filler = disk.Fill(leaveBytes: 0);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var e = Assert.ThrowsAny<Exception>(() => lane.Open());
            output.WriteLine($"attempt {attempt}: {e.GetType().Name}: {e.Message}");
            var refused = Assert.IsType<LaneWritesRefusedException>(e);
            Assert.Equal(LaneWriteStatus.StorageFull, refused.State.Status);
            Assert.Equal("ledger/index", refused.State.Path);
            Assert.DoesNotContain(disk.Path, e.Message, StringComparison.Ordinal);
            // A failed open leaves no table files behind to fill the space again.
            Assert.Equal(tables, Directory.GetFiles(index, "*.sst").Length);
        }
        File.Delete(filler);
        lane.Open();
        lane.AssertAcknowledgedPresent("restart after space was freed");
        await lane.WriteAsync();
        await lane.CloseAsync();
        lane.AssertVerifies("restart after space was freed");
    }

    /// <summary>A small tmpfs under the temporary folder (root only), or the temporary folder itself.</summary>
    private sealed class SmallDisk : IDisposable
    {
        private SmallDisk(string path, bool tmpfs)
        {
            Path = path;
            IsTmpfs = tmpfs;
        }

        public string Path { get; }

        public bool IsTmpfs { get; }

        public static SmallDisk Mount(int megabytes, ITestOutputHelper output)
        {
            var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ledger-disk-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(path);
            if (OperatingSystem.IsLinux() && Environment.UserName == "root"
                && Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path) is var (code, text))
            {
                if (code == 0)
                    return new SmallDisk(path, tmpfs: true);
                output.WriteLine("mount -t tmpfs failed: " + text);
            }
            return new SmallDisk(path, tmpfs: false);
        }

        /// <summary>Writes a filler file until only <paramref name="leaveBytes"/> are free (0: until the disk is full).</summary>
        public string Fill(long leaveBytes)
        {
            var filler = System.IO.Path.Combine(Path, "filler");
            var chunk = new byte[1 << 20];
            Random.Shared.NextBytes(chunk);
            using var handle = File.OpenHandle(filler, FileMode.Create, FileAccess.Write);
            long at = 0;
            try
            {
                for (; ; )
                {
                    var free = new DriveInfo(Path).AvailableFreeSpace;
                    var take = (int)Math.Min(chunk.Length, free - leaveBytes);
                    if (take <= 0)
                        break;
                    RandomAccess.Write(handle, chunk.AsSpan(0, take), at);
                    at += take;
                }
                if (leaveBytes == 0)
                {
                    // The last bytes the free-space figure does not show (a partial page).
                    for (; ; )
                    {
                        RandomAccess.Write(handle, chunk.AsSpan(0, 4096), at);
                        at += 4096;
                    }
                }
            }
            catch (IOException)
            {
                // the disk is full
            }
            return filler;
        }

        public void Dispose()
        {
            if (IsTmpfs)
                Run("umount", "-l", Path);
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static (int Code, string Text)? Run(string file, params string[] args)
        {
            try
            {
                var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var a in args)
                    psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var text = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                return (p.ExitCode, text);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }
    }
}
