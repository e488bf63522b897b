using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Storage.RocksDb;

namespace Ledger.Engine.Lane;

// What the applier keeps for blocks not yet applied, durably (docs/spec/lane.md §4.1): blocks held for a dependency
// and cosignatures that arrived before their block, in the lane-keyed `held` family (HeldEntryCodec), written with
// sync before the sender is answered "held", so a restart keeps every one of them. An entry goes in the batch that
// applies its block (the cosignatures move into the certificate there), or when its block is refused or a duplicate.
// Both kinds are bounded in number (MaxHeldBlocks each), in memory and on disk alike.
public sealed partial class LedgerEngine
{
    /// <summary>Cosignatures kept for blocks not here yet (blocks, counted by (lane, height, header hash)).</summary>
    internal int EarlyCosignatureBlocks => _earlyCosignatures.Count;

    /// <summary>Holds <paramref name="block"/>, durably, unless it is held already.</summary>
    private void PersistHeld(Block block)
    {
        var header = block.SignedHeader.Header;
        var number = Store.NumberOf(header.Lane)
            ?? throw new InvalidOperationException($"lane {header.Lane} has no number in the store, yet a block of it is held");
        Store.Db.Put(Store[LaneStore.Held], HeldEntryCodec.BlockKey(number, header.Height, header.Hash()), block.Encode(), sync: true);
    }

    /// <summary>Drops a held block that was refused or found a duplicate when retried (an entry left by a crash is retried again, to the same answer).</summary>
    private void ForgetHeld(Block block)
    {
        var header = block.SignedHeader.Header;
        if (Store.NumberOf(header.Lane) is { } number)
            Store.Db.Delete(Store[LaneStore.Held], HeldEntryCodec.BlockKey(number, header.Height, header.Hash()), sync: false);
    }

    /// <summary>Keeps a cosignature of a block not here yet, durably.</summary>
    private void PersistEarlyCosignature(Address lane, long height, Hash32 headerHash, Cosignature cosignature)
    {
        var number = lane == Lane ? LaneKeys.OwnLane : Store.LaneFor(lane).LaneNumber;
        Store.Db.Put(Store[LaneStore.Held], HeldEntryCodec.CosignatureKey(number, height, headerHash, cosignature.Node),
            HeldEntryCodec.EncodeSignature(cosignature.Signature), sync: true);
    }

    /// <summary>
    /// The applied block's entries out of <c>held</c>, in its batch: the block itself if it was held, and every early
    /// cosignature of any header at its (lane, height) — the ones of its header are in its certificate, any other can
    /// never count (the lane holds this header there now).
    /// </summary>
    private void ForgetHeldOf(LaneStore lane, BlockHeader header, bool wasHeld, WriteBatch wb)
    {
        if (wasHeld)
            wb.Delete(Store[LaneStore.Held], HeldEntryCodec.BlockKey(lane.LaneNumber, header.Height, header.Hash()));
        foreach (var key in _earlyCosignatures.Keys.Where(k => k.Lane == header.Lane && k.Height == header.Height).ToList())
        {
            foreach (var c in _earlyCosignatures[key])
                wb.Delete(Store[LaneStore.Held], HeldEntryCodec.CosignatureKey(lane.LaneNumber, key.Height, key.Hash, c.Node));
        }
    }

    /// <summary>After the batch of <see cref="ForgetHeldOf"/> is durable: the same out of memory.</summary>
    private void ForgotHeldOf(BlockHeader header)
    {
        foreach (var key in _earlyCosignatures.Keys.Where(k => k.Lane == header.Lane && k.Height == header.Height).ToList())
            _earlyCosignatures.Remove(key);
    }

    private bool IsHeld(Hash32 headerHash)
    {
        lock (_held)
            return _held.Any(b => b.SignedHeader.Hash() == headerHash);
    }

    /// <summary>At open: every held block and early cosignature the store keeps.</summary>
    private void LoadHeld()
    {
        using var it = Store.Db.NewIterator(Store[LaneStore.Held]);
        for (it.SeekToFirst(); it.Valid(); it.Next())
        {
            var (number, height, hash, kind, node) = HeldEntryCodec.DecodeKey(it.Key());
            if (kind == HeldEntryCodec.BlockKind)
            {
                var block = Block.Decode(it.Value());
                if (block.SignedHeader.Hash() != hash)
                    throw new InvalidOperationException($"a held block under header {hash} decodes to header {block.SignedHeader.Hash()}: the store is damaged");
                lock (_held)
                    _held.Add(block);
                continue;
            }
            var lane = (number == LaneKeys.OwnLane ? Lane : Store.LaneByNumber(number)?.LaneAddress)
                ?? throw new InvalidOperationException($"a held cosignature names lane number {number}, which the store does not know: the store is damaged");
            var key = (lane, height, hash);
            if (!_earlyCosignatures.TryGetValue(key, out var list))
                _earlyCosignatures[key] = list = [];
            list.Add(new Cosignature(node!.Value, HeldEntryCodec.DecodeSignature(it.Value())));
        }
    }

    /// <summary>
    /// At open, when blocks are held: retried once on the sequencer, since a crash may have come between the block they
    /// waited for and their retry.
    /// </summary>
    private void RetryHeldAtOpen()
    {
        if (HeldBlocks == 0)
            return;
        _ = EnqueueControl(() =>
        {
            RetryHeld();
            return new ApplyResult(ApplyStatus.Duplicate);
        }, CancellationToken.None).ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
