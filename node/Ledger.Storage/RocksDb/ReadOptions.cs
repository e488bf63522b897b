using System.Runtime.InteropServices;

namespace Ledger.Storage.RocksDb;

/// <summary>
/// Options for reads and iterators: a snapshot to read at and an exclusive upper bound for iteration (prefix scans).
/// An iterator keeps its read options alive, so disposing these while an iterator is open is safe.
/// </summary>
public sealed class ReadOptions : IDisposable
{
    private Snapshot? snapshot;

    /// <summary>Creates read options that read the latest state with no bound.</summary>
    public ReadOptions()
    {
        Handle = new ReadOptionsHandle();
        Handle.Attach(Native.rocksdb_readoptions_create());
    }

    /// <summary>The native read options.</summary>
    public ReadOptionsHandle Handle { get; }

    /// <summary>
    /// Read as of this snapshot (null: latest). The options hold a reference on the snapshot while it is set, so the
    /// native snapshot is released only once it is unset or these options (and iterators using them) are disposed.
    /// </summary>
    public Snapshot? Snapshot
    {
        get => snapshot;
        set
        {
            Handle.SetSnapshot(value?.Handle);
            snapshot = value;
        }
    }

    /// <summary>
    /// Iterators stop before the first key ≥ <paramref name="upperBound"/> (exclusive). The bytes are copied to native
    /// memory that lives as long as these options. Set it before creating the iterator.
    /// </summary>
    public unsafe ReadOptions SetIterateUpperBound(ReadOnlySpan<byte> upperBound)
    {
        var copy = (byte*)NativeMemory.Alloc((nuint)Math.Max(1, upperBound.Length));
        upperBound.CopyTo(new Span<byte>(copy, upperBound.Length));
        Native.rocksdb_readoptions_set_iterate_upper_bound(Handle, copy, (nuint)upperBound.Length);
        var old = Handle.UpperBound;
        Handle.UpperBound = (nint)copy;
        if (old != 0)
            NativeMemory.Free((void*)old);
        return this;
    }

    /// <summary>Releases the native options (deferred while an iterator still uses them).</summary>
    public void Dispose() => Handle.Dispose();
}
