using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Engine.Lane;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Rlp;
using Ledger.Storage.RocksDb;

namespace Ledger.Engine.Epcis;

/// <summary>
/// EPCIS capture jobs (the answer of <c>POST /epcis/capture</c>, read back with <c>GET /epcis/capture/{id}</c>) in the
/// lane store's <c>capture-jobs</c> family (docs/spec/lane.md §2), kept for a retention period and then pruned.
/// <para>
/// Failure policy. A job is written with <c>sync</c> after its capture's records are durable and before the capture is
/// answered: a job whose id was sent to a client is durable. A crash between the records' commit and the job's write
/// leaves the capture unanswered and without a job; capturing it again answers <c>duplicate</c> with the same records
/// (event hash IDs are idempotency keys), so nothing acknowledged is lost. A failed write throws: the capture is then
/// answered with the storage error, its records stay on the ledger. Pruning deletes without sync: a deletion lost in a
/// crash is done again by the next pruning. The job's value and its time key are written in one batch, so neither is
/// ever without the other.
/// </para>
/// </summary>
public sealed class CaptureJobStore
{
    /// <summary>The folder of the data folder where nodes before this store kept one file per job.</summary>
    public const string LegacyDirectoryName = "captures";

    private const byte JobTag = 0x01, TimeTag = 0x02;
    private const int IdBytes = 16;
    private const int PruneBatch = 10_000;

    private readonly LaneStore _store;

    /// <summary>Jobs in the store's <c>capture-jobs</c> family.</summary>
    public CaptureJobStore(LaneStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    private RocksDb Db => _store.Db;

    private ColumnFamilyHandle Family => _store[LaneStore.CaptureJobs];

    /// <summary>A new job id: 32 lowercase hex digits (128 random bits).</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>Stores the job durably (sync) under its id and creation time.</summary>
    /// <exception cref="ArgumentException">The job id is not 32 lowercase hex digits.</exception>
    public void Save(CaptureJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var id = ParseId(job.Id) ?? throw new ArgumentException($"capture job id '{job.Id}' is not 32 lowercase hex digits", nameof(job));
        using var wb = new WriteBatch();
        Put(wb, id, job);
        Db.Write(wb, sync: true);
    }

    private void Put(WriteBatch wb, byte[] id, CaptureJob job)
    {
        wb.Put(Family, JobKey(id), job.Encode());
        wb.Put(Family, TimeKey(job.CreatedMs, id), []);
    }

    /// <summary>The job with this id, or null (unknown, pruned, or not an id).</summary>
    /// <exception cref="InvalidOperationException">The stored value does not decode: the store is damaged (names the job).</exception>
    public CaptureJob? Get(string id)
    {
        if (ParseId(id) is not { } key || Db.Get(Family, JobKey(key)) is not { } value)
            return null;
        try
        {
            return CaptureJob.Decode(id, value);
        }
        catch (RlpException e)
        {
            throw new InvalidOperationException($"the capture job {id} in the capture-jobs family does not decode ({e.Message}): the store is damaged", e);
        }
    }

    /// <summary>Deletes every job created before <paramref name="cutoff"/>; returns how many.</summary>
    public long Prune(DateTimeOffset cutoff)
    {
        var end = new byte[9];
        end[0] = TimeTag;
        BinaryPrimitives.WriteInt64BigEndian(end.AsSpan(1), Math.Max(0, cutoff.ToUnixTimeMilliseconds()));
        using var options = new ReadOptions();
        options.SetIterateUpperBound(end);
        long pruned = 0;
        using var wb = new WriteBatch();
        using (var it = Db.NewIterator(Family, options))
        {
            for (it.Seek([TimeTag]); it.Valid(); it.Next())
            {
                var key = it.Key();
                if (key.Length != 1 + 8 + IdBytes || key[0] != TimeTag)
                    break;
                wb.Delete(Family, key);
                wb.Delete(Family, JobKey(key[9..].ToArray()));
                pruned++;
                if (wb.Count >= PruneBatch)
                {
                    Db.Write(wb, sync: false);
                    wb.Clear();
                }
            }
        }
        if (wb.Count > 0)
            Db.Write(wb, sync: false);
        return pruned;
    }

    /// <summary>How many jobs are stored (a scan of the time keys: for tests and tools).</summary>
    public long Count()
    {
        long n = 0;
        using var it = Db.NewIterator(Family);
        for (it.Seek([TimeTag]); it.Valid() && it.Key()[0] == TimeTag; it.Next())
            n++;
        return n;
    }

    /// <summary>
    /// Moves the job files that nodes before this store wrote (<c>&lt;data&gt;/captures/&lt;id&gt;.json</c>) into the store,
    /// once: each readable file is stored (sync, in batches) and then deleted, and the folder with it when it is empty. A
    /// file that is not a job (a torn write, a foreign name) is left where it is and named in <see cref="LegacyImport.Skipped"/>.
    /// Safe to repeat after a crash: a job stored twice is the same entry.
    /// </summary>
    public LegacyImport ImportLegacyFiles(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, LegacyDirectoryName);
        if (!Directory.Exists(directory))
            return new LegacyImport(0, []);
        var imported = 0;
        var skipped = new List<string>();
        var done = new List<string>();
        using var wb = new WriteBatch();
        void Commit()
        {
            if (wb.Count == 0)
                return;
            Db.Write(wb, sync: true);
            wb.Clear();
            foreach (var file in done)
                File.Delete(file);
            imported += done.Count;
            done.Clear();
        }
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            var id = name.EndsWith(".json", StringComparison.Ordinal) ? name[..^5] : null;
            if (id is null || ParseId(id) is not { } key || ReadLegacy(file, id) is not { } job)
            {
                skipped.Add(name);
                continue;
            }
            Put(wb, key, job);
            done.Add(file);
            if (done.Count >= 1_000)
                Commit();
        }
        Commit();
        if (skipped.Count == 0 && !Directory.EnumerateFileSystemEntries(directory).Any())
            Directory.Delete(directory);
        return new LegacyImport(imported, skipped);
    }

    private static CaptureJob? ReadLegacy(string file, string id)
    {
        try
        {
            var json = File.ReadAllText(file);
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("captureID", out var captureId) || captureId.GetString() != id
                || !root.TryGetProperty("party", out var party) || !Address.TryParse(party.GetString(), out var address)
                || !root.TryGetProperty("createdAt", out var created)
                || !DateTimeOffset.TryParse(created.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var createdAt))
                return null;
            return new CaptureJob(id, address, createdAt.ToUnixTimeMilliseconds(), json);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The 16 bytes of a 32-hex-digit lowercase id, or null.</summary>
    private static byte[]? ParseId(string id) =>
        id.Length == 2 * IdBytes && id.All(char.IsAsciiHexDigitLower) ? Convert.FromHexString(id) : null;

    private static byte[] JobKey(byte[] id) => [JobTag, .. id];

    private static byte[] TimeKey(long createdMs, byte[] id)
    {
        var key = new byte[1 + 8 + IdBytes];
        key[0] = TimeTag;
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(1), Math.Max(0, createdMs));
        id.CopyTo(key, 9);
        return key;
    }
}

