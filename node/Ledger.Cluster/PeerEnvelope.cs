using Ledger.Engine.Replication;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Rlp;

namespace Ledger.Cluster;

/// <summary>Why an envelope from a peer was refused before its message reached the engine.</summary>
public sealed class PeerEnvelopeException : Exception
{
    /// <summary>Refused at <paramref name="field"/> for breaking <paramref name="rule"/>.</summary>
    public PeerEnvelopeException(string field, string rule, string message) : base($"{field}: {message}")
    {
        Field = field;
        Rule = rule;
    }

    public PeerEnvelopeException() : this("envelope", "malformed", "malformed envelope") { }

    public PeerEnvelopeException(string message) : this("envelope", "malformed", message) { }

    public PeerEnvelopeException(string message, Exception innerException) : base(message, innerException)
    {
        Field = "envelope";
        Rule = "malformed";
    }

    /// <summary>The field that was wrong (e.g. <c>envelope.signature</c>).</summary>
    public string Field { get; }

    /// <summary>The rule it broke (e.g. <c>signature</c>, <c>not-a-member</c>, <c>malformed</c>).</summary>
    public string Rule { get; }
}

/// <summary>
/// What one consortium node sends another over the cluster (docs/spec/cluster.md §1): RLP [version, sender node
/// address (20 bytes), the <see cref="ConsortiumMessage"/> bytes, the sender's signature (65 bytes)] with the signature
/// over SHA-256(<c>ledger/peer/v1</c> ‖ 0x00 ‖ RLP [sender, message]). Encoding, decoding and the check are here only.
/// </summary>
public sealed record PeerEnvelope(Address Sender, byte[] Message, Signature Signature)
{
    /// <summary>The domain tag of the signed statement.</summary>
    public const string DomainTag = "ledger/peer/v1";

    /// <summary>The envelope format version.</summary>
    public const ulong Version = 1;

    /// <summary>Envelopes longer than this are refused before decoding (a block is bounded well below it).</summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    /// <summary>The digest the sender signs.</summary>
    public static Hash32 Statement(Address sender, ReadOnlySpan<byte> message) =>
        DomainTags.Hash(DomainTag, Rlp.Encode(RlpItem.List(RlpItem.Bytes(sender.ToBytes()), RlpItem.Bytes(message.ToArray()))));

    /// <summary>Signs <paramref name="message"/> as node <paramref name="nodeKey"/>.</summary>
    public static PeerEnvelope Seal(ConsortiumMessage message, PrivateKey nodeKey)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(nodeKey);
        var bytes = message.Encode();
        return new PeerEnvelope(nodeKey.Address, bytes, nodeKey.Sign(Statement(nodeKey.Address, bytes)));
    }

    /// <summary>RLP [version, sender, message, signature].</summary>
    public byte[] Encode() => Rlp.Encode(RlpItem.List(RlpItem.UInt(Version), RlpItem.Bytes(Sender.ToBytes()), RlpItem.Bytes(Message),
        RlpItem.Bytes(Signature.ToBytes())));

    /// <summary>Decodes an envelope (shape only; <see cref="Open"/> checks it).</summary>
    /// <exception cref="PeerEnvelopeException">Malformed, naming the field.</exception>
    public static PeerEnvelope Decode(ReadOnlySpan<byte> bytes)
    {
        const string f = "envelope";
        if (bytes.Length > MaxBytes)
            throw new PeerEnvelopeException(f, "size", $"{bytes.Length} bytes, at most {MaxBytes} are accepted");
        try
        {
            var l = Rlp.Decode(bytes).AsList(f).Expect(f, 4);
            var version = l[0].AsString(f + ".version").ToUInt64(f + ".version");
            if (version != Version)
                throw new PeerEnvelopeException(f + ".version", "version", $"envelope version {version} is not supported (this software reads version {Version})");
            var sender = new Address(l[1].AsString(f + ".sender").ToFixed(f + ".sender", 20));
            var message = l[2].AsString(f + ".message").Value.ToArray();
            var sig = l[3].AsString(f + ".signature").ToFixed(f + ".signature", Signature.Length);
            if (!Signature.TryFromBytes(sig, out var signature) || !signature.IsLowS)
                throw new PeerEnvelopeException(f + ".signature", "signature", "not a valid low-s secp256k1 signature");
            return new PeerEnvelope(sender, message, signature);
        }
        catch (RlpException e)
        {
            throw new PeerEnvelopeException(e.Field, "malformed", e.Message);
        }
    }

    /// <summary>
    /// The check every receiver makes before anything else: the sender is a node of the consortium (and not this node),
    /// the signature recovers to the sender, and the message decodes.
    /// </summary>
    /// <exception cref="PeerEnvelopeException">Refused, naming the field and the rule; nothing was handed on.</exception>
    public ConsortiumMessage Open(IReadOnlySet<Address> members, Address self)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (!members.Contains(Sender))
            throw new PeerEnvelopeException("envelope.sender", "not-a-member", $"{Sender} is not a node of the consortium");
        if (Sender == self)
            throw new PeerEnvelopeException("envelope.sender", "self", $"{Sender} is this node");
        var recovered = Secp256k1.Recover(Statement(Sender, Message), Signature);
        if (recovered is null || recovered.ToAddress() != Sender)
            throw new PeerEnvelopeException("envelope.signature", "signature", $"the signature is not {Sender}'s over this message");
        try
        {
            return ConsortiumMessage.Decode(Message);
        }
        catch (RlpException e)
        {
            throw new PeerEnvelopeException("envelope.message", "malformed", e.Message);
        }
    }
}
