using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Engine.Lane;
using Ledger.Node.Api;
using Ledger.Protocol;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Sdk.Provenance;
using Ledger.Sdk.Verification;
using Xunit;

namespace Ledger.Sdk.Tests.Verification;

/// <summary>
/// Random histories on an in-process lane (commission in two lots, pack, unpack, ship, receive, recall by lot, withdraw a
/// lot or the product, dispense, reactivate; verification times before and after the expiry date): for every item the
/// verifier's proven status equals the node's own state (its stored status, its lot facts and the expiry date at that
/// time), and no single mutation of an answer changes the proven status while the answer still passes.
/// </summary>
public sealed class StatusPropertyTests
{
    private static readonly PrivateKey NodeKey = Key(1), Maker = Key(2), Wholesaler = Key(3), Pharmacy = Key(4), Regulator = Key(5);
    private const string MakerGln = "0614141000005", WholesalerGln = "0614141000012", PharmacyGln = "0614141000029";
    private const string Gtin = "00614141123452";
    private static readonly string[] Lots = ["L1", "L2"];
    private static readonly ItemId[] Packs = [.. Enumerable.Range(0, 4).Select(i => ItemId.Sgtin(Gtin, "P" + i))];
    private static readonly ItemId Case = ItemId.Sscc("006141410000000012");

    private static readonly ConsortiumDefinition Definition = new("property", 1,
        [new ConsortiumNode("node-1", NodeKey.Address, "")],
        [
            new Party("maker", Maker.Address, PartyRoles.Manufacturer, [MakerGln], ["0614141"], [], NodeKey.Address),
            new Party("wholesaler", Wholesaler.Address, PartyRoles.Wholesaler, [WholesalerGln], [], [], NodeKey.Address),
            new Party("pharmacy", Pharmacy.Address, PartyRoles.Dispenser, [PharmacyGln], [], [], NodeKey.Address),
            new Party("regulator", Regulator.Address, PartyRoles.Regulator, [], [], [], NodeKey.Address),
        ]);

    private static PrivateKey Key(byte b) => PrivateKey.FromBytes(Enumerable.Repeat(b, 31).Prepend((byte)0x10).ToArray());

    /// <summary>One step: an operation and the pack (or lot) it is about.</summary>
    public sealed record Step(int Op, int Pack);

