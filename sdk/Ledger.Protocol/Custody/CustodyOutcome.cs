using Ledger.Protocol.Records;

namespace Ledger.Protocol.Custody;

/// <summary>Alert kinds. Frozen values (docs/spec/custody.md §5): never renumber.</summary>
public enum CustodyAlertKind : byte
{
    /// <summary>A Commission named a serial that already exists.</summary>
    SecondCommissioning = 1,
    /// <summary>A Verify named an item the ledger does not know.</summary>
    UnknownSerial = 2,
    /// <summary>A Verify's lot differs from the commissioned lot.</summary>
    LotMismatch = 3,
    /// <summary>A Verify's expiry differs from the commissioned expiry.</summary>
    ExpiryMismatch = 4,
    /// <summary>A Verify by a party that is not the custodian.</summary>
    ScanByNonCustodian = 5,
    /// <summary>A record touched an item in a terminal state.</summary>
    ActivityAfterTerminal = 6,
    /// <summary>A Receive named items that are not in transit under its Ship.</summary>
    ReceiveMismatch = 7,
    /// <summary>A Receive reported a discrepancy (missing, extra, damaged).</summary>
    ReceiveDiscrepancy = 8,
    /// <summary>One item verified at two different GLNs within the node's scan window (raised by the node, not the rules).</summary>
    ScanAtTwoLocations = 9,
}

/// <summary>Something a person should look at.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Item">The item concerned, when there is one.</param>
/// <param name="Record">The record that raised it.</param>
/// <param name="Evidence">What was seen, in words.</param>
public sealed record CustodyAlert(CustodyAlertKind Kind, ItemId? Item, Hash32 Record, string Evidence);

/// <summary>GS1 Lightweight Verification failure reasons (the subset the ledger computes).</summary>
public enum VerificationFailureReason : byte
{
    /// <summary>Verified.</summary>
    None = 0,
    /// <summary>No_match_GTIN_Serial: unknown item.</summary>
    NoMatchGtinSerial = 1,
    /// <summary>No_match_GTIN_Serial_Lot: the lot differs.</summary>
    NoMatchGtinSerialLot = 2,
    /// <summary>No_match_GTIN_Serial_Expiry: the expiry differs.</summary>
    NoMatchGtinSerialExpiry = 3,
    /// <summary>No_match_GTIN_Serial_Lot_Expiry: both differ.</summary>
    NoMatchGtinSerialLotExpiry = 4,
}

/// <summary>GS1 Lightweight Verification additionalInfo flags.</summary>
[Flags]
public enum VerificationInfo
{
    /// <summary>Nothing to add.</summary>
    None = 0,
    /// <summary>Expired.</summary>
    Expired = 1,
    /// <summary>Recalled (or its product or lot withdrawn).</summary>
    Recalled = 2,
    /// <summary>Suspect: stolen, destroyed or decommissioned.</summary>
    Suspect = 4,
}

/// <summary>The answer to a Verify record.</summary>
/// <param name="Verified">True when the item exists and the scanned lot and expiry (when given) match its commission.</param>
/// <param name="FailureReason">Why not.</param>
/// <param name="AdditionalInfo">Warnings that hold even when verified.</param>
public sealed record ItemVerification(bool Verified, VerificationFailureReason FailureReason, VerificationInfo AdditionalInfo)
{
    /// <summary>The GS1 code text of <see cref="FailureReason"/>, or null when verified.</summary>
    public string? FailureCode => FailureReason switch
    {
        VerificationFailureReason.NoMatchGtinSerial => "No_match_GTIN_Serial",
        VerificationFailureReason.NoMatchGtinSerialLot => "No_match_GTIN_Serial_Lot",
        VerificationFailureReason.NoMatchGtinSerialExpiry => "No_match_GTIN_Serial_Expiry",
        VerificationFailureReason.NoMatchGtinSerialLotExpiry => "No_match_GTIN_Serial_Lot_Expiry",
        _ => null,
    };
}

/// <summary>The result of applying one record: accepted with the states to write, or rejected with nothing to write.</summary>
public sealed record CustodyOutcome
{
    private CustodyOutcome(bool accepted, IReadOnlyList<ItemState> updates, LotFacts? lots, IReadOnlyList<CustodyAlert> alerts, string? code, string? message, ItemVerification? verification)
    {
        IsAccepted = accepted;
        Updates = updates;
        Lots = lots;
        Alerts = alerts;
        ErrorCode = code;
        Message = message;
        Verification = verification;
    }

    /// <summary>True when the record is allowed.</summary>
    public bool IsAccepted { get; }

    /// <summary>New states to write (sorted by item), empty when rejected.</summary>
    public IReadOnlyList<ItemState> Updates { get; }

