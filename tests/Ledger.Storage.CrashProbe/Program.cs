using System.Globalization;
using System.Text;
using Ledger.Storage.RocksDb;

namespace Ledger.Storage.CrashProbe;

/// <summary>
/// Usage: <c>Ledger.Storage.CrashProbe &lt;db-dir&gt; &lt;first-batch-id&gt;</c>. Writes sync batches forever; after each
/// <c>Write</c> returns it prints <c>ack &lt;id&gt;.</c> on stdout. The crash test kills it with SIGKILL and checks the
/// database against the printed ids. The batch layout is <see cref="ProbeBatch"/>, shared with the test.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
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
        }
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
