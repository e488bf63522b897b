using System.Runtime.InteropServices;

namespace Ledger.Storage.RocksDb;

/// <summary>
/// Base of every handle to a RocksDB C object. A handle may depend on parents (an iterator on its database and read
/// options, a column family on its database): it holds a reference on each parent until it is released, so the C
/// objects are always destroyed children first, whatever order <c>Dispose</c> or the finalizer runs in.
/// </summary>
public abstract class RocksDbHandle : SafeHandle
{
    private SafeHandle[] parents = [];

    /// <summary>Creates an invalid handle; the binding attaches the C pointer.</summary>
    protected RocksDbHandle()
        : base(0, ownsHandle: true)
    {
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>Takes ownership of <paramref name="pointer"/> and a reference on each parent.</summary>
    internal void Attach(nint pointer, params SafeHandle[] dependsOn)
    {
        if (pointer == 0)
            throw new RocksDbException("RocksDB returned a null object");
        var taken = new List<SafeHandle>(dependsOn.Length);
        try
        {
            foreach (var parent in dependsOn)
            {
                var added = false;
                parent.DangerousAddRef(ref added);
                if (added)
                    taken.Add(parent);
            }
        }
        catch
        {
            foreach (var parent in taken)
                parent.DangerousRelease();
            Free(pointer);
            throw;
        }
        parents = [.. taken];
        SetHandle(pointer);
    }

    /// <summary>Destroys the C object.</summary>
    private protected abstract void Free(nint pointer);

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        Free(handle);
        foreach (var parent in parents)
            parent.DangerousRelease();
        parents = [];
        return true;
    }
}

/// <summary>An open database (<c>rocksdb_t*</c>); closed when the last dependent handle is released.</summary>
public sealed class DbHandle : RocksDbHandle
{
    private protected override void Free(nint pointer) => Native.rocksdb_close(pointer);
}

/// <summary>Database options (<c>rocksdb_options_t*</c>).</summary>
public sealed class OptionsHandle : RocksDbHandle
{
    private protected override void Free(nint pointer) => Native.rocksdb_options_destroy(pointer);
}

/// <summary>Write options (<c>rocksdb_writeoptions_t*</c>).</summary>
public sealed class WriteOptionsHandle : RocksDbHandle
{
    private protected override void Free(nint pointer) => Native.rocksdb_writeoptions_destroy(pointer);
}

/// <summary>Read options (<c>rocksdb_readoptions_t*</c>) and the native copy of its upper bound, freed together.</summary>
public sealed class ReadOptionsHandle : RocksDbHandle
{
    private SnapshotHandle? snapshot;

    internal nint UpperBound { get; set; }

    /// <summary>Points the native options at <paramref name="value"/> (or none), holding a reference on it while set.</summary>
    internal void SetSnapshot(SnapshotHandle? value)
    {
        var added = false;
        value?.DangerousAddRef(ref added);
        Native.rocksdb_readoptions_set_snapshot(this, value is null ? 0 : value.DangerousGetHandle());
        snapshot?.DangerousRelease();
        snapshot = value;
    }

    private protected override unsafe void Free(nint pointer)
    {
        Native.rocksdb_readoptions_destroy(pointer);
        if (UpperBound != 0)
            NativeMemory.Free((void*)UpperBound);
        UpperBound = 0;
        snapshot?.DangerousRelease();
        snapshot = null;
    }
}

/// <summary>A write batch (<c>rocksdb_writebatch_t*</c>).</summary>
public sealed class WriteBatchHandle : RocksDbHandle
{
    private protected override void Free(nint pointer) => Native.rocksdb_writebatch_destroy(pointer);
}

/// <summary>An iterator (<c>rocksdb_iterator_t*</c>).</summary>
public sealed class IteratorHandle : RocksDbHandle
{
    private protected override void Free(nint pointer) => Native.rocksdb_iter_destroy(pointer);
}

/// <summary>A column family handle (<c>rocksdb_column_family_handle_t*</c>), valid while its database is open.</summary>
public sealed class ColumnFamilyHandle : RocksDbHandle
{
    internal ColumnFamilyHandle(string name) => Name = name;

    /// <summary>The column family's name.</summary>
    public string Name { get; }

    private protected override void Free(nint pointer) => Native.rocksdb_column_family_handle_destroy(pointer);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A snapshot (<c>const rocksdb_snapshot_t*</c>); released against the database it was taken from.</summary>
public sealed class SnapshotHandle : RocksDbHandle
{
    private readonly DbHandle db;

    internal SnapshotHandle(DbHandle db) => this.db = db;

    private protected override void Free(nint pointer) => Native.rocksdb_release_snapshot(db.DangerousGetHandle(), pointer);
}
