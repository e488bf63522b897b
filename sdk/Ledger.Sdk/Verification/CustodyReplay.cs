using Ledger.Protocol;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Sdk.Provenance;

namespace Ledger.Sdk.Verification;

/// <summary>
/// Replays an answer's records through <see cref="CustodyRules"/> as the node applied them, and compares the result with
/// the state the answer states. The node lists a record in an item's history when the record names the item or changes
/// its state (node/Ledger.Engine: payload items ∪ updated items); a lot recall or withdrawal changes no item state: it is
/// in the lot's or product's history, and the status check applies it (<see cref="ProvenanceVerifier"/>).
/// </summary>
internal static class CustodyReplay
{
    public static VerificationCheck Check(ProvenanceDocument answer, ConsortiumDirectory directory) => Replay(answer, directory).Check;

    /// <summary>The custody check and the replayed state of the item (null when the records leave it unknown or the replay failed).</summary>
    public static (VerificationCheck Check, ItemState? State) Replay(ProvenanceDocument answer, ConsortiumDirectory directory)
    {
        var (check, state, _) = Replay(answer, directory, null, null);
        return (check, state);
    }

    /// <summary>
    /// The replay of an answer across lanes (docs/spec/verifier.md §7): <paramref name="merged"/> holds every section's
    /// records in causal order, <paramref name="lanes"/> the lane of each and <paramref name="paths"/> its JSON path.
    /// A record outside the subject's custody chain (custody.md §8) changes no state; a per-serial Recall of it is a
    /// recall mark (<c>Marked</c>).
    /// </summary>
    public static (VerificationCheck Check, ItemState? State, bool Marked) ReplayAcrossLanes(ProvenanceDocument merged, IReadOnlyList<Address> lanes,
        IReadOnlyList<string> paths, ConsortiumDirectory directory) => Replay(merged, directory, lanes, paths);

    private static (VerificationCheck Check, ItemState? State, bool Marked) Replay(ProvenanceDocument answer, ConsortiumDirectory directory,
        IReadOnlyList<Address>? lanes, IReadOnlyList<string>? paths)
    {
        var subject = answer.Item.ToString();
        var context = new ReplayContext(answer, directory);
        var marked = false;
        for (var i = 0; i < answer.Records.Count; i++)
        {
            var r = answer.Records[i].Record;
            var path = paths?[i] ?? $"records[{i}]";
            context.Current = r;
            if (lanes is not null && context.Subject is { } chain && directory.NodeAddresses.Count > 1 && !InChain(chain, r, lanes[i], directory))
            {
                // Outside the subject's custody chain: a Verify, an Observation or a per-serial Recall; it changes no state.
                if (OutOfChain(r, answer.Item, directory) is { } refused)
                    return (Fail(subject, "step-rejected", $"{path} {r.Kind} {r.Id} on lane {lanes[i]} is outside the custody chain of {answer.Item} (custodian {chain.Custodian}): {refused}"), null, false);
                marked |= r.Payload is RecallPayload;
                continue;
            }
            CustodyOutcome outcome;
            try
            {
                outcome = CustodyRules.Apply(r, context);
            }
            catch (InvalidOperationException e)
            {
                return (Fail(subject, "replay", $"{path} {r.Kind} {r.Id} cannot be replayed: {e.Message}"), null, false);
            }
            if (!outcome.IsAccepted)
                return (Fail(subject, "step-rejected", $"{path} {r.Kind} {r.Id} is not allowed after the records before it: {outcome.ErrorCode}: {outcome.Message}"), null, false);
            if (!r.Payload.Items.Contains(answer.Item) && outcome.Updates.All(u => u.Item != answer.Item))
                return (Fail(subject, "not-about-item", $"{path} {r.Kind} {r.Id} neither names {answer.Item} nor changes its state"), null, false);
            context.Commit(outcome);
        }
        var replayed = context.Subject;
        var stated = answer.State;
        if (replayed is null && stated is null)
            return (new VerificationCheck(ProvenanceVerifier.Custody, subject, true, "ok"), null, false);
        if (replayed is null)
            return (Fail(subject, "state-without-records", "the answer states a state but carries no record that created it"), null, false);
        if (stated is null)
            return (Fail(subject, "state-missing", $"the records leave the item {replayed.Status} at {replayed.Custodian} but the answer states no state"), null, false);
        var mismatch = stated.Item != answer.Item ? $"state.item is {stated.Item}, the answer is about {answer.Item}" : Compare(stated, replayed);
        return mismatch is null
            ? (new VerificationCheck(ProvenanceVerifier.Custody, subject, true, "ok"), replayed, marked)
            : (Fail(subject, "state-mismatch", mismatch), null, false);
    }

