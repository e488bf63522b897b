using Ledger.Protocol.Consortium;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;

namespace Ledger.Devnet.Story;

/// <summary>One step of the story: the party that writes it, its records in batches, and a line saying what it is.</summary>
/// <param name="Title">What happens, e.g. "shipping to the wholesaler".</param>
/// <param name="Author">The party whose key signs the batches (the records are written on the lane of its node).</param>
/// <param name="Batches">The signed batches' records, in order; each batch is atomic on the node.</param>
/// <param name="Counts">What the records amount to, e.g. "10,000 packs in 2 lots".</param>
public sealed record StoryStage(string Title, Party Author, IReadOnlyList<IReadOnlyList<LedgerRecord>> Batches, string Counts)
{
    /// <summary>The number of records.</summary>
    public int RecordCount => Batches.Sum(b => b.Count);

    /// <summary>The last record of the stage.</summary>
    public LedgerRecord Last => Batches[^1][^1];
}

/// <summary>
/// The demo story as records, made in order against the custody rules (<see cref="StoryLedger"/>), with no I/O:
/// acme-pharma commissions two lots, packs them into cases and one SSCC pallet per lot, ships both pallets to
/// big-wholesale, which receives them (the genuine lot's pallet then records a cold-chain excursion), unpacks them and
/// ships the cases to corner-pharmacy, which receives and unpacks them and dispenses a tenth of each case; the regulator
/// recalls the second lot; the pharmacy scans a counterfeit (a serial never commissioned). Times are fixed (November
/// 2026), so the same consortium always gets the same records.
/// </summary>
public sealed class StoryScript
{
    /// <summary>When the story starts: 2026-11-02T06:00Z (every record is dated after it, all in the past).</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);

    /// <summary>Temperatures the wholesaler's cold room reported for the excursion (°C; the label allows 2–8).</summary>
    public static readonly IReadOnlyList<string> ExcursionReadings = ["7.6", "9.8", "11.4"];

    private StoryScript(StoryPlan plan, IReadOnlyList<StoryStage> stages, ItemVerification counterfeitAnswer, Party maker, Party wholesaler, Party pharmacy, Party regulator)
    {
        Plan = plan;
        Stages = stages;
        CounterfeitAnswer = counterfeitAnswer;
        Maker = maker;
        Wholesaler = wholesaler;
        Pharmacy = pharmacy;
        Regulator = regulator;
    }

    /// <summary>The identifiers.</summary>
    public StoryPlan Plan { get; }

    /// <summary>The stages, in order.</summary>
    public IReadOnlyList<StoryStage> Stages { get; }

    /// <summary>What the custody rules answer the pharmacy's scan of the counterfeit.</summary>
    public ItemVerification CounterfeitAnswer { get; }

    /// <summary>The parties of the story.</summary>
    public Party Maker { get; }

    /// <inheritdoc cref="Maker"/>
    public Party Wholesaler { get; }

    /// <inheritdoc cref="Maker"/>
    public Party Pharmacy { get; }

    /// <inheritdoc cref="Maker"/>
    public Party Regulator { get; }

    /// <summary>Makes every record of the story for this consortium.</summary>
    /// <exception cref="DevnetInputException">The consortium lacks a party the story needs (rule <c>missing-party</c>).</exception>
    /// <exception cref="StoryFailedException">The custody rules refuse a record (a bug of the story, or a consortium unlike the devnet's).</exception>
    public static StoryScript Make(StoryPlan plan, ConsortiumDefinition consortium)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(consortium);
        var maker = Find(consortium, "a manufacturer owning company prefix " + StoryPlan.CompanyPrefix,
            p => p.Roles.HasFlag(PartyRoles.Manufacturer) && p.CompanyPrefixes.Contains(StoryPlan.CompanyPrefix) && p.Glns.Count > 0);
        var wholesaler = Find(consortium, "a wholesaler with a GLN", p => p.Roles.HasFlag(PartyRoles.Wholesaler) && p.Glns.Count > 0);
        var pharmacy = Find(consortium, "a dispenser with a GLN", p => p.Roles.HasFlag(PartyRoles.Dispenser) && p.Glns.Count > 0);
        var regulator = Find(consortium, "a regulator", p => p.Roles.HasFlag(PartyRoles.Regulator));
        var ledger = new StoryLedger(consortium);
        var w = new Writer(ledger);
        var site = maker.Glns[0];
        var dock = maker.Glns.Count > 1 ? maker.Glns[1] : site;
        var dc = wholesaler.Glns[0];
        var shop = pharmacy.Glns[0];
        var lots = plan.Lots;
        var cases = lots.Sum(l => l.Cases.Count);
        var stages = new List<StoryStage>();

