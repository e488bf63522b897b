using System.Collections.Frozen;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;

namespace Ledger.Protocol.Consortium;

/// <summary>Fast lookups over a <see cref="ConsortiumDefinition"/> (thread-safe, immutable).</summary>
public sealed class ConsortiumDirectory
{
    private readonly FrozenDictionary<Address, Party> _byAddress;
    private readonly FrozenDictionary<string, Party> _byName;
    private readonly FrozenDictionary<string, Party> _byGln;
    private readonly FrozenDictionary<Address, IReadOnlyCollection<string>> _glns;
    private readonly FrozenDictionary<Address, IReadOnlyCollection<string>> _prefixes;
    private readonly FrozenDictionary<Address, IReadOnlyCollection<string>> _delegated;

    /// <summary>Indexes the definition.</summary>
    public ConsortiumDirectory(ConsortiumDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Definition = definition;
        _byAddress = definition.Parties.ToFrozenDictionary(p => p.Address);
        _byName = definition.Parties.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
        _byGln = definition.Parties.SelectMany(p => p.Glns.Select(g => (g, p))).ToFrozenDictionary(x => x.g, x => x.p, StringComparer.Ordinal);
        _glns = definition.Parties.ToFrozenDictionary(p => p.Address, p => (IReadOnlyCollection<string>)p.Glns.ToFrozenSet(StringComparer.Ordinal));
        _prefixes = definition.Parties.ToFrozenDictionary(p => p.Address, p => (IReadOnlyCollection<string>)[.. p.CompanyPrefixes]);
        _delegated = definition.Parties.ToFrozenDictionary(p => p.Address, p => (IReadOnlyCollection<string>)p.DelegatedGtins.ToFrozenSet(StringComparer.Ordinal));
        NodeAddresses = definition.Nodes.Select(n => n.Address).ToFrozenSet();
    }

    /// <summary>The definition this directory indexes.</summary>
    public ConsortiumDefinition Definition { get; }

    /// <summary>The node addresses (cosigners).</summary>
    public IReadOnlySet<Address> NodeAddresses { get; }

    /// <summary>The party with this address, or null.</summary>
    public Party? Find(Address address) => _byAddress.GetValueOrDefault(address);

    /// <summary>The party with this name, or null.</summary>
    public Party? FindByName(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The party owning this GLN, or null.</summary>
    public Party? OwnerOfGln(string gln) => _byGln.GetValueOrDefault(gln);

    /// <summary>The party whose company prefix the GTIN-14 starts with (after its indicator digit), or null.</summary>
    public Party? BrandOwnerOf(string gtin14) =>
        Definition.Parties.FirstOrDefault(p => p.CompanyPrefixes.Any(c => gtin14.AsSpan(1).StartsWith(c, StringComparison.Ordinal)));

    /// <summary>The party's GLNs (empty for an unknown party).</summary>
    public IReadOnlyCollection<string> Glns(Address party) => _glns.GetValueOrDefault(party) ?? [];

    /// <summary>The party's company prefixes (empty for an unknown party).</summary>
    public IReadOnlyCollection<string> CompanyPrefixes(Address party) => _prefixes.GetValueOrDefault(party) ?? [];

    /// <summary>The GTINs delegated to the party (empty for an unknown party).</summary>
    public IReadOnlyCollection<string> DelegatedGtins(Address party) => _delegated.GetValueOrDefault(party) ?? [];

    /// <summary>The party's roles (None for an unknown party).</summary>
    public PartyRoles Roles(Address party) => _byAddress.TryGetValue(party, out var p) ? p.Roles : PartyRoles.None;
}
