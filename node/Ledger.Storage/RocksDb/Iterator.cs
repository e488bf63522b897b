namespace Ledger.Storage.RocksDb;

/// <summary>
/// A cursor over one column family in key order (bytewise). <see cref="Key"/> and <see cref="Value"/> return spans over
/// RocksDB's own buffers: they are valid only until the next move or <see cref="Dispose"/>; copy what you keep.
/// </summary>
public sealed class RocksIterator : IDisposable
{
    internal RocksIterator(IteratorHandle handle) => Handle = handle;

    /// <summary>The native iterator.</summary>
    public IteratorHandle Handle { get; }

    /// <summary>
    /// True if the iterator is positioned at an entry. When it is not, an I/O or corruption error met while moving is
    /// thrown as <see cref="RocksDbException"/> rather than silently ending the scan.
    /// </summary>
    public unsafe bool Valid()
    {
        if (Native.rocksdb_iter_valid(Handle) != 0)
            return true;
        nint err = 0;
        Native.rocksdb_iter_get_error(Handle, &err);
        Native.Check(err);
        return false;
    }

    /// <summary>Moves to the first key.</summary>
    public void SeekToFirst() => Native.rocksdb_iter_seek_to_first(Handle);

    /// <summary>Moves to the last key (below the upper bound, if one is set).</summary>
    public void SeekToLast() => Native.rocksdb_iter_seek_to_last(Handle);

    /// <summary>Moves to the first key ≥ <paramref name="key"/>.</summary>
    public unsafe void Seek(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
            Native.rocksdb_iter_seek(Handle, k, (nuint)key.Length);
    }

    /// <summary>Moves to the last key ≤ <paramref name="key"/>.</summary>
    public unsafe void SeekForPrev(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
            Native.rocksdb_iter_seek_for_prev(Handle, k, (nuint)key.Length);
    }

    /// <summary>Moves to the next key. The iterator must be <see cref="Valid"/>.</summary>
    public void Next()
    {
        EnsureValid();
        Native.rocksdb_iter_next(Handle);
    }

    /// <summary>Moves to the previous key. The iterator must be <see cref="Valid"/>.</summary>
    public void Prev()
    {
        EnsureValid();
        Native.rocksdb_iter_prev(Handle);
    }

    /// <summary>The current key, over RocksDB's buffer (valid until the next move).</summary>
    public unsafe ReadOnlySpan<byte> Key()
    {
        EnsureValid();
        nuint length;
        var p = Native.rocksdb_iter_key(Handle, &length);
        return new ReadOnlySpan<byte>(p, checked((int)length));
    }

    /// <summary>The current value, over RocksDB's buffer (valid until the next move).</summary>
    public unsafe ReadOnlySpan<byte> Value()
    {
        EnsureValid();
        nuint length;
        var p = Native.rocksdb_iter_value(Handle, &length);
        return new ReadOnlySpan<byte>(p, checked((int)length));
    }

    /// <summary>Releases the iterator (and its hold on the database and read options).</summary>
    public void Dispose() => Handle.Dispose();

    // RocksDB asserts (aborts the process in debug builds, undefined behaviour otherwise) when an invalid iterator is read or moved.
    private void EnsureValid()
    {
        if (Native.rocksdb_iter_valid(Handle) == 0)
            throw new InvalidOperationException("the iterator is not positioned at an entry (check Valid() first)");
    }
}
