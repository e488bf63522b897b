using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Protocol.Tests.Custody.CustodyWorld;

namespace Ledger.Protocol.Tests.Custody;

/// <summary>
/// Random sequences of operations by several parties (commissions, packs, ships, receives, decommissions, undos, recalls …),
/// mostly plausible and some not, with the invariants checked after every step.
/// </summary>
public class CustodyPropertyTests
{
    private static readonly Address[] Parties = [M, W, D, R, X];
    private static readonly ItemId[] Packs = [.. Enumerable.Range(1, 6).Select(i => Pack(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
    private static readonly ItemId[] Pallets = [Pallet("1"), Pallet("2"), Pallet("3")];
    private static readonly ItemId[] All = [.. Packs, .. Pallets];
    private static readonly string[] Expiries = ["301231", "260300", "270100"];

    private static Arbitrary<int[][]> Sequences() =>
        Gen.Choose(10, 80).SelectMany(n => Gen.Choose(0, 1_000_000).ArrayOf(5).ArrayOf(n)).ToArbitrary();

    private static string GlnOf(CustodyWorld w, Address party) => w.Ctx.Glns(party).FirstOrDefault() ?? MSite;

    private static ItemId Top(CustodyWorld w, ItemId item)
    {
        while (w.Ctx.Get(item)?.Parent is { } p)
            item = p;
        return item;
    }

    private static LedgerRecord? Build(CustodyWorld w, int[] op)
    {
        var (kind, b, c, d) = (op[0] % 40, op[1], op[2], op[3]);
        ItemState? S(ItemId i) => w.Ctx.Get(i);
        Address AuthorFor(ItemState? s) => s is not null && d % 5 != 0 ? s.Custodian : Parties[d % Parties.Length];
        w.Time += d % 4 * (Day / 2);
        IEnumerable<Hash32>? deps = op[4] % 15 == 0 ? [] : null;
        LedgerRecord Rec(Address author, RecordPayload p) => w.Record(author, p, deps: deps);

        switch (kind)
        {
            case < 5:
            {
                var author = d % 4 == 0 ? Parties[d / 4 % Parties.Length] : M;
                var group = b % 2;
                var serials = Enumerable.Range(1, 3).Where(i => (c >> i & 1) == 1 || i == 1 + c % 3)
                    .Select(i => (i + 3 * group).ToString(System.Globalization.CultureInfo.InvariantCulture));
                return Rec(author, new CommissionPayload(Gtin, "L" + (group + 1), Expiries[c / 8 % Expiries.Length], GlnOf(w, author), serials));
            }
            case < 11:
            {
                var child = c % 4 == 0 ? All[b % All.Length] : Packs[b % Packs.Length];
                var parent = Pallets[c % Pallets.Length];
                if (child == parent)
                    return null;
                var children = new List<ItemId> { child };
                if (b % 3 == 0 && Packs[(b / 3) % Packs.Length] != parent)
                    children.Add(Packs[(b / 3) % Packs.Length]);
                var author = AuthorFor(S(child));
                return Rec(author, new PackPayload(parent, children.Distinct(), S(child)?.Location ?? GlnOf(w, author)));
            }
            case < 14:
            {
                var parent = Pallets[b % Pallets.Length];
                var s = S(parent);
                var children = c % 2 == 0 || s is null || s.Children.Count == 0 ? [] : new[] { s.Children[c / 2 % s.Children.Count] };
                var author = AuthorFor(s);
                return Rec(author, new UnpackPayload(parent, children, s?.Location ?? GlnOf(w, author)));
            }
            case < 20:
            {
                var item = c % 3 == 0 ? All[b % All.Length] : Top(w, All[b % All.Length]);
                var s = S(item);
                var author = AuthorFor(s);
                var to = Parties[c % 3];
                return Rec(author, new ShipPayload([item], s?.Location ?? GlnOf(w, author), to, GlnOf(w, to)));
            }
            case < 26:
            {
                var pending = All.Select(i => S(i)).OfType<ItemState>().Where(s => s.PendingShip is not null).ToList();
                if (pending.Count == 0)
                    return null;
                var s = pending[b % pending.Count];
                var item = c % 4 == 0 ? s.Item : Top(w, s.Item);
                var author = d % 5 != 0 ? s.PendingShip!.ToParty : Parties[d % Parties.Length];
                return Rec(author, new ReceivePayload(s.PendingShip!.Ship, [item], GlnOf(w, author)));
            }
            case < 30:
            {
                var item = c % 5 == 0 ? All[b % All.Length] : Packs[b % Packs.Length];
                var s = S(item);
                return Rec(AuthorFor(s), new DecommissionPayload([item], (DecommissionState)(c % 8 + 1), s?.Location ?? MSite));
            }
            case < 33:
            {
                var item = Packs[b % Packs.Length];
                var s = S(item);
                var author = s?.Decommission is { } f && d % 5 != 0 ? f.Party : AuthorFor(s);
                return Rec(author, new ReactivatePayload([item], s?.Decommission?.Location ?? s?.Location ?? MSite));
            }
            case 33:
            {
                var author = new[] { M, R, W }[d % 3];
                return c % 3 == 0
                    ? Rec(author, new RecallPayload(Gtin, "L" + (b % 2 + 1), null, "sterility"))
                    : Rec(author, new RecallPayload(Gtin, null, [Packs[b % Packs.Length]], "tampering"));
            }
            case 34:
                return Rec(new[] { M, R, D }[d % 3], new WithdrawPayload(c % 4 == 0 ? Gtin : Gtin2, c % 2 == 0 ? null : "L2", "review"));
            case < 38:
            {
                var item = Packs[b % Packs.Length];
                return Rec(Parties[d % Parties.Length], new VerifyPayload(item, c % 3 == 0 ? "L2" : null, c % 5 == 0 ? "301231" : null, "check", null, null));
            }
            default:
            {
                var item = All[b % All.Length];
                var s = S(item);
                var author = AuthorFor(s);
                return Rec(author, new ObservationPayload([item], s?.Location ?? GlnOf(w, author), [new SensorReading("Temperature", "5", "CEL", w.Time)]));
            }
        }
    }

    private static void CheckInvariants(CustodyWorld w)
    {
        var items = w.Ctx.Items;
        var parentOf = new Dictionary<ItemId, ItemId>();
        foreach (var (id, s) in items)
        {
            Assert.Equal(id, s.Item);
            if (!CustodyRules.IsTerminal(s.Status))
                Assert.True((s.Status == ItemStatus.InTransit) == (s.PendingShip is not null), $"{id}: {s.Status} with pending ship {s.PendingShip}");
            foreach (var child in s.Children)
            {
                Assert.True(parentOf.TryAdd(child, id), $"{child} is in two parents: {id} and {parentOf.GetValueOrDefault(child)}");
                var c = items[child];
                Assert.Equal(id, c.Parent);
                Assert.Equal(s.Custodian, c.Custodian);
                Assert.Equal(s.Location, c.Location);
                Assert.Equal(s.PendingShip, c.PendingShip);
                if (!CustodyRules.IsTerminal(c.Status) && !CustodyRules.IsTerminal(s.Status))
                    Assert.Equal(s.Status == ItemStatus.InTransit, c.Status == ItemStatus.InTransit);
            }
        }
        foreach (var (id, s) in items)
            if (s.Parent is { } p)
                Assert.True(parentOf.TryGetValue(id, out var q) && q == p, $"{id} names parent {p} which does not list it");
    }

    private static (List<LedgerRecord> Records, List<CustodyOutcome> Outcomes, CustodyWorld World) Run(int[][] ops, Dictionary<(RecordKind, bool), int>? coverage = null)
    {
        var w = new CustodyWorld();
        var records = new List<LedgerRecord>();
        var outcomes = new List<CustodyOutcome>();
        foreach (var op in ops)
        {
            var record = Build(w, op);
            if (record is null)
                continue;
            var before = w.Ctx.Items.ToDictionary();
            var lotsBefore = w.Ctx.Lots;
            var terminalBefore = before.Values.Select(s => (s.Item, Status: CustodyRules.EffectiveStatus(s, lotsBefore)))
                .Where(x => CustodyRules.IsTerminal(x.Status)).ToList();

            var outcome = w.Ctx.Apply(record);

            records.Add(record);
            outcomes.Add(outcome);
            if (coverage is not null)
                coverage[(record.Kind, outcome.IsAccepted)] = coverage.GetValueOrDefault((record.Kind, outcome.IsAccepted)) + 1;
            if (!outcome.IsAccepted)
            {
                Assert.Equal(before, w.Ctx.Items.ToDictionary());
                Assert.Equal(lotsBefore, w.Ctx.Lots);
                Assert.False(string.IsNullOrEmpty(outcome.ErrorCode));
            }
            else
            {
                Assert.All(outcome.Updates, u => Assert.Equal(record.Id, u.LatestRecord));
            }
            foreach (var (item, status) in terminalBefore)
            {
                // Terminal stays terminal; the only change allowed is a withdrawn item whose lot is then recalled (Recalled wins).
                var now = CustodyRules.EffectiveStatus(w.Ctx.Items[item], w.Ctx.Lots);
                Assert.True(now == status || (status, now) == (ItemStatus.Withdrawn, ItemStatus.Recalled), $"{item}: terminal {status} became {now}");
            }
            CheckInvariants(w);
        }
        return (records, outcomes, w);
    }

    [Fact]
    public void Apply_RandomSequences_InvariantsHoldAfterEveryStep()
    {
        var coverage = new Dictionary<(RecordKind, bool), int>();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Sequences(), ops => { Run(ops, coverage); }));
        // The generator must exercise the rules: every kind both accepted and rejected somewhere in the run.
        foreach (var kind in Enum.GetValues<RecordKind>())
        {
            Assert.True(coverage.GetValueOrDefault((kind, true)) > 0, $"{kind} never accepted");
            if (kind != RecordKind.Withdraw)
                Assert.True(coverage.GetValueOrDefault((kind, false)) > 0, $"{kind} never rejected");
        }
    }

    [Fact]
    public void Apply_SameSequenceTwice_IdenticalOutcomesAndStates()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(Sequences(), ops =>
        {
            var (records, outcomes, first) = Run(ops);
            var again = new CustodyWorld();
            var replayed = records.Select(r => again.Ctx.Apply(r)).ToList();
            Assert.Equal(outcomes.Select(o => (o.IsAccepted, o.ErrorCode, o.Message)), replayed.Select(o => (o.IsAccepted, o.ErrorCode, o.Message)));
            Assert.Equal(outcomes.Select(o => o.Verification), replayed.Select(o => o.Verification));
            Assert.Equal(first.Ctx.Items.ToDictionary(), again.Ctx.Items.ToDictionary());
            Assert.Equal(first.Ctx.Lots, again.Ctx.Lots);

            // Only the accepted records, from the same start: the same states.
            var acceptedOnly = new CustodyWorld();
            foreach (var (r, o) in records.Zip(outcomes).Where(x => x.Second.IsAccepted))
                Assert.True(acceptedOnly.Ctx.Apply(r).IsAccepted, $"{r} accepted in the full run but not when replaying accepted records only");
            Assert.Equal(first.Ctx.Items.ToDictionary(), acceptedOnly.Ctx.Items.ToDictionary());
        }));
    }
}
