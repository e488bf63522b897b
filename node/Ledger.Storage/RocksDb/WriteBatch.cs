namespace Ledger.Storage.RocksDb;

/// <summary>Updates applied atomically by <see cref="RocksDb.Write"/>: after a crash either all of them are present or none.</summary>
public sealed class WriteBatch : IDisposable
{
    /// <summary>Creates an empty batch.</summary>
    public WriteBatch()
    {
        Handle = new WriteBatchHandle();
        Handle.Attach(Native.rocksdb_writebatch_create());
    }

    /// <summary>The native batch.</summary>
    public WriteBatchHandle Handle { get; }

    /// <summary>Number of updates in the batch.</summary>
    public int Count => Native.rocksdb_writebatch_count(Handle);

    /// <summary>Adds a put of <paramref name="value"/> at <paramref name="key"/> in <paramref name="cf"/> (the bytes are copied).</summary>
    public unsafe WriteBatch Put(ColumnFamilyHandle cf, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
            Native.rocksdb_writebatch_put_cf(Handle, cf, k, (nuint)key.Length, v, (nuint)value.Length);
        return this;
    }

    /// <summary>Adds a delete of <paramref name="key"/> in <paramref name="cf"/>.</summary>
    public unsafe WriteBatch Delete(ColumnFamilyHandle cf, ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
            Native.rocksdb_writebatch_delete_cf(Handle, cf, k, (nuint)key.Length);
        return this;
    }

    /// <summary>Removes every update so the batch can be reused.</summary>
    public void Clear() => Native.rocksdb_writebatch_clear(Handle);

    /// <summary>Releases the native batch.</summary>
    public void Dispose() => Handle.Dispose();
}
