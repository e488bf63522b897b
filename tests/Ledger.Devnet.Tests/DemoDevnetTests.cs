using Ledger.Devnet.Story;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;

namespace Ledger.Devnet.Tests;

/// <summary>The examples and the demo story on a real node with the devnet's four parties (<see cref="DemoDevnet"/>).</summary>
public sealed class DemoDevnetTests(DemoDevnet devnet) : IClassFixture<DemoDevnet>
{
    private const string ExampleGtin = "10614141073464", Pharmacy = "0398880000013", WholesalerDc = "0399993456780";

    [Fact]
    public void Examples_CapturedInOrderAsTheirParties_EveryEventAccepted()
    {
        Assert.Equal(DemoDevnet.Examples.Count, devnet.Captures.Count);
        for (var i = 0; i < devnet.Captures.Count; i++)
        {
            var (file, party) = DemoDevnet.Examples[i];
            var run = devnet.Captures[i];
            Assert.True(run.ExitCode == 0, $"{file} as {party}: exit {run.ExitCode}: {run.StdOut} {run.StdErr}");
            var events = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
            var expected = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(DemoDevnet.RepositoryRoot, "devnet", "examples", file)))
                .RootElement.GetProperty("epcisBody").GetProperty("eventList").GetArrayLength();
            Assert.Equal(expected, events.Count);
            Assert.All(events, e => Assert.EndsWith(" accepted", e.TrimEnd(), StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Examples_AfterTheDispense_ThePacksCaseAndPalletStandWhereTheChainLeftThem()
    {
        using var regulator = devnet.Connect("regulator");
        var dispensed = await regulator.GetProvenanceAsync(ExampleGtin, "1001");
        var shelf = await regulator.GetProvenanceAsync(ExampleGtin, "1002");
        var pallet = await regulator.GetProvenanceAsync("(00)106141410000010018");
        var pharmacy = devnet.Connect("corner-pharmacy").PrivateKey!.Address;

        Assert.Equal(ItemStatus.Supplied, dispensed.State!.Status);
        Assert.Equal(pharmacy, dispensed.State.Custodian);
        Assert.Equal(ItemStatus.Active, shelf.State!.Status);
        Assert.Equal((pharmacy, Pharmacy), (shelf.State.Custodian, shelf.State.Location));
        Assert.Null(shelf.State.Parent);
        Assert.Equal(ItemStatus.Active, pallet.State!.Status);
        Assert.Equal(WholesalerDc, pallet.State.Location);
        Assert.Empty(pallet.State.Children);
    }

    [Fact]
    public void Story_FirstRun_ProgressLinePerStageAndTheIdentifiersToSearch()
    {
        var (code, stdout, stderr) = devnet.FirstStory;
        Assert.True(code == 0, stderr);
        var stages = stderr.Split('\n').Where(l => l.StartsWith("story: [", StringComparison.Ordinal)).ToList();
        Assert.Equal(10, stages.Count);
        Assert.All(stages, l => Assert.Contains("certified at block", l, StringComparison.Ordinal));
        Assert.Contains("(01)00614141020003(21)1000001", stdout, StringComparison.Ordinal);
        Assert.Contains("(01)00614141020003(21)999999", stdout, StringComparison.Ordinal);
        Assert.Contains("(00)" + DemoDevnet.Plan.ExcursionPallet.Key, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Story_EveryPack_DispensedActiveOrRecalledAsTold()
    {
        using var regulator = devnet.Connect("regulator");
        var statuses = new Dictionary<string, ItemStatus>();
        foreach (var lot in new[] { "1", "2" })
            for (var n = 1; n <= 100; n++)
            {
                var serial = lot + n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
                statuses[serial] = (await regulator.GetProvenanceAsync(StoryPlan.Gtin, serial)).State!.Status;
            }

        // Lot 1 (genuine): the first 5 of each of its two cases of 50 dispensed, the rest on the pharmacy's shelf. Lot 2: recalled.
        int[] dispensed = [1, 2, 3, 4, 5, 51, 52, 53, 54, 55];
        Assert.All(Enumerable.Range(1, 100), n => Assert.Equal(dispensed.Contains(n) ? ItemStatus.Supplied : ItemStatus.Active, statuses[Serial(1, n)]));
        Assert.All(Enumerable.Range(1, 100), n => Assert.Equal(ItemStatus.Recalled, statuses[Serial(2, n)]));
    }

    private static string Serial(int lot, int n) => lot.ToString(System.Globalization.CultureInfo.InvariantCulture) + n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Story_TheIdentifiersItNames_HaveTheStatusesItSays()
    {
        using var regulator = devnet.Connect("regulator");
        var plan = DemoDevnet.Plan;
        var pharmacy = devnet.Connect("corner-pharmacy").PrivateKey!.Address;

        var dispensed = await regulator.GetProvenanceAsync(StoryScript.ItemText(plan.DispensedPack));
        var active = await regulator.GetProvenanceAsync(StoryScript.ItemText(plan.ActivePack));
        var recalled = await regulator.GetProvenanceAsync(StoryScript.ItemText(plan.RecalledPack));
        var counterfeit = await regulator.GetProvenanceAsync(StoryScript.ItemText(StoryPlan.Counterfeit));

        Assert.Equal((ItemStatus.Supplied, pharmacy, Pharmacy), (dispensed.State!.Status, dispensed.State.Custodian, dispensed.State.Location));
        Assert.Equal((ItemStatus.Active, pharmacy, Pharmacy), (active.State!.Status, active.State.Custodian, active.State.Location));
        Assert.Equal(ItemStatus.Recalled, recalled.State!.Status);
        Assert.False(counterfeit.Known);
        // Its whole journey: commissioned, packed, shipped with the pallet, received, shipped with its case, received, unpacked, dispensed.
        Assert.Equal([RecordKind.Commission, RecordKind.Pack, RecordKind.Pack, RecordKind.Ship, RecordKind.Receive, RecordKind.Unpack, RecordKind.Ship, RecordKind.Receive, RecordKind.Unpack, RecordKind.Decommission],
            dispensed.Records.Select(r => r.Record.Kind));
    }

    [Theory]
    [InlineData("dispensed", "Supplied")]
    [InlineData("active", "Active")]
    [InlineData("recalled", "Recalled")]
    [InlineData("pallet", "Active")]
    [InlineData("case", "Active")]
    [InlineData("example-pack", "Supplied")]
    [InlineData("example-pallet", "Active")]
    public async Task Answers_AboutTheStoryAndTheExamples_VerifyOfflineToTheirStatus(string which, string status)
    {
        var plan = DemoDevnet.Plan;
        var identifier = which switch
        {
            "dispensed" => StoryScript.ItemText(plan.DispensedPack),
            "active" => StoryScript.ItemText(plan.ActivePack),
            "recalled" => StoryScript.ItemText(plan.RecalledPack),
            "pallet" => StoryScript.ItemText(plan.ExcursionPallet),
            "case" => StoryScript.ItemText(plan.GenuineLot.Cases[0].Item),
            "example-pack" => $"(01){ExampleGtin}(21)1001",
            _ => "(00)106141410000010018",
        };
        using var regulator = devnet.Connect("regulator");
        var answer = Sdk.Provenance.ProvenanceDocument.Parse(await regulator.GetProvenanceJsonAsync(identifier));
        var consortium = Protocol.Consortium.ConsortiumFile.Parse(await File.ReadAllTextAsync(Path.Combine(devnet.NodeData, "consortium.json")));

        var report = Sdk.Verification.ProvenanceVerifier.Verify(answer, consortium);

        Assert.True(report.Passed, report.FailureReason);
        Assert.Equal(Enum.Parse<ItemStatus>(status), report.Summary!.Status);
    }

    [Fact]
    public async Task Answer_AboutTheCounterfeit_VerifiesOfflineAsUnknownDespiteItsScan()
    {
        using var regulator = devnet.Connect("regulator");
        var answer = Sdk.Provenance.ProvenanceDocument.Parse(await regulator.GetProvenanceJsonAsync(StoryScript.ItemText(StoryPlan.Counterfeit)));
        var consortium = Protocol.Consortium.ConsortiumFile.Parse(await File.ReadAllTextAsync(Path.Combine(devnet.NodeData, "consortium.json")));

        var report = Sdk.Verification.ProvenanceVerifier.Verify(answer, consortium);

        Assert.Equal(RecordKind.Verify, Assert.Single(answer.Records).Record.Kind);
        Assert.True(report.Passed, report.FailureReason);
        Assert.False(report.Summary!.Known);
    }

    [Fact]
    public async Task Story_TheCounterfeitScan_RaisedAnUnknownSerialAlert()
    {
        using var regulator = devnet.Connect("regulator");
        var alerts = new List<Sdk.Client.LedgerAlertInfo>();
        await foreach (var a in regulator.GetAllAlertsAsync())
            alerts.Add(a);
        var pharmacy = devnet.Connect("corner-pharmacy").PrivateKey!.Address;
        Assert.Contains(alerts, a => a.Kind == "UnknownSerial" && a.Item == StoryPlan.Counterfeit.ToString() && a.Author == pharmacy && a.RecordAccepted);
    }

    [Fact]
    public async Task Story_TheExcursion_IsASensorReportOnTheGenuineLotsPallet()
    {
        using var regulator = devnet.Connect("regulator");
        var pallet = await regulator.GetProvenanceAsync(StoryScript.ItemText(DemoDevnet.Plan.ExcursionPallet));
        var observation = Assert.Single(pallet.Records, r => r.Record.Kind == RecordKind.Observation).Record.Payload;
        var readings = Assert.IsType<ObservationPayload>(observation).Readings;
        Assert.Equal(["7.6", "9.8", "11.4"], readings.Select(r => r.Value));
        Assert.All(readings, r => Assert.Equal(("Temperature", "CEL"), (r.Type, r.Uom)));
        Assert.Equal(WholesalerDc, ((ObservationPayload)observation).Location);
    }

    [Fact]
    public void Story_SecondRun_FoundLoadedAndWritesNothing()
    {
        var (code, stdout, stderr) = devnet.SecondStory;
        Assert.True(code == 0, stderr);
        Assert.Contains("already loaded", stderr, StringComparison.Ordinal);
        Assert.Equal(devnet.HeightBeforeSecond, devnet.HeightAfterSecond);
        Assert.Equal(devnet.FirstStory.StdOut, stdout);
    }

    [Theory]
    [InlineData("51", "--packs", "range")]
    [InlineData("2", "--packs", "range")]
    public async Task Story_BadPackCount_RefusedNamingTheOptionAndWritesNothing(string packs, string field, string rule)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await DevnetCli.RunAsync(["story", "--devnet", devnet.Folder, "--packs", packs], stdout, stderr);
        Assert.Equal(DevnetCli.InvalidInput, code);
        Assert.Contains($"{field}: {packs} ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains($"[{rule}]", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(stdout.ToString());
    }

    [Fact]
    public async Task Story_NoDevnetThere_RefusedSayingItIsNotRunning()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var missing = Path.Combine(devnet.Folder, "no-such-devnet");
        var code = await DevnetCli.RunAsync(["story", "--devnet", missing], stdout, stderr);
        Assert.Equal(DevnetCli.InvalidInput, code);
        Assert.Contains("devnet.json does not exist", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("[not-running]", stderr.ToString(), StringComparison.Ordinal);
    }
}
