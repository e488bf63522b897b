using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;

namespace Ledger.Protocol.Custody;

/// <summary>Party roles from the consortium directory.</summary>
[Flags]
public enum PartyRoles
{
    /// <summary>No role.</summary>
    None = 0,
    /// <summary>Commissions products.</summary>
    Manufacturer = 1,
    /// <summary>Distributes.</summary>
    Wholesaler = 2,
    /// <summary>Dispenses to patients.</summary>
    Dispenser = 4,
    /// <summary>A competent authority: may recall and withdraw any product.</summary>
    Regulator = 8,
}

/// <summary>What the custody rules need from outside: the consortium directory, certification, and the current state.</summary>
public interface ICustodyContext
{
    /// <summary>The GS1 company prefixes the party owns (brand owner authority).</summary>
    IReadOnlyCollection<string> CompanyPrefixes(Address party);

    /// <summary>GTIN-14s the party may commission on behalf of their brand owner (e.g. a contract manufacturer).</summary>
    IReadOnlyCollection<string> DelegatedGtins(Address party);

    /// <summary>The GLNs the party owns.</summary>
    IReadOnlyCollection<string> Glns(Address party);

    /// <summary>The party's roles.</summary>
    PartyRoles Roles(Address party);

    /// <summary>True when the Ship record is in a certified block.</summary>
    bool IsShipCertified(Hash32 shipRecord);

    /// <summary>The item's current state, or null when it was never commissioned (or packed, for an SSCC).</summary>
    ItemState? Get(ItemId item);

    /// <summary>The current lot-level facts.</summary>
    LotFacts Lots { get; }
}

/// <summary>A dictionary-backed <see cref="ICustodyContext"/> for tests and embedded use. Not thread-safe.</summary>
public sealed class InMemoryCustodyContext : ICustodyContext
{
    private readonly Dictionary<Address, HashSet<string>> _prefixes = [];
    private readonly Dictionary<Address, HashSet<string>> _delegations = [];
    private readonly Dictionary<Address, HashSet<string>> _glns = [];
    private readonly Dictionary<Address, PartyRoles> _roles = [];
    private readonly HashSet<Hash32> _certified = [];
    private readonly Dictionary<ItemId, ItemState> _items = [];

    /// <summary>When true, every Ship counts as certified (a single-node ledger, q = 1).</summary>
    public bool CertifyAllShips { get; set; }

    /// <inheritdoc/>
    public LotFacts Lots { get; private set; } = LotFacts.Empty;

    /// <summary>Every stored item state.</summary>
    public IReadOnlyDictionary<ItemId, ItemState> Items => _items;

    /// <summary>Registers a party with its roles, GLNs, company prefixes and delegated GTINs.</summary>
    public InMemoryCustodyContext AddParty(Address party, PartyRoles roles, IEnumerable<string> glns, IEnumerable<string>? prefixes = null, IEnumerable<string>? delegatedGtins = null)
    {
        _roles[party] = roles;
        _glns[party] = [.. glns];
        _prefixes[party] = [.. prefixes ?? []];
        _delegations[party] = [.. delegatedGtins ?? []];
        return this;
    }

    /// <summary>Marks a Ship record as certified.</summary>
    public void Certify(Hash32 shipRecord) => _certified.Add(shipRecord);

    /// <summary>Writes an accepted outcome's states and lot facts; a rejection writes nothing.</summary>
    public void Commit(CustodyOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!outcome.IsAccepted)
            return;
        foreach (var s in outcome.Updates)
            _items[s.Item] = s;
        Lots = outcome.Lots!;
    }

    /// <summary>Applies the record and commits the outcome when accepted.</summary>
    public CustodyOutcome Apply(LedgerRecord record)
    {
        var outcome = CustodyRules.Apply(record, this);
        Commit(outcome);
        return outcome;
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> CompanyPrefixes(Address party) => _prefixes.TryGetValue(party, out var s) ? s : [];

    /// <inheritdoc/>
    public IReadOnlyCollection<string> DelegatedGtins(Address party) => _delegations.TryGetValue(party, out var s) ? s : [];

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Glns(Address party) => _glns.TryGetValue(party, out var s) ? s : [];

    /// <inheritdoc/>
    public PartyRoles Roles(Address party) => _roles.TryGetValue(party, out var r) ? r : PartyRoles.None;

    /// <inheritdoc/>
    public bool IsShipCertified(Hash32 shipRecord) => CertifyAllShips || _certified.Contains(shipRecord);

    /// <inheritdoc/>
    public ItemState? Get(ItemId item) => _items.TryGetValue(item, out var s) ? s : null;
}