    /// <summary>True when a record on <paramref name="lane"/> continues the chain of an item in <paramref name="state"/> (node/Ledger.Engine/Lane/CrossLane.cs).</summary>
    private static bool InChain(ItemState state, LedgerRecord record, Address lane, ConsortiumDirectory directory)
    {
        var custodianLane = directory.Find(state.Custodian)?.Node;
        if (state.Status == ItemStatus.InTransit && state.PendingShip is { } pending)
        {
            var recipientLane = directory.Find(pending.ToParty)?.Node;
            if (recipientLane == custodianLane)
                return custodianLane == lane;
            return record.Payload is ReceivePayload r && r.Ship == pending.Ship && recipientLane == lane;
        }
        return custodianLane == lane;
    }

    /// <summary>Null when the record may be written outside the item's chain (custody.md §8), else why not.</summary>
    private static string? OutOfChain(LedgerRecord r, ItemId item, ConsortiumDirectory directory)
    {
        switch (r.Payload)
        {
            case VerifyPayload or ObservationPayload:
                return null;
            case RecallPayload { Lot.Length: 0, Items.Count: > 0 } recall:
                var owns = directory.CompanyPrefixes(r.Author).Any(p => recall.Gtin.AsSpan(1).StartsWith(p, StringComparison.Ordinal));
                if (!owns && !directory.Roles(r.Author).HasFlag(PartyRoles.Regulator))
                    return $"{CustodyErrorCodes.NotAuthorised}: {r.Author} neither owns the company prefix of {recall.Gtin} nor is a regulator";
                return item.Scheme == ItemScheme.Sgtin && item.Key != recall.Gtin
                    ? $"{CustodyErrorCodes.NotAuthorised}: {item} is not of GTIN {recall.Gtin}"
                    : null;
            default:
                return $"out-of-lane: a {r.Kind} is a custody step, written by the lane of the custodian's node";
        }
    }

    private static VerificationCheck Fail(string subject, string code, string detail) =>
        new(ProvenanceVerifier.Custody, subject, false, $"{code}: {detail}");

    private static string? Compare(ProvenanceState stated, ItemState replayed)
    {
        if (stated.StoredStatus != replayed.Status)
            return $"state.storedStatus is {stated.StoredStatus}, the records make it {replayed.Status}";
        if (stated.Custodian != replayed.Custodian)
            return $"state.custodian is {stated.Custodian}, the records make it {replayed.Custodian}";
        if (!string.Equals(stated.Location, replayed.Location, StringComparison.Ordinal))
            return $"state.location is {stated.Location}, the records make it {replayed.Location}";
        if (stated.LatestRecord != replayed.LatestRecord)
            return $"state.latestRecord is {stated.LatestRecord}, the records make it {replayed.LatestRecord}";
        if (stated.Parent != replayed.Parent)
            return $"state.parent is {stated.Parent?.ToString() ?? "none"}, the records make it {replayed.Parent?.ToString() ?? "none"}";
        if (!stated.Children.SequenceEqual(replayed.Children))
            return $"state.children are [{string.Join(", ", stated.Children)}], the records make them [{string.Join(", ", replayed.Children)}]";
        if (stated.InTransitTo?.Ship != replayed.PendingShip?.Ship)
            return $"state.inTransitTo is {stated.InTransitTo?.Ship.ToString() ?? "none"}, the records make it {replayed.PendingShip?.Ship.ToString() ?? "none"}";
        if (stated.InTransitTo is { } t && replayed.PendingShip is { } p && (t.Party != p.ToParty || !string.Equals(t.Location, p.ToLocation, StringComparison.Ordinal)))
            return $"state.inTransitTo is to {t.Party} at {t.Location}, the Ship sends it to {p.ToParty} at {p.ToLocation}";
        if (stated.Gtin != replayed.Gtin || stated.Lot != replayed.Lot || stated.Expiry != replayed.Expiry)
            return $"state gtin/lot/expiry are {stated.Gtin}/{stated.Lot}/{stated.Expiry}, the records make them {replayed.Gtin}/{replayed.Lot}/{replayed.Expiry}";
        return null;
    }

