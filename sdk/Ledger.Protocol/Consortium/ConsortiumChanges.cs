using System.Globalization;
using Ledger.Protocol.Crypto;

namespace Ledger.Protocol.Consortium;

/// <summary>
/// Signed changes of the consortium (docs/spec/consortium.md, "Signed changes"): a node signs a version with its node key,
/// and a node accepts a new version only when it is the next version of the one it holds and carries the previous
/// version's <see cref="ConsortiumDefinition.Threshold"/> signatures of the previous version's nodes. A first version
/// (one a node holds no earlier version of) is accepted when its own nodes signed it with its own threshold.
/// </summary>
public static class ConsortiumChanges
{
    /// <summary>The definition with <paramref name="key"/>'s signature added (validated; an earlier signature by the same key is replaced).</summary>
    /// <exception cref="ConsortiumFormatException">The definition breaks a rule, or a signature it already carries does not verify.</exception>
    public static ConsortiumDefinition Sign(ConsortiumDefinition definition, PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(key);
        ConsortiumFile.Validate(definition);
        var signature = key.Sign(ConsortiumFile.SigningDigest(definition));
        return definition with { Signatures = [.. definition.Signatures.Where(s => s.Node != key.Address), new ConsortiumSignature(key.Address, signature)] };
    }

    /// <summary>The signers (of <see cref="ConsortiumDefinition.Signatures"/>, which <see cref="ConsortiumFile.Validate"/> verifies) that are nodes of <paramref name="of"/>.</summary>
    public static IReadOnlyList<Address> SignersAmong(ConsortiumDefinition signed, ConsortiumDefinition of)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(of);
        var members = of.Nodes.Select(n => n.Address).ToHashSet();
        return [.. signed.Signatures.Select(s => s.Node).Where(members.Contains)];
    }

    /// <summary>Checks that <paramref name="next"/> may replace <paramref name="current"/> (or, with <paramref name="current"/> null, may be a first version).</summary>
    /// <exception cref="ConsortiumFormatException">
    /// A rule of <see cref="ConsortiumFile.Validate"/>; field <c>version</c> rule <c>successor</c> (not current + 1), or field
    /// <c>signatures</c> rule <c>threshold</c> (too few signatures of the signing nodes); or field <c>name</c> rule <c>successor</c> (another consortium).
    /// </exception>
    public static void CheckSuccessor(ConsortiumDefinition? current, ConsortiumDefinition next)
    {
        ArgumentNullException.ThrowIfNull(next);
        ConsortiumFile.Validate(next);
        var signing = current ?? next;
        if (current is not null)
        {
            if (!string.Equals(current.Name, next.Name, StringComparison.Ordinal))
                throw new ConsortiumFormatException("name", "successor", $"\"{next.Name}\" is another consortium than \"{current.Name}\"");
            if (next.Version != current.Version + 1)
                throw new ConsortiumFormatException("version", "successor",
                    string.Create(CultureInfo.InvariantCulture, $"must be {current.Version + 1} (the version held is {current.Version}), found {next.Version}"));
        }
        var signers = SignersAmong(next, signing);
        if (signers.Count < signing.Threshold)
            throw new ConsortiumFormatException("signatures", "threshold", string.Create(CultureInfo.InvariantCulture,
                $"carries {signers.Count} signature(s) of the {signing.Nodes.Count} node(s) of version {signing.Version}; {signing.Threshold} needed"));
    }
}
