using System.Globalization;
using System.Text;
using Ledger.Storage.RocksDb;
using Ledger.Storage.Segments;

namespace Ledger.Storage.CrashProbe;

/// <summary>
/// Usage: <c>Ledger.Storage.CrashProbe &lt;db-dir&gt; &lt;first-batch-id&gt; [kill-after &lt;n&gt;]</c>. Writes sync batches;
/// after each <c>Write</c> returns it prints <c>ack &lt;id&gt;.</c> on stdout. With <c>kill-after n</c> it kills itself
/// with SIGKILL right after the n-th acknowledgement (a deterministic crash point); without, it runs until killed.
/// The test checks the database against the printed ids. The batch layout is <see cref="ProbeBatch"/>, shared with the test.
/// Second mode: <c>segments &lt;dir&gt; &lt;first-id&gt; &lt;segment-size-limit&gt; [&lt;segment&gt; &lt;offset&gt; &lt;length&gt;] [kill-after &lt;n&gt; [unsynced]]</c>, see <see cref="SegmentProbe"/>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var (rest, killAfter, unsynced) = Crash.Parse(args);
        args = rest;
        if (args.Length > 0 && args[0] == "segments")
            return SegmentProbe.Run(args[1..], killAfter, unsynced);
        if (args.Length != 2 || !long.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            Console.Error.WriteLine("usage: Ledger.Storage.CrashProbe <db-dir> <first-batch-id>");
            return 2;
        }
        using var db = RocksDb.RocksDb.Open(args[0], new RocksDbOptions(), ProbeBatch.ColumnFamilies);
        var blocks = db.GetColumnFamily(ProbeBatch.Blocks);
        var index = db.GetColumnFamily(ProbeBatch.Index);
        using var batch = new WriteBatch();
        var stdout = Console.OpenStandardOutput();
        for (; ; id++)
        {
            batch.Clear();
            for (var i = 0; i < ProbeBatch.EntriesPerBatch; i++)
                batch.Put(blocks, ProbeBatch.EntryKey(id, i), ProbeBatch.EntryValue(id, i));
            batch.Put(index, ProbeBatch.IndexKey(id), ProbeBatch.IndexValue);
            db.Write(batch, sync: true);
            // One write(2) per line, so a kill never leaves a half line that could be read as a different id.
            stdout.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"ack {id}.\n")));
            if (--killAfter == 0)
                Crash.Now(stdout);
        }
    }
}

/// <summary>The deterministic crash point: SIGKILL of the probe itself, as <c>kill -9</c>.</summary>
public static class Crash
{
    /// <summary>Strips <c>kill-after n [unsynced]</c> from the arguments; n = -1 when absent (never).</summary>
    public static (string[] Arguments, long KillAfter, bool Unsynced) Parse(string[] args)
    {
        var at = Array.IndexOf(args, "kill-after");
        if (at < 0 || at + 1 >= args.Length)
            return (args, -1, false);
        var n = long.Parse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture);
        var unsynced = at + 2 < args.Length && args[at + 2] == "unsynced";
        return (args[..at], n, unsynced);
    }

    public static void Now(Stream stdout)
    {
        stdout.Flush();
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        self.Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}

/// <summary>The layout of one probe batch: <see cref="EntriesPerBatch"/> entries in "blocks" and one marker in "index".</summary>
public static class ProbeBatch
{
    public const string Blocks = "blocks";
    public const string Index = "index";
    public const int EntriesPerBatch = 20;
    public const int ValueLength = 200;

    public static readonly string[] ColumnFamilies = [Blocks, Index];

    public static readonly byte[] IndexValue = Encoding.ASCII.GetBytes("complete");

    public static byte[] IndexKey(long id) => Encoding.ASCII.GetBytes(id.ToString("D12", CultureInfo.InvariantCulture));

    public static byte[] EntryKey(long id, int i) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id:D12}/{i:D2}"));

    /// <summary>The batch id of an entry key.</summary>
    public static long IdOf(ReadOnlySpan<byte> entryKey) => long.Parse(entryKey[..12], NumberStyles.None, CultureInfo.InvariantCulture);

    public static byte[] EntryValue(long id, int i)
    {
        var v = new byte[ValueLength];
        var x = ((ulong)id * 0x9E3779B97F4A7C15UL) + (ulong)i + 1;
        for (var k = 0; k < v.Length; k++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v[k] = (byte)x;
        }
        return v;
    }
}

/// <summary>
/// The segment-store crash probe: opens a <see cref="BlockSegmentStore"/> recovered to the given last committed
/// location (none = empty), then forever appends <see cref="Body"/>(id), flushes (fsync) and prints
/// <c>ack &lt;id&gt; &lt;segment&gt; &lt;offset&gt; &lt;length&gt;.</c>; an acknowledged frame is one the node would commit.
/// </summary>
public static class SegmentProbe
{
    /// <param name="args">dir, first id, segment size limit, optionally the committed location.</param>
    /// <param name="killAfter">SIGKILL after this many acknowledged frames (-1: never).</param>
    /// <param name="unsynced">Before that kill, append one more frame and hand it to the OS without fsync or acknowledgement.</param>
    public static int Run(string[] args, long killAfter = -1, bool unsynced = false)
    {
        if (args.Length is not (3 or 6)
            || !long.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
        {
            Console.Error.WriteLine("usage: Ledger.Storage.CrashProbe segments <dir> <first-id> <segment-size-limit> [<segment> <offset> <length>]");
            return 2;
        }
        BlockLocation? committed = args.Length == 6
            ? new BlockLocation(
                ulong.Parse(args[3], NumberStyles.None, CultureInfo.InvariantCulture),
                long.Parse(args[4], NumberStyles.None, CultureInfo.InvariantCulture),
                int.Parse(args[5], NumberStyles.None, CultureInfo.InvariantCulture))
            : null;
        using var store = BlockSegmentStore.Open(args[0], committed, new BlockSegmentStoreOptions { SegmentSizeLimit = limit });
        var stdout = Console.OpenStandardOutput();
        for (; ; id++)
        {
            var at = store.Append(Body(id));
            store.Flush();
            // One write(2) per line, so a kill never leaves a half line that could be read as a different ack.
            stdout.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"ack {id} {at.Segment} {at.Offset} {at.Length}.\n")));
            if (--killAfter == 0)
            {
                if (unsynced)
                {
                    // The seam after the frame append, before its fsync: the frame is in the page cache, never acknowledged.
                    var extra = store.Append(Body(id + 1));
                    _ = store.Read(extra); // hands the buffered frame to the OS (no fsync)
                    stdout.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"unsynced {extra.Segment} {extra.Offset} {extra.Length}.\n")));
                }
                Crash.Now(stdout);
            }
        }
    }

    /// <summary>The body of frame <paramref name="id"/>: 0 to 4,999 pseudo-random bytes determined by the id.</summary>
    public static byte[] Body(long id)
    {
        var x = ((ulong)id * 0x9E3779B97F4A7C15UL) | 1;
        var v = new byte[(int)(((ulong)id * 7919UL) % 5000)];
        for (var k = 0; k < v.Length; k++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v[k] = (byte)x;
        }
        return v;
    }
}
