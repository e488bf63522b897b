using System.Collections.Immutable;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;

namespace Ledger.Protocol.Custody;

/// <summary>Item status, after the EU FMD reported pack states. Frozen values (docs/spec/custody.md §2): never renumber.</summary>
public enum ItemStatus : byte
{
    /// <summary>In the saleable supply chain.</summary>
    Active = 1,
    /// <summary>Shipped and not yet received; the shipper stays custodian.</summary>
    InTransit = 2,
    /// <summary>Dispensed (FMD Supplied). Undoable.</summary>
    Supplied = 3,
    /// <summary>Destroyed. Terminal.</summary>
    Destroyed = 4,
    /// <summary>Stolen. Terminal.</summary>
    Stolen = 5,
    /// <summary>Taken as a sample. Undoable.</summary>
    Sample = 6,
    /// <summary>Given as a free sample. Undoable.</summary>
    FreeSample = 7,
    /// <summary>Exported. Undoable.</summary>
    Exported = 8,
    /// <summary>Locked pending investigation. Undoable without time limit.</summary>
    Locked = 9,
    /// <summary>Checked out. Undoable.</summary>
    CheckedOut = 10,
    /// <summary>Recalled (per serial, or its lot). Terminal.</summary>
    Recalled = 11,
    /// <summary>Withdrawn (its product or lot). Terminal.</summary>
    Withdrawn = 12,
    /// <summary>Past its expiry date. Never stored: expiry is computed per record (<see cref="CustodyRules.IsExpired"/>).</summary>
    Expired = 13,
}

/// <summary>The Ship an in-transit item is travelling under.</summary>
/// <param name="Ship">The Ship record id.</param>
/// <param name="ToParty">The party that may receive it.</param>
/// <param name="ToLocation">The GLN it is sent to.</param>
public sealed record PendingShip(Hash32 Ship, Address ToParty, string ToLocation);

/// <summary>The facts of the last decommission, kept for the FMD undo (Reactivate).</summary>
/// <param name="State">The state set.</param>
/// <param name="TimeMs">The decommission record's time.</param>
/// <param name="Party">The party that decommissioned.</param>
/// <param name="Location">The GLN where it was decommissioned.</param>
public sealed record DecommissionFacts(DecommissionState State, long TimeMs, Address Party, string Location);

/// <summary>
/// The custody state of one item after the last record that touched it. Immutable; equality compares every field
/// (children as a set).
/// </summary>
public sealed record ItemState
{
    /// <summary>Creates a state.</summary>
    public ItemState(ItemId item, ItemStatus status, Address custodian, string location, Hash32 latestRecord)
    {
        Item = item ?? throw new ArgumentNullException(nameof(item));
        Status = status;
        Custodian = custodian;
        Location = location ?? throw new ArgumentNullException(nameof(location));
        LatestRecord = latestRecord;
    }

    /// <summary>The item.</summary>
    public ItemId Item { get; init; }

    /// <summary>Its stored status (see <see cref="CustodyRules.EffectiveStatus"/> for lot-level recalls and withdrawals).</summary>
    public ItemStatus Status { get; init; }

    /// <summary>The party with custody (the shipper while in transit).</summary>
    public Address Custodian { get; init; }

    /// <summary>The GLN where it is (the ship-from GLN while in transit).</summary>
    public string Location { get; init; }

    /// <summary>The item it is packed in, if any.</summary>
    public ItemId? Parent { get; init; }

    /// <summary>The items packed directly in it.</summary>
    public ImmutableSortedSet<ItemId> Children { get; init; } = [];

    /// <summary>GTIN-14 from its commission; null for an SSCC.</summary>
    public string? Gtin { get; init; }

    /// <summary>Lot from its commission; null for an SSCC.</summary>
    public string? Lot { get; init; }

    /// <summary>Expiry YYMMDD from its commission; null for an SSCC.</summary>
    public string? Expiry { get; init; }

    /// <summary>Id of the last record that touched it (the item hash chain).</summary>
    public Hash32 LatestRecord { get; init; }

    /// <summary>The Ship it travels under while <see cref="ItemStatus.InTransit"/> (kept on a terminal item caught in transit).</summary>
    public PendingShip? PendingShip { get; init; }

    /// <summary>The last decommission, kept for undo; null when never decommissioned or after a reactivation.</summary>
    public DecommissionFacts? Decommission { get; init; }

    /// <inheritdoc/>
    public bool Equals(ItemState? other) =>
        other is not null && Item == other.Item && Status == other.Status && Custodian == other.Custodian &&
        Location == other.Location && Parent == other.Parent && Children.SequenceEqual(other.Children) &&
        Gtin == other.Gtin && Lot == other.Lot && Expiry == other.Expiry && LatestRecord == other.LatestRecord &&
        PendingShip == other.PendingShip && Decommission == other.Decommission;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Item, Status, Custodian, Location, LatestRecord, Children.Count);
}

/// <summary>Lot-level facts: recalled lots and withdrawn products and lots. Immutable.</summary>
public sealed record LotFacts
{
    /// <summary>Orders (GTIN, lot) pairs ordinally (never by culture, so every node agrees).</summary>
    public static readonly IComparer<(string Gtin, string Lot)> LotComparer = Comparer<(string Gtin, string Lot)>.Create((x, y) =>
    {
        var c = string.CompareOrdinal(x.Gtin, y.Gtin);
        return c != 0 ? c : string.CompareOrdinal(x.Lot, y.Lot);
    });

    /// <summary>No recalls, no withdrawals.</summary>
    public static readonly LotFacts Empty = new();

    /// <summary>Recalled (GTIN, lot) pairs.</summary>
    public ImmutableSortedSet<(string Gtin, string Lot)> RecalledLots { get; init; } = ImmutableSortedSet.Create(LotComparer);

    /// <summary>Withdrawn products (every lot of the GTIN).</summary>
    public ImmutableSortedSet<string> WithdrawnProducts { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Withdrawn (GTIN, lot) pairs.</summary>
    public ImmutableSortedSet<(string Gtin, string Lot)> WithdrawnLots { get; init; } = ImmutableSortedSet.Create(LotComparer);

    /// <summary>True when the lot is recalled.</summary>
    public bool IsRecalled(string? gtin, string? lot) => gtin is not null && lot is not null && RecalledLots.Contains((gtin, lot));

    /// <summary>True when the product or the lot is withdrawn.</summary>
    public bool IsWithdrawn(string? gtin, string? lot) =>
        gtin is not null && (WithdrawnProducts.Contains(gtin) || (lot is not null && WithdrawnLots.Contains((gtin, lot))));

    /// <inheritdoc/>
    public bool Equals(LotFacts? other) => other is not null && RecalledLots.SequenceEqual(other.RecalledLots) &&
        WithdrawnProducts.SequenceEqual(other.WithdrawnProducts) && WithdrawnLots.SequenceEqual(other.WithdrawnLots);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(RecalledLots.Count, WithdrawnProducts.Count, WithdrawnLots.Count);
}