    [Fact]
    public void RandomHistories_ProvenStatusEqualsNodeState_AndNoMutationChangesItWhilePassing()
    {
        var steps = Gen.ListOf(Gen.Zip(Gen.Choose(0, 9), Gen.Choose(0, Packs.Length - 1)).Select(t => new Step(t.Item1, t.Item2)), 14);
        var gen = from s in steps from late in Gen.Elements(false, true) from seed in Gen.Choose(0, 1000) select (Steps: s.ToArray(), Late: late, Seed: seed);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(12), Prop.ForAll(gen.ToArbitrary(), c => Run(c.Steps, c.Late, c.Seed).GetAwaiter().GetResult()));
    }

    /// <summary>
    /// A history the property found: P2 is packed, decommissioned inside the case (which the case's history shows),
    /// reactivated outside it (which it does not), then packed again. The second Pack's deps name the reactivation, so
    /// the verifier must not replay it against the P2 it last saw.
    /// </summary>
    [Fact]
    public async Task RepackAfterAChangeOutsideTheCaseHistory_Verifies()
    {
        Step[] steps =
        [
            new(8, 1), new(1, 0), new(6, 1), new(0, 2), new(7, 3), new(7, 2), new(8, 2),
            new(0, 2), new(8, 0), new(7, 3), new(1, 1), new(5, 1), new(1, 1), new(7, 1),
        ];
        Assert.True(await Run(steps, late: false, seed: 82));
    }

    private static async Task<bool> Run(Step[] steps, bool late, int seed)
    {
        var directory = Path.Combine(Path.GetTempPath(), "ledger-status-" + Guid.NewGuid().ToString("N"));
        var consortium = new ConsortiumDirectory(Definition);
        var engine = LedgerEngine.Open(directory, NodeKey, consortium);
        try
        {
            var now = DateTimeOffset.UtcNow;
            var time = now.AddDays(-1).ToUnixTimeMilliseconds();
            ulong nonce = 0;
            var expiry = now.AddDays(20).ToString("yyMMdd", CultureInfo.InvariantCulture);
            Hash32? lastShip = null;
            async Task Submit(PrivateKey author, RecordPayload payload)
            {
                var deps = payload.Items.Select(engine.Store.GetItem).OfType<ItemState>().Select(s => s.LatestRecord).Distinct().ToList();
                var record = new LedgerRecord(author.Address, ++nonce, time += 1000, payload, deps);
                var result = await engine.SubmitAsync(SignedBatch.Sign([record], author));
                if (result.Accepted && payload is ShipPayload)
                    lastShip = record.Id;
            }
            // Every pack is commissioned; the steps then do what the rules allow (a refused step changes nothing).
            await Submit(Maker, new CommissionPayload(Gtin, Lots[0], expiry, MakerGln, ["P0", "P1"]));
            await Submit(Maker, new CommissionPayload(Gtin, Lots[1], expiry, MakerGln, ["P2", "P3"]));
            foreach (var s in steps)
            {
                var pack = Packs[s.Pack];
                var state = engine.Store.GetItem(pack);
                var holder = state?.Custodian == Wholesaler.Address ? (Wholesaler, WholesalerGln) : state?.Custodian == Pharmacy.Address ? (Pharmacy, PharmacyGln) : (Maker, MakerGln);
                switch (s.Op)
                {
                    case 0:
                        await Submit(holder.Item1, new PackPayload(Case, [pack], holder.Item2));
                        break;
                    case 1:
                        await Submit(holder.Item1, new UnpackPayload(Case, [], holder.Item2));
                        break;
                    case 2:
                        var top = state?.Parent ?? pack;
                        var next = holder.Item1 == Maker ? (Wholesaler, WholesalerGln) : (Pharmacy, PharmacyGln);
                        await Submit(holder.Item1, new ShipPayload([top], holder.Item2, next.Item1.Address, next.Item2));
                        break;
                    case 3:
                        if (lastShip is { } ship && engine.Store.GetItem(state?.Parent ?? pack)?.PendingShip is { } pending && pending.Ship == ship)
                        {
                            var to = pending.ToParty == Wholesaler.Address ? (Wholesaler, WholesalerGln) : (Pharmacy, PharmacyGln);
                            await Submit(to.Item1, new ReceivePayload(ship, [state?.Parent ?? pack], to.Item2));
                        }
                        break;
                    case 4:
                        await Submit(Maker, new RecallPayload(Gtin, Lots[s.Pack % 2], null, "recall"));
                        break;
                    case 5:
                        await Submit(Regulator, new WithdrawPayload(Gtin, s.Pack % 2 == 0 ? Lots[s.Pack / 2 % 2] : null, "withdraw"));
                        break;
                    case 6 or 7:
                        await Submit(holder.Item1, new DecommissionPayload([pack], DecommissionState.Supplied, holder.Item2));
                        break;
                    case 8:
                        await Submit(holder.Item1, new ReactivatePayload([pack], holder.Item2));
                        break;
                    default:
                        await Submit(holder.Item1, new RecallPayload(Gtin, "", [pack], "recall of one pack"));
                        break;
                }
            }
            // A time the caller states: before the expiry date, or after it (expired).
            var at = late ? now.AddDays(40) : now;
            var random = new Random(seed);
            foreach (var item in Packs.Append(Case))
            {
                var node = engine.Store.GetItem(item);
                var answer = engine.GetProvenance(item, at);
                var json = JsonSerializer.Serialize(LedgerJson.Provenance(answer), JsonSerializerOptions.Web);
                var report = ProvenanceVerifier.Verify(ProvenanceDocument.Parse(json), Definition, new ProvenanceVerifierOptions { At = at });
                Assert.True(report.Passed, $"{item}: {report.FailureReason}");
                var expected = node is null ? (ItemStatus?)null : ProvenanceVerifier.DeriveStatus(node, engine.Store.GetLots(), at);
                Assert.True(expected == report.Summary!.Status, $"{item}: the node's state gives {expected}, the verifier proved {report.Summary.Status}");
                // Single mutations: none changes the proven status while passing (a sample of each answer's mutations).
                var mutations = TamperSuiteTests.Mutations(System.Text.Json.Nodes.JsonNode.Parse(json)!).ToList();
                foreach (var m in mutations.OrderBy(_ => random.Next()).Take(25))
                {
                    if (!ProvenanceDocument.TryParse(m.Answer.ToJsonString(), out var doc, out _))
                        continue;
                    var mutated = ProvenanceVerifier.Verify(doc!, Definition, new ProvenanceVerifierOptions { At = at });
                    Assert.False(mutated.Passed && mutated.Summary!.Status != report.Summary.Status,
                        $"{item}: {m} passes with status {mutated.Summary?.Status}, the untouched answer proves {report.Summary.Status}");
                }
            }
            return true;
        }
        finally
        {
            await engine.DisposeAsync();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