        // Day 0: commissioning on the line, one record per case's worth of serials; packing; shipping from the dock.
        stages.Add(new StoryStage("commissioning", maker, [.. lots.Select(lot =>
            {
                return Writer.Batch(lot.Cases.Select((c, i) => w.Make(maker, $"commission/{lot.Number}/{i}", At(0, 6 + lot.Index, i),
                    new CommissionPayload(StoryPlan.Gtin, lot.Number, StoryPlan.Expiry, site, c.Serials))));
            })],
            $"{plan.Packs:N0} packs of GTIN {StoryPlan.Gtin} in lots {lots[0].Number} and {lots[1].Number} at {site}"));
        stages.Add(new StoryStage("packing", maker, [.. lots.Select(lot =>
            {
                var batch = lot.Cases.Select((c, i) => w.Make(maker, $"pack/{lot.Number}/{i}", At(0, 9 + lot.Index, i), new PackPayload(c.Item, c.Serials.Select(StoryPlan.Pack), site))).ToList();
                batch.Add(w.Make(maker, $"palletise/{lot.Number}", At(0, 11, lot.Index), new PackPayload(lot.Pallet, lot.Cases.Select(c => c.Item), dock)));
                return (IReadOnlyList<LedgerRecord>)batch;
            })],
            $"{plan.Packs:N0} packs into {cases:N0} SSCC cases of up to {StoryPlan.CaseSize}, the cases onto {lots.Count} SSCC pallets"));
        var toWholesaler = lots.Select(lot => w.Make(maker, $"ship/{lot.Number}", At(0, 14, lot.Index),
            new ShipPayload([lot.Pallet], dock, wholesaler.Address, dc, [new BusinessTransaction("po", $"urn:epcglobal:cbv:bt:{dc}:PO-2611-{lot.Index}"), new BusinessTransaction("desadv", $"urn:epcglobal:cbv:bt:{dock}:DESADV-2611-{lot.Index}")]))).ToList();
        stages.Add(new StoryStage("shipping to the wholesaler", maker, [Writer.Batch(toWholesaler)], $"{lots.Count} pallets from {dock} to {wholesaler.Name} at {dc}"));

        // Day 1: the wholesaler receives both pallets; its cold room reports an excursion while the genuine lot's pallet is in it.
        stages.Add(new StoryStage("receiving at the wholesaler", wholesaler,
            [Writer.Batch(lots.Select((lot, i) => w.Make(wholesaler, $"receive/{lot.Number}", At(1, 9, lot.Index), new ReceivePayload(toWholesaler[i].Id, [lot.Pallet], dc))))],
            $"{lots.Count} pallets at {dc}"));
        stages.Add(new StoryStage("cold-chain excursion", wholesaler,
            [Writer.Batch([w.Make(wholesaler, "excursion", At(1, 11, 0), new ObservationPayload([plan.ExcursionPallet], dc,
                ExcursionReadings.Select((v, i) => new SensorReading("Temperature", v, "CEL", At(1, 10, 0).AddMinutes(15 * i).ToUnixTimeMilliseconds()))))])],
            $"{ExcursionReadings.Count} temperature readings up to {ExcursionReadings[^1]} °C on pallet {plan.ExcursionPallet.Key} at {dc} (recorded as a sensor report: the node has no excursion rule)"));

