using Akka.Actor;
using Akka.Event;
using Ledger.Engine.Lane;
using Ledger.Engine.Replication;
using Address = Ledger.Protocol.Crypto.Address;

namespace Ledger.Cluster;

/// <summary>
/// The actor every peer sends to (at <see cref="Path"/>): opens each envelope — sender a consortium node, signature the
/// sender's — before anything else, then hands the message to the engine (<see cref="ConsortiumReplicator.ReceiveAsync"/>,
/// the one way in) and acknowledges it. A refused envelope changes nothing and is counted against its claimed sender.
/// </summary>
public sealed class PeerReceiver : ReceiveActor
{
    /// <summary>The actor's name under /user.</summary>
    public const string Name = "ledger-peer";

    /// <summary>Its path on every node.</summary>
    public const string Path = "/user/" + Name;

    /// <summary>Creates the actor's props.</summary>
    /// <param name="members">The consortium's node addresses.</param>
    /// <param name="self">This node's address.</param>
    /// <param name="deliver">Hands an opened message to the engine (a replicator's <c>ReceiveAsync</c>).</param>
    /// <param name="stats">Where counters go.</param>
    /// <param name="time">The clock for last-message times.</param>
    public static Props Props(IReadOnlySet<Address> members, Address self, Func<ConsortiumMessage, Task<ApplyResult>> deliver, PeerStats stats, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new PeerReceiver(members, self, deliver, stats, time));

    public PeerReceiver(IReadOnlySet<Address> members, Address self, Func<ConsortiumMessage, Task<ApplyResult>> deliver, PeerStats stats, TimeProvider time)
    {
        ReceiveAsync<PeerEnvelope>(async envelope =>
        {
            ConsortiumMessage message;
            try
            {
                message = envelope.Open(members, self);
            }
            catch (PeerEnvelopeException e)
            {
                if (members.Contains(envelope.Sender))
                    stats.For(envelope.Sender).CountRefused();
                else
                    stats.CountRefusedNonMember();
                Context.GetLogger().Warning("peer envelope refused ({0}, {1}): {2}", e.Field, e.Rule, e.Message);
                Sender.Tell(new PeerAck(false));
                return;
            }
            var sender = Sender;
            // Counted before the engine answers: the engine's own refusals (a bad block) are its evidence and metrics.
            stats.For(envelope.Sender).CountReceived(time.GetUtcNow().ToUnixTimeMilliseconds());
            try
            {
                await deliver(message);
                sender.Tell(new PeerAck(true));
            }
            catch (LaneFailedException e)
            {
                // The engine stopped: no ack, so the sender retries once the node is back.
                Context.GetLogger().Error("engine refused a peer message: {0}", e.Message);
            }
        });
    }
}
