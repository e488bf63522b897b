namespace Ledger.Storage.RocksDb;

/// <summary>A consistent point-in-time view of the database; use it through <see cref="ReadOptions.Snapshot"/>.</summary>
public sealed class Snapshot : IDisposable
{
    internal Snapshot(SnapshotHandle handle) => Handle = handle;

    /// <summary>The native snapshot.</summary>
    public SnapshotHandle Handle { get; }

    /// <summary>Releases the snapshot.</summary>
    public void Dispose() => Handle.Dispose();
}
