using Ledger.Protocol.Blocks;
using Ledger.Storage.RocksDb;

namespace Ledger.Engine.Lane;

/// <summary>
/// Upgrades a store of format 1 (one lane; keys without a lane number; no <c>meta/format-version</c>) to format 2
/// (docs/spec/lane.md §2): the entries of the lane-scoped families get the own lane's number (1) in front of their keys,
/// <c>meta/head</c> and <c>meta/state-checkpoint</c> become the own lane's, the own lane's address is recorded in
/// <c>lanes</c>, and <c>meta/format-version</c> = 2 is written last, with sync.
/// </summary>
/// <remarks>
/// Crash behaviour: each step is an atomic RocksDB batch that puts the new keys and deletes the old ones of up to
/// <see cref="EntriesPerBatch"/> entries, so an entry is always under exactly one of its two keys; a crash leaves the
/// store at format 1 with some entries moved, and the next open resumes (a format-1 key is told from a format-2 one by its
/// length). Until the format version is written nothing but the upgrade reads the store. Values are not rewritten:
/// <c>records</c>, <c>batches</c> and <c>history</c> entries of format 1 are read as the own lane's (StoreCodecs.cs).
/// </remarks>
internal static class StoreUpgrade
{
    private const int EntriesPerBatch = 4_096;

    /// <summary>Brings the store to <see cref="LaneStore.CurrentFormatVersion"/>; returns the format it found (0 for an empty store).</summary>
    /// <exception cref="InvalidOperationException">The store is of a newer format, or its own lane cannot be named.</exception>
    public static int Run(RocksDb db)
    {
        var meta = db.GetColumnFamily(LaneStore.Meta);
        if (db.Get(meta, LaneStore.FormatVersionKey) is { } raw)
        {
            if (raw is not [var version] || version > LaneStore.CurrentFormatVersion)
                throw new InvalidOperationException(
                    $"meta/format-version is {Convert.ToHexString(raw)}: the store was written by a newer release (this one reads format {LaneStore.CurrentFormatVersion})");
            return version;
        }
        var legacyHead = db.Get(meta, LaneStore.HeadKey);
        var found = legacyHead is not null || LaneStore.LaneScopedFamilies.Any(f => HasAny(db, db.GetColumnFamily(f))) ? 1 : 0;
        if (found == 1)
            Upgrade(db, meta, legacyHead);
        db.Put(meta, LaneStore.FormatVersionKey, [LaneStore.CurrentFormatVersion], sync: true);
        return found;
    }

    private static bool HasAny(RocksDb db, ColumnFamilyHandle cf)
    {
        using var it = db.NewIterator(cf);
        it.SeekToFirst();
        return it.Valid();
    }

    private static void Upgrade(RocksDb db, ColumnFamilyHandle meta, byte[]? legacyHead)
    {
        var lanes = db.GetColumnFamily(LaneStore.Lanes);
        var own = LaneKeys.Prefix(LaneKeys.OwnLane);
        var headers = db.GetColumnFamily(LaneStore.Headers);
        var headBytes = legacyHead ?? db.Get(meta, StateCodec.Concat(LaneStore.HeadKey, own));
        if (db.Get(lanes, own) is null && headBytes is not null)
        {
            var head = StoredHead.Decode(headBytes);
            if (head.Height > 0)
            {
                var header = db.Get(headers, StateCodec.BigEndian(head.Height)) ?? db.Get(headers, LaneKeys.Height(LaneKeys.OwnLane, head.Height))
                    ?? throw new InvalidOperationException($"the store's head is at height {head.Height} but it has no header there: the store is damaged");
                db.Put(lanes, own, LaneEntryCodec.Encode(SignedHeader.Decode(header).Header.Lane), sync: false);
            }
        }
        foreach (var family in LaneStore.LaneScopedFamilies)
            MoveFamily(db, family);
        using var wb = new WriteBatch();
        foreach (var key in new[] { LaneStore.HeadKey, LaneStore.StateCheckpointKey })
        {
            if (db.Get(meta, key) is { } value)
            {
                wb.Put(meta, StateCodec.Concat(key, own), value);
                wb.Delete(meta, key);
            }
        }
        db.Write(wb, sync: false);
    }

    /// <summary>True for a key of format 1 in <paramref name="family"/>.</summary>
    internal static bool IsFormat1Key(string family, ReadOnlySpan<byte> key) => family switch
    {
        LaneStore.Log => key.Length == 9,
        // format 1: height ‖ batch (12) or height ‖ batch ‖ chunk (16, height < 2^32 so its first four bytes are 0);
        // format 2: lane ‖ height ‖ batch (16, lane ≥ 1) or lane ‖ height ‖ batch ‖ chunk (20)
        LaneStore.BatchTrees => key.Length == 12 || (key.Length == 16 && !key[..4].ContainsAnyExcept((byte)0)),
        _ => key.Length == 8,
    };

    private static void MoveFamily(RocksDb db, string family)
    {
        var cf = db.GetColumnFamily(family);
        var wb = new WriteBatch();
        try
        {
            using var it = db.NewIterator(cf);
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                var key = it.Key();
                if (!IsFormat1Key(family, key))
                    continue;
                wb.Put(cf, LaneKeys.Of(LaneKeys.OwnLane, key), it.Value());
                wb.Delete(cf, key);
                if (wb.Count >= 2 * EntriesPerBatch)
                {
                    db.Write(wb, sync: false);
                    wb.Clear();
                }
            }
            if (wb.Count > 0)
                db.Write(wb, sync: false);
        }
        finally
        {
            wb.Dispose();
        }
    }
}