    /// <summary>The lot-level facts after the record (the same object when unchanged); null when rejected.</summary>
    public LotFacts? Lots { get; }

    /// <summary>Alerts raised, accepted or not.</summary>
    public IReadOnlyList<CustodyAlert> Alerts { get; }

    /// <summary>A <see cref="CustodyErrorCodes"/> constant when rejected.</summary>
    public string? ErrorCode { get; }

    /// <summary>Names the item or field and the rule, when rejected.</summary>
    public string? Message { get; }

    /// <summary>The verification result of an accepted Verify record.</summary>
    public ItemVerification? Verification { get; }

    /// <summary>An acceptance.</summary>
    public static CustodyOutcome Accepted(IReadOnlyList<ItemState> updates, LotFacts lots, IReadOnlyList<CustodyAlert> alerts, ItemVerification? verification = null) =>
        new(true, updates, lots, alerts, null, null, verification);

    /// <summary>A rejection.</summary>
    public static CustodyOutcome Rejected(string code, string message, IReadOnlyList<CustodyAlert> alerts) =>
        new(false, [], null, alerts, code, message, null);

    /// <inheritdoc/>
    public override string ToString() => IsAccepted ? $"accepted ({Updates.Count} updates)" : $"rejected {ErrorCode}: {Message}";
}

/// <summary>Stable rejection codes. NMVS codes where the EU FMD defines one, ledger codes otherwise.</summary>
public static class CustodyErrorCodes
{
    /// <summary>NMVS: undo does not match the pack status.</summary>
    public const string UndoStatusMismatch = "NMVS_NC_PCK_06";
    /// <summary>NMVS: status is already set.</summary>
    public const string StatusAlreadySet = "NMVS_NC_PCK_19";
    /// <summary>NMVS: undo timeframe (10 days) exceeded.</summary>
    public const string UndoTimeExceeded = "NMVS_NC_PCK_20";
    /// <summary>NMVS: undo by a different party or location.</summary>
    public const string UndoDifferentUser = "NMVS_NC_PCK_21";
    /// <summary>NMVS: pack is already inactive.</summary>
    public const string AlreadyInactive = "NMVS_NC_PCK_22";
    /// <summary>NMVS: status change could not be performed (dispense of a pack in Sample or FreeSample).</summary>
    public const string StatusChangeNotPossible = "NMVS_NC_PCK_27";
    /// <summary>The record's deps lack an item's latest record.</summary>
    public const string StaleDependency = "stale-dependency";
    /// <summary>A Commission named an existing serial.</summary>
    public const string AlreadyCommissioned = "already-commissioned";
    /// <summary>The author does not own the GTIN's company prefix and has no delegation.</summary>
    public const string PrefixNotOwned = "prefix-not-owned";
    /// <summary>The author does not own the GLN.</summary>
    public const string GlnNotOwned = "gln-not-owned";
    /// <summary>The lot is recalled.</summary>
    public const string LotRecalled = "lot-recalled";
    /// <summary>The product or lot is withdrawn.</summary>
    public const string Withdrawn = "withdrawn";
    /// <summary>The item is past its expiry date and the operation is not allowed for expired items.</summary>
    public const string Expired = "expired";
    /// <summary>The item is unknown.</summary>
    public const string UnknownItem = "unknown-item";
    /// <summary>The author is not the item's custodian.</summary>
    public const string NotCustodian = "not-custodian";
    /// <summary>The author is not the Ship's recipient.</summary>
    public const string NotRecipient = "not-recipient";
    /// <summary>The Ship is not in a certified block.</summary>
    public const string ShipNotCertified = "ship-not-certified";
    /// <summary>The Receive names items not in transit under its Ship.</summary>
    public const string ReceiveMismatch = "receive-mismatch";
    /// <summary>The item is inside a parent (act on the parent, or unpack it first).</summary>
    public const string InParent = "in-parent";
    /// <summary>The item is not a child of the named parent.</summary>
    public const string NotInParent = "not-in-parent";
    /// <summary>The item holds children (unpack it first).</summary>
    public const string HasChildren = "has-children";
    /// <summary>Packing would put an item inside itself.</summary>
    public const string PackCycle = "pack-cycle";
    /// <summary>The item is in transit.</summary>
    public const string InTransit = "in-transit";
    /// <summary>The item is not at the location the record names.</summary>
    public const string LocationMismatch = "location-mismatch";
    /// <summary>The item is Destroyed, Stolen, Recalled or Withdrawn.</summary>
    public const string TerminalState = "terminal-state";
    /// <summary>The author lacks the authority (brand owner or regulator).</summary>
    public const string NotAuthorised = "not-authorised";
}
