using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Blocks;

/// <summary>A node's cosignature on [lane, height, header hash] (§6).</summary>
public sealed record Cosignature(Address Node, Signature Signature)
{
    /// <summary>SHA-256("ledger/cosign/v1" || 0x00 || RLP([lane, height, headerHash])).</summary>
    public static Hash32 Statement(Address lane, long height, Hash32 headerHash) =>
        DomainTags.Hash(DomainTags.Cosign, Rlp.Rlp.Encode(RlpItem.List(Wire.ToRlp(lane), RlpItem.UInt((ulong)height), RlpItem.Hash(headerHash))));

    /// <summary>Cosigns a header with a node key.</summary>
    public static Cosignature Create(BlockHeader header, PrivateKey nodeKey)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(nodeKey);
        return new Cosignature(nodeKey.Address, nodeKey.Sign(Statement(header.Lane, header.Height, header.Hash())));
    }
}

/// <summary>
/// Cosignatures over one header (§6). Certified for a consortium of n nodes with valid cosignatures from at least
/// q = ⌊2n/3⌋ + 1 distinct consortium nodes.
/// </summary>
public sealed record Certificate
{
    /// <summary>Creates a certificate; cosignatures are sorted by node address and must be one per node.</summary>
    public Certificate(Address lane, long height, Hash32 headerHash, IEnumerable<Cosignature> cosignatures)
    {
        Lane = lane;
        Height = height;
        HeaderHash = headerHash;
        var sorted = cosignatures.OrderBy(c => c.Node).ToList();
        for (var i = 1; i < sorted.Count; i++)
            if (sorted[i - 1].Node == sorted[i].Node)
                throw new RecordFormatException($"certificate.cosignatures[{i}]", "duplicate", $"node {sorted[i].Node} cosigns twice");
        Cosignatures = sorted;
    }

    /// <summary>The lane.</summary>
    public Address Lane { get; }
    /// <summary>The height.</summary>
    public long Height { get; }
    /// <summary>The certified header's hash.</summary>
    public Hash32 HeaderHash { get; }
    /// <summary>Cosignatures sorted by node address.</summary>
    public IReadOnlyList<Cosignature> Cosignatures { get; }

    /// <summary>The quorum for <paramref name="nodeCount"/> nodes: ⌊2n/3⌋ + 1.</summary>
    public static int Quorum(int nodeCount) => nodeCount < 1
        ? throw new ArgumentOutOfRangeException(nameof(nodeCount), "a consortium has at least one node")
        : 2 * nodeCount / 3 + 1;

    /// <summary>
    /// Checks this certificate certifies <paramref name="header"/> under the consortium's node set, with
    /// <paramref name="quorum"/> valid cosignatures (default ⌊2n/3⌋ + 1; a consortium file may set a higher one, which its
    /// <c>ConsortiumDefinition.Quorum</c> gives).
    /// </summary>
    public VerificationResult Verify(BlockHeader header, IReadOnlySet<Address> consortiumNodes, int? quorum = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(consortiumNodes);
        if (header.Lane != Lane || header.Height != Height || header.Hash() != HeaderHash)
            return VerificationResult.Fail("certificate-header", $"certificate is for lane {Lane} height {Height} hash {HeaderHash}, not this header");
        var statement = Cosignature.Statement(Lane, Height, HeaderHash);
        var valid = 0;
        foreach (var c in Cosignatures)
        {
            if (!consortiumNodes.Contains(c.Node))
                return VerificationResult.Fail("cosigner-unknown", $"cosignature by {c.Node}, which is not a consortium node");
            var check = Signatures.VerifySigner(statement, c.Signature, c.Node, "cosignature", $"cosignature of {c.Node}");
            if (!check.IsValid)
                return check;
            valid++;
        }
        var q = quorum ?? Quorum(consortiumNodes.Count);
        return valid >= q
            ? VerificationResult.Valid
            : VerificationResult.Fail("quorum", $"{valid} valid cosignatures, quorum is {q} of {consortiumNodes.Count}");
    }

    /// <summary>RLP: [lane, height, headerHash, [[node, signature]…]].</summary>
    public RlpList ToRlp() => RlpItem.List(Wire.ToRlp(Lane), RlpItem.UInt((ulong)Height), RlpItem.Hash(HeaderHash),
        RlpItem.List(Cosignatures.Select(c => RlpItem.List(Wire.ToRlp(c.Node), Wire.ToRlp(c.Signature)))));

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode() => Rlp.Rlp.Encode(ToRlp());

    /// <summary>Decodes a certificate (structure only; call <see cref="Verify"/>).</summary>
    public static Certificate Decode(ReadOnlySpan<byte> encoded)
    {
        var copy = encoded.ToArray();
        return Wire.Decode(() =>
        {
            const string f = "certificate";
            var l = Rlp.Rlp.Decode(copy).AsList(f).Expect(f, 4);
            var cos = l[3].AsList(f + ".cosignatures").Items.Select((c, i) =>
            {
                var g = $"{f}.cosignatures[{i}]";
                var x = c.AsList(g).Expect(g, 2);
                return new Cosignature(Wire.Address(x[0], g + ".node"), Wire.Signature(x[1], g + ".signature"));
            }).ToList();
            for (var i = 1; i < cos.Count; i++)
                if (cos[i - 1].Node.CompareTo(cos[i].Node) >= 0)
                    throw new RecordFormatException($"{f}.cosignatures[{i}]", "sorted-set", "cosignatures are sorted by node, one per node");
            var height = Wire.UInt(l[1], f + ".height");
            if (height is 0 or > long.MaxValue)
                throw new RecordFormatException(f + ".height", "value", "heights start at 1");
            return new Certificate(Wire.Address(l[0], f + ".lane"), (long)height, Wire.Hash(l[2], f + ".headerHash"), cos);
        });
    }
}
