using System.Buffers.Binary;
using System.Collections.Immutable;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;

namespace Ledger.Engine.Lane;

/// <summary>The node-local encodings of derived state (item state, lot facts, alerts): RLP, never signed, rebuilt by replay.</summary>
internal static class StateCodec
{
    private static RlpItem Opt(RlpItem? item) => item is null ? RlpItem.List() : RlpItem.List(item);

    private static RlpItem? Opt(RlpItem item, string field)
    {
        var l = item.AsList(field);
        return l.Count == 0 ? null : l[0];
    }

    private static RlpItem Addr(Address a) => RlpItem.BytesNoCopy(a.ToBytes());

    private static Address Addr(RlpItem item, string field) => new(item.AsString(field).ToFixed(field, 20));

    private static string Text(RlpItem item, string field) => item.AsString(field).ToText(field);

    public static byte[] Encode(ItemState s) => Rlp.Encode(RlpItem.List(
        s.Item.ToRlp(),
        RlpItem.UInt((ulong)s.Status),
        Addr(s.Custodian),
        RlpItem.Text(s.Location),
        Opt(s.Parent?.ToRlp()),
        RlpItem.List(s.Children.Select(c => c.ToRlp())),
        Opt(s.Gtin is null ? null : RlpItem.Text(s.Gtin)),
        Opt(s.Lot is null ? null : RlpItem.Text(s.Lot)),
        Opt(s.Expiry is null ? null : RlpItem.Text(s.Expiry)),
        RlpItem.Hash(s.LatestRecord),
        Opt(s.PendingShip is null ? null : RlpItem.List(RlpItem.Hash(s.PendingShip.Ship), Addr(s.PendingShip.ToParty), RlpItem.Text(s.PendingShip.ToLocation))),
        Opt(s.Decommission is null ? null : RlpItem.List(RlpItem.UInt((ulong)s.Decommission.State), RlpItem.UInt((ulong)s.Decommission.TimeMs),
            Addr(s.Decommission.Party), RlpItem.Text(s.Decommission.Location)))));

    public static ItemState DecodeItemState(ReadOnlySpan<byte> bytes)
    {
        const string f = "item-state";
        var l = Rlp.Decode(bytes).AsList(f).Expect(f, 12);
        var pending = Opt(l[10], f) is { } p ? p.AsList(f).Expect(f, 3) : null;
        var dec = Opt(l[11], f) is { } d ? d.AsList(f).Expect(f, 4) : null;
        return new ItemState(ItemId.FromRlp(l[0], f), (ItemStatus)l[1].AsString(f).ToUInt64(f), Addr(l[2], f), Text(l[3], f), l[9].AsString(f).ToHash32(f))
        {
            Parent = Opt(l[4], f) is { } parent ? ItemId.FromRlp(parent, f) : null,
            Children = [.. l[5].AsList(f).Items.Select(c => ItemId.FromRlp(c, f))],
            Gtin = Opt(l[6], f) is { } g ? Text(g, f) : null,
            Lot = Opt(l[7], f) is { } lot ? Text(lot, f) : null,
            Expiry = Opt(l[8], f) is { } e ? Text(e, f) : null,
            PendingShip = pending is null ? null : new PendingShip(pending[0].AsString(f).ToHash32(f), Addr(pending[1], f), Text(pending[2], f)),
            Decommission = dec is null ? null : new DecommissionFacts((DecommissionState)dec[0].AsString(f).ToUInt64(f),
                (long)dec[1].AsString(f).ToUInt64(f), Addr(dec[2], f), Text(dec[3], f)),
        };
    }

    public static byte[] Encode(LotFacts lots) => Rlp.Encode(RlpItem.List(
        RlpItem.List(lots.RecalledLots.Select(x => (RlpItem)RlpItem.List(RlpItem.Text(x.Gtin), RlpItem.Text(x.Lot)))),
        RlpItem.List(lots.WithdrawnProducts.Select(x => (RlpItem)RlpItem.Text(x))),
        RlpItem.List(lots.WithdrawnLots.Select(x => (RlpItem)RlpItem.List(RlpItem.Text(x.Gtin), RlpItem.Text(x.Lot))))));

    public static LotFacts DecodeLotFacts(ReadOnlySpan<byte> bytes)
    {
        const string f = "lot-facts";
        var l = Rlp.Decode(bytes).AsList(f).Expect(f, 3);
        (string, string) Pair(RlpItem i)
        {
            var p = i.AsList(f).Expect(f, 2);
            return (Text(p[0], f), Text(p[1], f));
        }
        return LotFacts.Empty with
        {
            RecalledLots = ImmutableSortedSet.CreateRange(LotFacts.LotComparer, l[0].AsList(f).Items.Select(Pair)),
            WithdrawnProducts = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, l[1].AsList(f).Items.Select(i => Text(i, f))),
            WithdrawnLots = ImmutableSortedSet.CreateRange(LotFacts.LotComparer, l[2].AsList(f).Items.Select(Pair)),
        };
    }

    public static byte[] Encode(LedgerAlert a) => Rlp.Encode(RlpItem.List(
        RlpItem.UInt((ulong)a.Sequence),
        RlpItem.UInt((ulong)a.Kind),
        Opt(a.Item?.ToRlp()),
        RlpItem.Hash(a.Record),
        RlpItem.UInt(a.Accepted ? 1UL : 0UL),
        Addr(a.Author),
        RlpItem.UInt((ulong)a.TimeMs),
        RlpItem.Text(a.Evidence),
        RlpItem.Bytes(a.RejectedRecord ?? [])));

    public static LedgerAlert DecodeAlert(ReadOnlySpan<byte> bytes)
    {
        const string f = "alert";
        var l = Rlp.Decode(bytes).AsList(f).Expect(f, 9);
        var rejected = l[8].AsString(f).Value;
        return new LedgerAlert((long)l[0].AsString(f).ToUInt64(f), (CustodyAlertKind)l[1].AsString(f).ToUInt64(f),
            Opt(l[2], f) is { } item ? ItemId.FromRlp(item, f) : null, l[3].AsString(f).ToHash32(f), l[4].AsString(f).ToUInt64(f) == 1,
            Addr(l[5], f), (long)l[6].AsString(f).ToUInt64(f), Text(l[7], f), rejected.Length == 0 ? null : rejected.ToArray());
    }

    public static byte[] BigEndian(long value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, value);
        return b;
    }

    public static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var r = new byte[a.Length + b.Length];
        a.CopyTo(r);
        b.CopyTo(r.AsSpan(a.Length));
        return r;
    }

    public static byte[] Key(Hash32 hash, long suffix) => Concat(hash.ToArray(), BigEndian(suffix));
}
