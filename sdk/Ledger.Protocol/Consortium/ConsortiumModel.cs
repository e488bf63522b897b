using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;

namespace Ledger.Protocol.Consortium;

/// <summary>A legal entity of the consortium: its key's address, the locations and company prefixes it owns, its roles.</summary>
/// <param name="Name">A short unique name (letters, digits, '-', '_'); also the name of its key and token files on its hosting node.</param>
/// <param name="Address">The party id: the Ethereum address of its secp256k1 key.</param>
/// <param name="Roles">What it may do beyond custody (e.g. a regulator recalls any product).</param>
/// <param name="Glns">The GLN-13s of its locations.</param>
/// <param name="CompanyPrefixes">The GS1 company prefixes it owns (4 to 12 digits): it may commission GTINs under them.</param>
/// <param name="DelegatedGtins">GTIN-14s it may commission for their brand owner (a contract manufacturer).</param>
/// <param name="Node">The address of the node that hosts it (writes its records into that node's lane).</param>
public sealed record Party(
    string Name,
    Address Address,
    PartyRoles Roles,
    IReadOnlyList<string> Glns,
    IReadOnlyList<string> CompanyPrefixes,
    IReadOnlyList<string> DelegatedGtins,
    Address Node);

/// <summary>A node of the consortium: the key that signs its lane's headers and cosigns others', and where to reach it.</summary>
/// <param name="Name">A short unique name.</param>
/// <param name="Address">The node id: the Ethereum address of the node key (also its lane id).</param>
/// <param name="Endpoint">Its base URL for other nodes and clients; empty when not published.</param>
public sealed record ConsortiumNode(string Name, Address Address, string Endpoint)
{
    /// <summary>Where its peer layer listens, <c>host:port</c> (a DNS name, an IPv4 literal or a bracketed IPv6 literal); empty when not published.</summary>
    public string Cluster { get; init; } = "";

    /// <summary>The SHA-256 of its TLS certificate (DER) as 64 lowercase hex digits, pinned by its peers; empty when not set.</summary>
    public string TlsFingerprint { get; init; } = "";
}

/// <summary>
/// The consortium at one version: nodes and parties. Immutable; <see cref="ConsortiumDirectory"/> answers lookups.
/// The file form (<c>consortium.json</c>) is read and written by <c>ConsortiumFile</c>.
/// </summary>
/// <param name="Name">The consortium's name.</param>
/// <param name="Version">Increases with every change.</param>
/// <param name="Nodes">The nodes (at least one).</param>
/// <param name="Parties">The parties.</param>
public sealed record ConsortiumDefinition(string Name, long Version, IReadOnlyList<ConsortiumNode> Nodes, IReadOnlyList<Party> Parties)
{
    /// <summary>The <c>quorum</c> member as given, or null when the file leaves it out (then <see cref="Quorum"/> is ⌊2n/3⌋+1).</summary>
    public int? QuorumSetting { get; init; }

    /// <summary>The <c>threshold</c> member as given, or null when the file leaves it out (then <see cref="Threshold"/> is the quorum).</summary>
    public int? ThresholdSetting { get; init; }

    /// <summary>The node signatures over <see cref="ConsortiumFile.SigningDigest"/> of this definition (without its signatures).</summary>
    public IReadOnlyList<ConsortiumSignature> Signatures { get; init; } = [];

    /// <summary>The certificate quorum for this consortium: the <c>quorum</c> member, by default ⌊2n/3⌋+1 of its n nodes. The one place engine and node read it.</summary>
    public int Quorum => QuorumSetting ?? Ledger.Protocol.Blocks.Certificate.Quorum(Nodes.Count);

    /// <summary>How many signatures of this version's nodes the next version needs (M of N): the <c>threshold</c> member, by default the quorum.</summary>
    public int Threshold => ThresholdSetting ?? Quorum;
}

/// <summary>A node's signature of a consortium version.</summary>
/// <param name="Node">The signing node's address.</param>
/// <param name="Signature">Its secp256k1 signature over <see cref="ConsortiumFile.SigningDigest"/>.</param>
public sealed record ConsortiumSignature(Address Node, Signature Signature);
