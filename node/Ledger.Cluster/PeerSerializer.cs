using Akka.Actor;
using Akka.Serialization;

namespace Ledger.Cluster;

/// <summary>The answer a receiver gives a sender once an envelope was handed on (or refused): it only stops retries.</summary>
/// <param name="Accepted">False when the envelope was refused (not signed by a member, malformed).</param>
public sealed record PeerAck(bool Accepted);

/// <summary>
/// The node's own serializer for everything it sends between nodes: <see cref="PeerEnvelope"/> as its RLP bytes, unchanged,
/// and <see cref="PeerAck"/> as one byte. No reflection-based serialization of remote messages: the bindings in
/// <see cref="PeerHocon.Serialization"/> route both types here, and Akka refuses any other type from a peer.
/// </summary>
public sealed class PeerSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id on the wire (Akka reserves 0–40).</summary>
    public const int Id = 1717;

    private const string EnvelopeManifest = "e";
    private const string AckManifest = "a";

    /// <inheritdoc/>
    public override int Identifier => Id;

    /// <inheritdoc/>
    public override string Manifest(object o) => o switch
    {
        PeerEnvelope => EnvelopeManifest,
        PeerAck => AckManifest,
        _ => throw new ArgumentException($"{o?.GetType()} is not a peer message", nameof(o)),
    };

    /// <inheritdoc/>
    public override byte[] ToBinary(object obj) => obj switch
    {
        PeerEnvelope e => e.Encode(),
        PeerAck a => [a.Accepted ? (byte)1 : (byte)0],
        _ => throw new ArgumentException($"{obj?.GetType()} is not a peer message", nameof(obj)),
    };

    /// <inheritdoc/>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return manifest switch
        {
            EnvelopeManifest => PeerEnvelope.Decode(bytes),
            AckManifest when bytes.Length == 1 && bytes[0] <= 1 => new PeerAck(bytes[0] == 1),
            AckManifest => throw new PeerEnvelopeException("ack", "malformed", "an ack is one byte, 0 or 1"),
            _ => throw new PeerEnvelopeException("manifest", "unknown", $"unknown peer message manifest '{manifest}'"),
        };
    }
}

/// <summary>The HOCON the peer layer runs with (shared by the node and the tests).</summary>
public static class PeerHocon
{
    /// <summary>
    /// The largest Akka.Remote frame a node takes (docs/spec/cluster.md §2): a range answer carries up to 16 MiB of entries,
    /// or one larger block alone; the default (128,000 bytes) is below one busy block.
    /// </summary>
    public const int MaximumFrameSize = 32 * 1024 * 1024;

    /// <summary>Sets Akka.Remote's frame size to <see cref="MaximumFrameSize"/>.</summary>
    public const string FrameSize = "akka.remote.dot-netty.tcp.maximum-frame-size = 33554432b";

    /// <summary>Binds the peer messages to <see cref="PeerSerializer"/>.</summary>
    public const string Serialization = """
        akka.actor {
          serializers { ledger-peer = "Ledger.Cluster.PeerSerializer, Ledger.Cluster" }
          serialization-bindings {
            "Ledger.Cluster.PeerEnvelope, Ledger.Cluster" = ledger-peer
            "Ledger.Cluster.PeerAck, Ledger.Cluster" = ledger-peer
          }
        }
        """;
}
