namespace Ledger.Protocol.Records;

/// <summary>Record kinds. Frozen wire values (docs/spec/records.md §3.1): never renumber.</summary>
public enum RecordKind : byte
{
    /// <summary>Serials of one GTIN/lot/expiry brought into the supply chain at a site.</summary>
    Commission = 1,
    /// <summary>Children put into a parent (case, SSCC pallet); children move with it.</summary>
    Pack = 2,
    /// <summary>Children taken out of a parent.</summary>
    Unpack = 3,
    /// <summary>Items sent from a location to a party and location.</summary>
    Ship = 4,
    /// <summary>Items received against a certified Ship, with discrepancies.</summary>
    Receive = 5,
    /// <summary>A scan that asks whether a product identifier is genuine; the node computes the answer.</summary>
    Verify = 6,
    /// <summary>Items taken out of the saleable supply chain (dispensed, destroyed, stolen …).</summary>
    Decommission = 7,
    /// <summary>Undo of a decommission by the same party and location within the undo window.</summary>
    Reactivate = 8,
    /// <summary>Recall per lot or serial by the brand owner or a regulator. Irreversible.</summary>
    Recall = 9,
    /// <summary>Withdrawal of a product or lot by the brand owner or a regulator. Irreversible.</summary>
    Withdraw = 10,
    /// <summary>Sensor readings (cold chain) about items at a location.</summary>
    Observation = 11,
}

/// <summary>Decommission states, after the EU FMD pack states. Frozen wire values (§3.3).</summary>
public enum DecommissionState : byte
{
    /// <summary>Dispensed to a patient (FMD "Supplied").</summary>
    Supplied = 1,
    /// <summary>Destroyed.</summary>
    Destroyed = 2,
    /// <summary>Stolen.</summary>
    Stolen = 3,
    /// <summary>Taken as a sample.</summary>
    Sample = 4,
    /// <summary>Given as a free sample.</summary>
    FreeSample = 5,
    /// <summary>Exported out of the market.</summary>
    Exported = 6,
    /// <summary>Locked pending investigation.</summary>
    Locked = 7,
    /// <summary>Checked out (e.g. to a hospital ward).</summary>
    CheckedOut = 8,
}

/// <summary>Receive discrepancy codes. Frozen wire values (§3.2).</summary>
public enum DiscrepancyCode : byte
{
    /// <summary>Shipped but not received.</summary>
    Missing = 1,
    /// <summary>Received but not shipped.</summary>
    Extra = 2,
    /// <summary>Received damaged.</summary>
    Damaged = 3,
}
