using Ledger.Engine.Lane;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;

namespace Ledger.Engine.Replication;

/// <summary>What a message between consortium nodes carries.</summary>
public enum ConsortiumMessageKind
{
    /// <summary>A block of the sender's lane: its encoding as records.md §5 defines it (signed header and signed batches).</summary>
    Block = 1,
    /// <summary>Cosignatures of one header: a certificate as records.md §6 defines it, with one or more cosignatures (a single cosignature, or an assembled certificate).</summary>
    Cosignatures = 2,
    /// <summary>A pull request (docs/spec/cluster.md §4): what the requester holds of each lane; answered, never pushed.</summary>
    PullRequest = 3,
    /// <summary>A range answer (docs/spec/cluster.md §4): blocks and certificates the requester lacks; the reply to a pull request only.</summary>
    RangeAnswer = 4,
}

/// <summary>
/// One message between nodes, transport-neutral: its kind and the signed bytes it carries, exactly as the protocol encodes
/// them, so any transport (in memory for tests, the cluster's) moves bytes and every receiver checks every signature itself.
/// On the wire: RLP [kind (uint), payload (bytes)].
/// </summary>
public sealed record ConsortiumMessage(ConsortiumMessageKind Kind, byte[] Payload)
{
    /// <summary>A block of the sender's lane.</summary>
    public static ConsortiumMessage ForBlock(Block block) => new(ConsortiumMessageKind.Block, block.Encode());

    /// <summary>Cosignatures (one, or an assembled certificate).</summary>
    public static ConsortiumMessage ForCosignatures(Certificate certificate) => new(ConsortiumMessageKind.Cosignatures, certificate.Encode());

    /// <summary>A pull request.</summary>
    public static ConsortiumMessage ForPullRequest(PullRequest request) => new(ConsortiumMessageKind.PullRequest, request.Encode());

    /// <summary>A range answer.</summary>
    public static ConsortiumMessage ForRangeAnswer(RangeAnswer answer) => new(ConsortiumMessageKind.RangeAnswer, answer.Encode());

    /// <summary>RLP [kind, payload].</summary>
    public byte[] Encode() => Rlp.Encode(RlpItem.List(RlpItem.UInt((ulong)Kind), RlpItem.Bytes(Payload)));

    /// <summary>Decodes a message (the payload is decoded by <see cref="ConsortiumReplicator.ReceiveAsync"/>).</summary>
    /// <exception cref="RlpException">Malformed, or an unknown kind.</exception>
    public static ConsortiumMessage Decode(ReadOnlySpan<byte> bytes)
    {
        const string f = "message";
        var l = Rlp.Decode(bytes).AsList(f).Expect(f, 2);
        var kind = l[0].AsString(f + ".kind").ToUInt64(f + ".kind");
        if (kind is not (1 or 2 or 3 or 4))
            throw new RlpException(f + ".kind", $"unknown message kind {kind}");
        return new ConsortiumMessage((ConsortiumMessageKind)kind, l[1].AsString(f + ".payload").Value.ToArray());
    }
}

/// <summary>How a node sends to the other nodes of the consortium (implemented in memory by tests, by the cluster in a network).</summary>
public interface IConsortiumTransport
{
    /// <summary>Sends <paramref name="message"/> from this node to every other node. Must not block on delivery or wait for an answer.</summary>
    void Publish(ConsortiumMessage message);
}

/// <summary>
/// Binds an engine to a transport: publishes the engine's own blocks, the cosignatures it releases (each recorded
/// durably before the event) and the certificates it assembles; hands received messages to the engine.
/// </summary>
public sealed class ConsortiumReplicator : IDisposable
{
    private readonly LedgerEngine _engine;
    private readonly IConsortiumTransport _transport;

    /// <summary>Subscribes to <paramref name="engine"/>'s events.</summary>
    public ConsortiumReplicator(LedgerEngine engine, IConsortiumTransport transport)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(transport);
        _engine = engine;
        _transport = transport;
        engine.BlockCommitted += OnBlock;
        engine.CosignatureReleased += OnCosignature;
        engine.Certified += OnCertified;
    }

    private void OnBlock(Block block) => _transport.Publish(ConsortiumMessage.ForBlock(block));

    private void OnCosignature(Ledger.Protocol.Crypto.Address lane, long height, Ledger.Protocol.Hash32 headerHash, Cosignature cosignature) =>
        _transport.Publish(ConsortiumMessage.ForCosignatures(new Certificate(lane, height, headerHash, [cosignature])));

    private void OnCertified(Certificate certificate) => _transport.Publish(ConsortiumMessage.ForCosignatures(certificate));

    /// <summary>Hands a message from another node to the engine; a payload that does not decode is refused (<c>malformed</c>).</summary>
    public Task<ApplyResult> ReceiveAsync(ConsortiumMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            return message.Kind switch
            {
                ConsortiumMessageKind.Block => _engine.ApplyBlockAsync(Block.Decode(message.Payload), cancellationToken),
                ConsortiumMessageKind.Cosignatures => _engine.AddCertificateAsync(Certificate.Decode(message.Payload), cancellationToken),
                // A pull request is answered by the peer layer and a range answer applied by RangePull: neither is pushed.
                ConsortiumMessageKind.PullRequest or ConsortiumMessageKind.RangeAnswer =>
                    Task.FromResult(new ApplyResult(ApplyStatus.Rejected, "not-pushed", $"a {message.Kind} message is a request or its answer, not a pushed message")),
                _ => Task.FromResult(new ApplyResult(ApplyStatus.Rejected, "malformed", $"unknown message kind {message.Kind}")),
            };
        }
        catch (Exception e) when (e is RlpException or RecordFormatException)
        {
            return Task.FromResult(new ApplyResult(ApplyStatus.Rejected, "malformed", $"{message.Kind} payload: {e.Message}"));
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _engine.BlockCommitted -= OnBlock;
        _engine.CosignatureReleased -= OnCosignature;
        _engine.Certified -= OnCertified;
    }
}