/// <summary>The outcome of <see cref="CaptureJobStore.ImportLegacyFiles"/>.</summary>
/// <param name="Imported">Job files stored and deleted.</param>
/// <param name="Skipped">Names of files left in place because they are not readable jobs.</param>
public sealed record LegacyImport(int Imported, IReadOnlyList<string> Skipped);

/// <summary>
/// A capture job as stored: its id, the hosted party that captured it, when it was created (Unix ms) and its JSON (the
/// body of <c>GET /epcis/capture/{id}</c>). Value in <c>capture-jobs</c>: RLP [1, created ms, party (20 bytes), JSON (UTF-8)].
/// </summary>
public sealed record CaptureJob(string Id, Address Party, long CreatedMs, string Json)
{
    private const string Field = "capture-job";

    internal byte[] Encode() => Rlp.Encode(RlpItem.List(RlpItem.UInt(1), RlpItem.UInt((ulong)Math.Max(0, CreatedMs)),
        RlpItem.BytesNoCopy(Party.ToBytes()), RlpItem.BytesNoCopy(Encoding.UTF8.GetBytes(Json))));

    internal static CaptureJob Decode(string id, ReadOnlySpan<byte> bytes)
    {
        var l = Rlp.Decode(bytes).AsList(Field).Expect(Field, 4);
        if (l[0].AsString(Field + ".version").ToUInt64(Field + ".version") != 1)
            throw new RlpException(Field + ".version", "unknown capture-job version");
        return new CaptureJob(id, new Address(l[2].AsString(Field + ".party").ToFixed(Field + ".party", 20)),
            (long)l[1].AsString(Field + ".created").ToUInt64(Field + ".created"), Encoding.UTF8.GetString(l[3].AsString(Field + ".json").Value.Span));
    }
}
