using Akka.Actor;
using Akka.Event;
using Ledger.Engine.Lane;
using Ledger.Engine.Replication;
using Ledger.Protocol.Crypto;
using Address = Ledger.Protocol.Crypto.Address;

namespace Ledger.Cluster;

/// <summary>How a receiver answers pull requests (docs/spec/cluster.md §4): the node key that signs the answer, and the answer from the store.</summary>
/// <param name="Key">The node key (signs every range answer).</param>
/// <param name="Answer">The answer to a requester's request (a <see cref="RangePull"/>'s <c>Answer</c>).</param>
public sealed record PullAnswering(PrivateKey Key, Func<Address, PullRequest, RangeAnswer> Answer);

/// <summary>
/// The actor every peer sends to (at <see cref="Path"/>): opens each envelope — sender a consortium node, signature the
/// sender's — before anything else, then hands a pushed message to the engine (<see cref="ConsortiumReplicator.ReceiveAsync"/>,
/// the one way in) and acknowledges it, or answers a pull request with a range answer signed by this node. A refused
/// envelope changes nothing and is counted against its claimed sender.
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
    /// <param name="pulls">How pull requests are answered; without it they are refused (ack 0).</param>
    public static Props Props(IReadOnlySet<Address> members, Address self, Func<ConsortiumMessage, Task<ApplyResult>> deliver, PeerStats stats, TimeProvider time,
        PullAnswering? pulls = null) =>
        Akka.Actor.Props.Create(() => new PeerReceiver(members, self, deliver, stats, time, pulls));

    public PeerReceiver(IReadOnlySet<Address> members, Address self, Func<ConsortiumMessage, Task<ApplyResult>> deliver, PeerStats stats, TimeProvider time,
        PullAnswering? pulls)
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
            switch (message.Kind)
            {
                case ConsortiumMessageKind.PullRequest:
                    await AnswerAsync(envelope.Sender, message, sender);
                    return;
                case ConsortiumMessageKind.RangeAnswer:
                    // An answer is only taken as the reply to this node's own request (PeerPuller).
                    Refuse(envelope.Sender, sender, "envelope.message", "unsolicited", "a range answer that answers no request of this node");
                    return;
            }
            // Counted before the engine answers: the engine's own refusals (a bad block) are its evidence and metrics.
            stats.For(envelope.Sender).CountReceived(time.GetUtcNow().ToUnixTimeMilliseconds());
            try
            {
                await deliver(message);
                sender.Tell(new PeerAck(true));
            }
            catch (Exception e) when (e is LaneFailedException or LaneWritesRefusedException or ObjectDisposedException)
            {
                // The engine stopped, refuses writes for now (a full disk), or is shutting down: no ack, so the sender
                // retries once the node takes blocks again.
                Context.GetLogger().Error("engine refused a peer message, the sender will retry: {0}", e.Message);
            }
        });

        async Task AnswerAsync(Address requester, ConsortiumMessage message, IActorRef replyTo)
        {
            if (pulls is null)
            {
                Refuse(requester, replyTo, "envelope.message", "no-pull", "this node does not answer pull requests");
                return;
            }
            try
            {
                var request = PullRequest.Decode(message.Payload);
                // Store reads off the actor's thread: an answer can be 16 MiB of blocks.
                var answer = await Task.Run(() => pulls.Answer(requester, request));
                replyTo.Tell(PeerEnvelope.Seal(ConsortiumMessage.ForRangeAnswer(answer), pulls.Key));
                stats.For(requester).CountPullAnswered(time.GetUtcNow().ToUnixTimeMilliseconds());
            }
            catch (PullFormatException e)
            {
                Refuse(requester, replyTo, e.Field, e.Rule, e.Message);
            }
            catch (ObjectDisposedException e)
            {
                // The engine is shutting down: no answer; the requester times out and asks another peer.
                Context.GetLogger().Warning("pull request from {0} not answered, the engine is shutting down: {1}", requester, e.Message);
            }
        }

        void Refuse(Address from, IActorRef replyTo, string field, string rule, string why)
        {
            stats.For(from).CountRefused();
            Context.GetLogger().Warning("peer message refused ({0}, {1}): {2}", field, rule, why);
            replyTo.Tell(new PeerAck(false));
        }
    }
}