        // Day 2: unpacking the pallets and shipping the cases on; day 3: the pharmacy receives and unpacks them.
        var toPharmacy = new List<LedgerRecord>();
        stages.Add(new StoryStage("unpacking and shipping to the pharmacy", wholesaler, [.. lots.Select(lot =>
            {
                var unpack = w.Make(wholesaler, $"unpack/{lot.Number}", At(2, 8, lot.Index), new UnpackPayload(lot.Pallet, [], dc));
                var ship = w.Make(wholesaler, $"reship/{lot.Number}", At(2, 9, lot.Index), new ShipPayload(lot.Cases.Select(c => c.Item), dc, pharmacy.Address, shop,
                    [new BusinessTransaction("po", $"urn:epcglobal:cbv:bt:{shop}:PHX-2611-{lot.Index}")]));
                toPharmacy.Add(ship);
                return Writer.Batch([unpack, ship]);
            })],
            $"{lots.Count} pallets unpacked, {cases:N0} cases to {pharmacy.Name} at {shop}"));
        stages.Add(new StoryStage("receiving and unpacking at the pharmacy", pharmacy, [.. lots.Select((lot, l) =>
            {
                var batch = new List<LedgerRecord> { w.Make(pharmacy, $"receive-pharmacy/{lot.Number}", At(3, 9, lot.Index), new ReceivePayload(toPharmacy[l].Id, lot.Cases.Select(c => c.Item), shop)) };
                batch.AddRange(lot.Cases.Select((c, i) => w.Make(pharmacy, $"unpack/{lot.Number}/{i}", At(3, 10, i), new UnpackPayload(c.Item, [], shop))));
                return (IReadOnlyList<LedgerRecord>)batch;
            })],
            $"{cases:N0} cases received and unpacked at {shop}"));

        // Days 4–9: dispensing a tenth of every case; day 12: the regulator recalls the second lot; day 13: the counterfeit.
        var dispensed = lots.Sum(l => l.Cases.Sum(c => StoryPlan.Dispensed(c).Count));
        stages.Add(new StoryStage("dispensing", pharmacy, [.. lots.Select(lot => Writer.Batch(lot.Cases.Select((c, i) => w.Make(pharmacy, $"dispense/{lot.Number}/{i}",
                At(4 + i % 6, 9 + lot.Index, i), new DecommissionPayload(StoryPlan.Dispensed(c).Select(StoryPlan.Pack), DecommissionState.Supplied, shop)))))],
            $"{dispensed:N0} of {plan.Packs:N0} packs dispensed at {shop}"));
        stages.Add(new StoryStage("recall", regulator,
            [Writer.Batch([w.Make(regulator, "recall", At(12, 10, 0), new RecallPayload(StoryPlan.Gtin, plan.RecalledLot.Number, null, "sterility assurance: out-of-specification test result"))])],
            $"lot {plan.RecalledLot.Number} ({plan.RecalledLot.PackCount:N0} packs) recalled by {regulator.Name}"));
        var scan = ledger.Write(pharmacy.Address, "counterfeit", At(13, 11, 0),
            new VerifyPayload(StoryPlan.Counterfeit, plan.GenuineLot.Number, StoryPlan.Expiry, "dispense", shop, "story-counterfeit-1"));
        var answer = scan.Outcome.Verification ?? throw new StoryFailedException("story: counterfeit: the custody rules gave the scan no verification result");
        stages.Add(new StoryStage("counterfeit scan", pharmacy, [[scan.Record]],
            $"{ItemText(StoryPlan.Counterfeit)} scanned at {shop}: verified {answer.Verified.ToString().ToLowerInvariant()}{(answer.FailureCode is { } f ? ", " + f : "")}"));
        return new StoryScript(plan, stages, answer, maker, wholesaler, pharmacy, regulator);
    }

    /// <summary>An item as the explorer's search box and the SDK take it: <c>(01)…(21)…</c> or <c>(00)…</c>.</summary>
    public static string ItemText(ItemId item) =>
        item.Scheme == ItemScheme.Sgtin ? $"(01){item.Key}(21){item.Serial}" : $"(00){item.Key}";

    private static DateTimeOffset At(int day, int hour, int index) => Start.AddDays(day).AddHours(hour - 6).AddSeconds(index);

    private static Party Find(ConsortiumDefinition consortium, string what, Func<Party, bool> match) =>
        consortium.Parties.FirstOrDefault(match)
        ?? throw new DevnetInputException("consortium", $"the story needs {what}; the consortium has {string.Join(", ", consortium.Parties.Select(p => $"{p.Name} ({string.Join('/', ConsortiumFile.RoleNamesOf(p.Roles))})"))}", "missing-party");

    /// <summary>Makes records one after the other (the order they are applied in) and groups them into batches.</summary>
    private sealed class Writer(StoryLedger ledger)
    {
        public LedgerRecord Make(Party author, string name, DateTimeOffset time, RecordPayload payload) => ledger.Write(author.Address, name, time, payload).Record;

        // Materialise now: the records must be made in the order the story is told, not when a batch is enumerated.
        public static IReadOnlyList<LedgerRecord> Batch(IEnumerable<LedgerRecord> records) => [.. records];
    }
}
