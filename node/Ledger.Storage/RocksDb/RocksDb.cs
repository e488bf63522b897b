using System.Runtime.InteropServices;

namespace Ledger.Storage.RocksDb;

/// <summary>
/// An open RocksDB database with its column families. Thread-safe for concurrent reads and writes (as RocksDB is).
/// <see cref="Dispose"/> closes it; iterators and snapshots still open keep the native database open until they are
/// disposed too, so dispose them first if the directory is to be reopened.
/// </summary>
public sealed class RocksDb : IDisposable
{
    /// <summary>Name of the column family every RocksDB database has.</summary>
    public const string DefaultColumnFamilyName = "default";

    private readonly Dictionary<string, ColumnFamilyHandle> columnFamilies;
    private readonly WriteOptionsHandle syncWrite;
    private readonly WriteOptionsHandle asyncWrite;
    private readonly ReadOptions defaultRead;

    private RocksDb(string path, DbHandle handle, Dictionary<string, ColumnFamilyHandle> columnFamilies, bool writeAheadLog)
    {
        Path = path;
        Handle = handle;
        this.columnFamilies = columnFamilies;
        syncWrite = CreateWriteOptions(sync: true, writeAheadLog);
        asyncWrite = CreateWriteOptions(sync: false, writeAheadLog);
        defaultRead = new ReadOptions();
    }

    /// <summary>The directory the database lives in.</summary>
    public string Path { get; }

    /// <summary>
    /// The full path of the RocksDB C library this process uses: the one bundled with the RocksDB package, under the
    /// application's <c>runtimes/&lt;rid&gt;/native/</c> (loaded on first use; see <see cref="Native"/>).
    /// </summary>
    public static string NativeLibraryPath
    {
        get
        {
            Native.rocksdb_free(0); // free(NULL) is a no-op; the call makes the runtime resolve the library.
            return Native.LoadedPath ?? throw new InvalidOperationException("the RocksDB library was resolved outside the binding's resolver");
        }
    }

    /// <summary>The native database.</summary>
    public DbHandle Handle { get; }

    /// <summary>The column family named "default".</summary>
    public ColumnFamilyHandle DefaultColumnFamily => columnFamilies[DefaultColumnFamilyName];

    /// <summary>The open column families by name ("default" included).</summary>
    public IReadOnlyDictionary<string, ColumnFamilyHandle> ColumnFamilies => columnFamilies;

    /// <summary>
    /// Opens (creating if missing, with <see cref="RocksDbOptions.CreateIfMissing"/>) the database at <paramref name="path"/>
    /// with the given column families; missing ones are created and "default" is always opened. Every column family
    /// that exists on disk must be listed (RocksDB's rule).
    /// </summary>
    /// <exception cref="RocksDbException">RocksDB refused, e.g. the directory is locked by another open handle.</exception>
    public static RocksDb Open(string path, RocksDbOptions options, IReadOnlyList<string> columnFamilies) =>
        OpenCore(path, options, columnFamilies, readOnly: false);

    /// <summary>
    /// Opens the existing database at <paramref name="path"/> read-only (RocksDB's <c>OpenForReadOnly</c>): nothing in the
    /// directory is written — no write-ahead log replay into SST files, no LOG, MANIFEST or OPTIONS file, no lock taken,
    /// no compaction. Writes through the handle fail. Unflushed entries of the write-ahead log are read into memory, so the
    /// view is what a normal open would see. Any subset of the families on disk may be opened ("default" always is); a
    /// family that is not on disk is refused, so pass the intersection with <see cref="ListColumnFamilies"/>.
    /// </summary>
    /// <exception cref="RocksDbException">RocksDB refused, e.g. there is no database or a listed family does not exist.</exception>
    public static RocksDb OpenReadOnly(string path, RocksDbOptions options, IReadOnlyList<string> columnFamilies) =>
        OpenCore(path, options with { CreateIfMissing = false }, columnFamilies, readOnly: true);

    /// <summary>True when <paramref name="path"/> holds a RocksDB database (its <c>CURRENT</c> file exists).</summary>
    public static bool Exists(string path) => File.Exists(System.IO.Path.Combine(path, "CURRENT"));

    /// <summary>The names of the column families of the database at <paramref name="path"/> ("default" included); reads only.</summary>
    /// <exception cref="RocksDbException">There is no readable database there.</exception>
    public static unsafe IReadOnlyList<string> ListColumnFamilies(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var opts = new RocksDbOptions { CreateIfMissing = false }.CreateHandle();
        nint err = 0;
        nuint count;
        var list = Native.rocksdb_list_column_families(opts, path, &count, &err);
        Native.Check(err);
        try
        {
            var names = new List<string>((int)count);
            for (nuint i = 0; i < count; i++)
                names.Add(Marshal.PtrToStringUTF8(list[i])!);
            return names;
        }
        finally
        {
            Native.rocksdb_list_column_families_destroy(list, count);
        }
    }