    /// <summary>
    /// The custody context of the replay: parties from the consortium; item states from the answer's own records. The
    /// answer proves the subject item's chain only: other items it names are checked as far as its records show them
    /// (their own dependencies are not checked; an SGTIN the records never introduced, or one named by a record with a
    /// dep outside the answer, since it may have changed after the answer last showed it, stands where the subject
    /// stands, or, in the Pack that creates a case or pallet, where that Pack packs it).
    /// </summary>
    private sealed class ReplayContext(ProvenanceDocument answer, ConsortiumDirectory directory) : ICustodyContext
    {
        private readonly Dictionary<ItemId, ItemState> _items = [];
        private readonly HashSet<Hash32> _ids = [.. answer.Records.Select(r => r.Record.Id)];

        public LedgerRecord? Current { get; set; }

        public LotFacts Lots { get; private set; } = LotFacts.Empty;

        public ItemState? Subject => _items.GetValueOrDefault(answer.Item);

        public void Commit(CustodyOutcome outcome)
        {
            foreach (var s in outcome.Updates)
                _items[s.Item] = s;
            Lots = outcome.Lots ?? Lots;
        }

        public IReadOnlyCollection<string> CompanyPrefixes(Address party) => directory.CompanyPrefixes(party);

        public IReadOnlyCollection<string> DelegatedGtins(Address party) => directory.DelegatedGtins(party);

        public IReadOnlyCollection<string> Glns(Address party) => directory.Glns(party);

        public PartyRoles Roles(Address party) => directory.Roles(party);

        // Every record of the answer is in the log under the certified header, so a Ship among them was certified.
        public bool IsShipCertified(Hash32 shipRecord) => _ids.Contains(shipRecord);

        public ItemState? Get(ItemId item)
        {
            if (item == answer.Item)
                return _items.GetValueOrDefault(item);
            var dep = Current is { Deps.Count: > 0 } c ? c.Deps[0] : (Hash32?)null;
            // The node accepted the current record only with the latest record of every item it names among its deps. A
            // dep outside this answer is the latest record of some other item the record names, which changed through
            // records the answer does not carry (a reactivation, say, that names only that item): what the answer showed
            // of an SGTIN the record names may be stale, and it stands as one the answer never introduced. A case or
            // pallet keeps what the answer showed of it.
            if (_items.TryGetValue(item, out var known) && !IsStale(known))
                return dep is { } d ? known with { LatestRecord = d } : known;
            // An SSCC the answer never introduced is unknown (a Pack may create it) — except as a child of a Pack: the
            // other cases packed onto a pallet with the subject's case stand like SGTINs the answer never introduced.
            if (item.Scheme == ItemScheme.Sscc && !(Current is { Payload: PackPayload { } packing } && packing.Children.Contains(item)))
                return null;
            if (Subject is not { } s)
            {
                // The Pack that creates the subject (a case or pallet) packs items the answer does not prove: they stand
                // where the Pack says, with its author, as far as its records show them.
                return Current is { Payload: PackPayload p } pack && p.Parent == answer.Item && p.Children.Contains(item)
                    ? new ItemState(item, ItemStatus.Active, pack.Author, p.Location, dep ?? Hash32.Zero)
                    : null;
            }
            return new ItemState(item, s.Status, s.Custodian, s.Location, dep ?? s.LatestRecord) { PendingShip = s.PendingShip };
        }

        private bool IsStale(ItemState known) =>
            known.Item.Scheme != ItemScheme.Sscc && Current is { } c && c.Payload.Items.Contains(known.Item) && c.Deps.Any(d => !_ids.Contains(d));
    }
}