    /// <summary>True when the database was opened with <see cref="OpenReadOnly"/>.</summary>
    public bool IsReadOnly { get; private init; }

    /// <summary>
    /// Drops the column family <paramref name="name"/>: its entries are gone at once and its files are deleted by RocksDB;
    /// the handle is closed and the name is no longer open. Durable once this returns (a manifest write).
    /// </summary>
    /// <exception cref="RocksDbException">RocksDB refused (e.g. the database is read-only, or the family is "default").</exception>
    public unsafe void DropColumnFamily(string name)
    {
        var cf = GetColumnFamily(name);
        nint err = 0;
        Native.rocksdb_drop_column_family(Handle, cf, &err);
        Native.Check(err);
        columnFamilies.Remove(name);
        cf.Dispose();
    }

    private static unsafe RocksDb OpenCore(string path, RocksDbOptions options, IReadOnlyList<string> columnFamilies, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(columnFamilies);
        var names = new List<string> { DefaultColumnFamilyName };
        foreach (var name in columnFamilies)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(columnFamilies));
            if (!names.Contains(name, StringComparer.Ordinal))
                names.Add(name);
        }

        using var opts = options.CreateHandle();
        var n = names.Count;
        var namePtrs = new nint[n];
        var optPtrs = new nint[n];
        var cfPtrs = new nint[n];
        var added = false;
        opts.DangerousAddRef(ref added);
        try
        {
            for (var i = 0; i < n; i++)
            {
                namePtrs[i] = Marshal.StringToCoTaskMemUTF8(names[i]);
                optPtrs[i] = opts.DangerousGetHandle();
            }
            nint err = 0;
            nint db;
            fixed (nint* pn = namePtrs)
            fixed (nint* po = optPtrs)
            fixed (nint* pc = cfPtrs)
                db = readOnly
                    ? Native.rocksdb_open_for_read_only_column_families(opts, path, n, pn, po, pc, 0, &err)
                    : Native.rocksdb_open_column_families(opts, path, n, pn, po, pc, &err);
            Native.Check(err);

            var dbHandle = new DbHandle();
            dbHandle.Attach(db);
            var handles = new Dictionary<string, ColumnFamilyHandle>(StringComparer.Ordinal);
            for (var i = 0; i < n; i++)
            {
                var cf = new ColumnFamilyHandle(names[i]);
                cf.Attach(cfPtrs[i], dbHandle);
                handles.Add(names[i], cf);
            }
            return new RocksDb(path, dbHandle, handles, options.WriteAheadLog) { IsReadOnly = readOnly };
        }
        finally
        {
            foreach (var p in namePtrs)
                Marshal.FreeCoTaskMem(p);
            if (added)
                opts.DangerousRelease();
        }
    }

    /// <summary>The column family named <paramref name="name"/>, which must have been passed to <see cref="Open"/>.</summary>
    public ColumnFamilyHandle GetColumnFamily(string name) =>
        columnFamilies.TryGetValue(name, out var cf)
            ? cf
            : throw new KeyNotFoundException($"column family '{name}' was not opened (opened: {string.Join(", ", columnFamilies.Keys)})");

    /// <summary>The value at <paramref name="key"/>, or null if there is none.</summary>
    public unsafe byte[]? Get(ColumnFamilyHandle cf, ReadOnlySpan<byte> key, ReadOptions? readOptions = null)
    {
        nint err = 0;
        nuint length;
        nint value;
        fixed (byte* k = key)
            value = Native.rocksdb_get_cf(Handle, (readOptions ?? defaultRead).Handle, cf, k, (nuint)key.Length, &length, &err);
        Native.Check(err);
        if (value == 0)
            return null;
        try
        {
            return new ReadOnlySpan<byte>((void*)value, checked((int)length)).ToArray();
        }
        finally
        {
            Native.rocksdb_free(value);
        }
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>. With <paramref name="sync"/> the write-ahead log is fsynced before this returns.</summary>
    public unsafe void Put(ColumnFamilyHandle cf, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool sync)
    {
        nint err = 0;
        fixed (byte* k = key)
        fixed (byte* v = value)
            Native.rocksdb_put_cf(Handle, WriteOptions(sync), cf, k, (nuint)key.Length, v, (nuint)value.Length, &err);
        Native.Check(err);
    }

    /// <summary>Deletes <paramref name="key"/> (no error if absent). With <paramref name="sync"/> the write-ahead log is fsynced before this returns.</summary>
    public unsafe void Delete(ColumnFamilyHandle cf, ReadOnlySpan<byte> key, bool sync)
    {
        nint err = 0;
        fixed (byte* k = key)
            Native.rocksdb_delete_cf(Handle, WriteOptions(sync), cf, k, (nuint)key.Length, &err);
        Native.Check(err);
    }

    /// <summary>
    /// Applies <paramref name="batch"/> atomically. With <paramref name="sync"/> it is durable (write-ahead log fsynced)
    /// when this returns: the point at which the node may acknowledge.
    /// </summary>
    public unsafe void Write(WriteBatch batch, bool sync)
    {
        ArgumentNullException.ThrowIfNull(batch);
        nint err = 0;
        Native.rocksdb_write(Handle, WriteOptions(sync), batch.Handle, &err);
        Native.Check(err);
    }

    /// <summary>A new iterator over <paramref name="cf"/>, unpositioned: call a Seek method first.</summary>
    public RocksIterator NewIterator(ColumnFamilyHandle cf, ReadOptions? readOptions = null)
    {
        var ro = (readOptions ?? defaultRead).Handle;
        var h = new IteratorHandle();
        h.Attach(Native.rocksdb_create_iterator_cf(Handle, ro, cf), Handle, ro, cf);
        return new RocksIterator(h);
    }

    /// <summary>Takes a snapshot of the current state.</summary>
    public Snapshot GetSnapshot()
    {
        var h = new SnapshotHandle(Handle);
        h.Attach(Native.rocksdb_create_snapshot(Handle), Handle);
        return new Snapshot(h);
    }

    /// <summary>Flushes the memtables of every column family to SST files and waits for it.</summary>
    public unsafe void Flush()
    {
        var fo = Native.rocksdb_flushoptions_create();
        try
        {
            Native.rocksdb_flushoptions_set_wait(fo, 1);
            foreach (var cf in columnFamilies.Values)
            {
                nint err = 0;
                Native.rocksdb_flush_cf(Handle, fo, cf, &err);
                Native.Check(err);
            }
        }
        finally
        {
            Native.rocksdb_flushoptions_destroy(fo);
        }
    }

    /// <summary>
    /// Reads every live table file whole and checks every block's checksum (RocksDB's <c>VerifyChecksum</c>); throws
    /// <see cref="RocksDbException"/> naming the first file that does not check out. Reads the whole database: a scrub, not a query.
    /// </summary>
    public unsafe void VerifyChecksums()
    {
        nint err = 0;
        Native.rocksdb_verify_checksum(Handle, &err);
        Native.Check(err);
    }

    /// <summary>An integer property of <paramref name="cf"/> (e.g. "rocksdb.estimate-num-keys"), or null if RocksDB has none by that name.</summary>
    public unsafe ulong? GetIntProperty(ColumnFamilyHandle cf, string name)
    {
        ulong value;
        return Native.rocksdb_property_int_cf(Handle, cf, name, &value) == 0 ? value : null;
    }

    /// <summary>A string property of <paramref name="cf"/> (e.g. "rocksdb.stats"), or null if RocksDB has none by that name.</summary>
    public string? GetProperty(ColumnFamilyHandle cf, string name) => Native.TakeString(Native.rocksdb_property_value_cf(Handle, cf, name));

    /// <summary>RocksDB's estimate of the number of keys in <paramref name="cf"/> ("rocksdb.estimate-num-keys"); approximate.</summary>
    public ulong EstimateNumKeys(ColumnFamilyHandle cf) => GetIntProperty(cf, "rocksdb.estimate-num-keys") ?? 0;

    /// <summary>Closes the database (once iterators and snapshots still open are disposed as well).</summary>
    public void Dispose()
    {
        defaultRead.Dispose();
        syncWrite.Dispose();
        asyncWrite.Dispose();
        foreach (var cf in columnFamilies.Values)
            cf.Dispose();
        Handle.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => "RocksDb(" + Path + ")";

    private WriteOptionsHandle WriteOptions(bool sync) => sync ? syncWrite : asyncWrite;

    private static WriteOptionsHandle CreateWriteOptions(bool sync, bool writeAheadLog)
    {
        var h = new WriteOptionsHandle();
        h.Attach(Native.rocksdb_writeoptions_create());
        Native.rocksdb_writeoptions_set_sync(h, sync ? (byte)1 : (byte)0);
        if (!writeAheadLog)
            Native.rocksdb_writeoptions_disable_WAL(h, 1);
        return h;
    }
}
