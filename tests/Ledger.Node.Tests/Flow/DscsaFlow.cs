using System.Net;
using System.Text.Json;
using Ledger.Node.Tests.Network;
using Ledger.Protocol.Records;
using Xunit;

namespace Ledger.Node.Tests.Flow;

/// <summary>An item's passport and provenance answer, read by the regulator at one step of the flow.</summary>
public sealed record ItemSnapshot(JsonElement Passport, JsonElement Provenance)
{
    /// <summary>The provenance answer's <c>state</c> object.</summary>
    public JsonElement State => Provenance.GetProperty("state");

    /// <summary>Kinds of the passport history, in lane order.</summary>
    public IReadOnlyList<string?> HistoryKinds => [.. Passport.GetProperty("history").EnumerateArray().Select(h => h.Str("kind"))];
}

/// <summary>A GS1 LVM verification request sent without credentials and its answer.</summary>
public sealed record LvmExchange(string Path, Guid CorrelationId, HttpStatusCode Status, JsonElement Answer)
{
    /// <summary>The answer's <c>data</c> object.</summary>
    public JsonElement Data => Answer.GetProperty("data");
}

/// <summary>
/// One DSCSA flow against one real node process (`ledger node run` on a <see cref="TestConsortium"/>), run once for the
/// tests of <see cref="DscsaFlowTests"/>, which only read what it recorded (and read the node, never write to it):
/// <list type="number">
/// <item>maker captures the GS1 US pharma example (EPCIS 1.2 XML, unchanged) — commission 12 packs and 3 cases, pack the
/// cases and an SSCC pallet, ship the pallet to the wholesaler — and captures the same file again;</item>
/// <item>the wholesaler captures wholesaler-receive-unpack-ship.jsonld (receive the pallet at its DC, unpack the pallet
/// and case 110, ship packs 11 and 12 to the pharmacy);</item>
/// <item>the pharmacy captures pharmacy-receive-dispense.jsonld (receive 11 and 12, dispense 11);</item>
/// <item>anonymous LVM verifications: genuine pack 13, a serial never commissioned, pack 14 with a wrong lot;</item>
/// <item>maker captures maker-recall-lot.jsonld (lot A123 of the pack and of the case GTIN recalled);</item>
/// <item>pack 13 verified again; the regulator's and the pharmacy's alerts read.</item>
/// </list>
/// Passports and provenance of the watched items are read by the regulator after each capture.
/// </summary>
public sealed class DscsaFlow : IAsyncLifetime
{
    /// <summary>Steps at which the watched items are read.</summary>
    public const string Shipped = "shipped", AtWholesaler = "wholesaler", AtPharmacy = "pharmacy", Recalled = "recalled";

    /// <summary>The items read at every step.</summary>
    public static readonly IReadOnlyList<ItemId> Watched =
        [FlowKit.Pack("11"), FlowKit.Pack("12"), FlowKit.Pack("13"), FlowKit.Pack("15"), FlowKit.Case("110"), FlowKit.Case("111"), FlowKit.Pallet];

    private TestConsortium? _consortium;
    private NodeProcess? _node;
    private readonly Dictionary<(string Step, ItemId Item), ItemSnapshot> _snapshots = [];

    /// <summary>The parties.</summary>
    public TestConsortium Consortium => _consortium ?? throw new InvalidOperationException("not started");

    /// <summary>The node.</summary>
    public NodeProcess Node => _node ?? throw new InvalidOperationException("not started");

    /// <summary>The capture job of the GS1 US pharma example, then of the same file again.</summary>
    public JsonElement MakerCapture { get; private set; }

    /// <inheritdoc cref="MakerCapture"/>
    public JsonElement MakerRecapture { get; private set; }

    /// <summary>/v1/head before and after the repeated capture.</summary>
    public JsonElement HeadBeforeRecapture { get; private set; }

    /// <inheritdoc cref="HeadBeforeRecapture"/>
    public JsonElement HeadAfterRecapture { get; private set; }

    /// <summary>The capture jobs of the wholesaler's, the pharmacy's and the recall documents.</summary>
    public JsonElement WholesalerCapture { get; private set; }

    /// <inheritdoc cref="WholesalerCapture"/>
    public JsonElement PharmacyCapture { get; private set; }

    /// <inheritdoc cref="WholesalerCapture"/>
    public JsonElement RecallCapture { get; private set; }

    /// <summary>Pack 13 (at the wholesaler, lot A123, expiry 250327 in the request) verified before the recall.</summary>
    public LvmExchange GenuineBeforeRecall { get; private set; } = null!;

    /// <summary>The same pack verified after the recall.</summary>
    public LvmExchange GenuineAfterRecall { get; private set; } = null!;

    /// <summary>A serial of the pack GTIN never commissioned (9999).</summary>
    public LvmExchange NeverCommissioned { get; private set; } = null!;

    /// <summary>Genuine pack 14 scanned with lot B999.</summary>
    public LvmExchange WrongLot { get; private set; } = null!;

    /// <summary>/v1/alerts as the regulator and as the pharmacy after the flow.</summary>
    public JsonElement RegulatorAlerts { get; private set; }

    /// <inheritdoc cref="RegulatorAlerts"/>
    public JsonElement PharmacyAlerts { get; private set; }

    /// <summary>The watched item's passport and provenance at a step.</summary>
    public ItemSnapshot At(string step, ItemId item) => _snapshots[(step, item)];

    /// <summary>A client authenticated as <paramref name="party"/> (null: anonymous); the caller disposes it.</summary>
    public HttpClient ClientFor(TestParty? party) => TestConsortium.ClientFor(Node, party);

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _consortium = await TestConsortium.CreateAsync();
        _node = await _consortium.StartNodeAsync();
        using var maker = ClientFor(Consortium.Maker);
        using var wholesaler = ClientFor(Consortium.Wholesaler);
        using var pharmacy = ClientFor(Consortium.Pharmacy);
        using var regulator = ClientFor(Consortium.Regulator);
        using var anonymous = ClientFor(null);

        var example = FlowKit.ReadRepositoryFile("tests", "vectors", "epcis", "openepcis-test-resources", "1.2", "EPCIS", "XML", "Capture", "Documents",
            "GS1_US_Pharma_Example_2_2_1_1.xml");
        MakerCapture = Require(await FlowKit.CaptureAsync(maker, example, "application/xml"), "the GS1 US pharma example");
        HeadBeforeRecapture = await FlowKit.GetJsonAsync(maker, "/v1/head");
        MakerRecapture = await FlowKit.CaptureAsync(maker, example, "application/xml");
        HeadAfterRecapture = await FlowKit.GetJsonAsync(maker, "/v1/head");
        await SnapshotAsync(regulator, Shipped);

        WholesalerCapture = Require(await FlowKit.CaptureAsync(wholesaler, FlowKit.ReadFlowDocument("wholesaler-receive-unpack-ship.jsonld"), "application/ld+json"), "the wholesaler's document");
        await SnapshotAsync(regulator, AtWholesaler);

        PharmacyCapture = Require(await FlowKit.CaptureAsync(pharmacy, FlowKit.ReadFlowDocument("pharmacy-receive-dispense.jsonld"), "application/ld+json"), "the pharmacy's document");
        await SnapshotAsync(regulator, AtPharmacy);

        GenuineBeforeRecall = await VerifyAsync(anonymous, $"/01/{FlowKit.PackGtin}/10/{FlowKit.Lot}/21/13", "&exp=" + FlowKit.Expiry, upperCaseUuid: false);
        NeverCommissioned = await VerifyAsync(anonymous, $"/01/{FlowKit.PackGtin}/21/9999", "", upperCaseUuid: true);
        WrongLot = await VerifyAsync(anonymous, $"/01/{FlowKit.PackGtin}/10/B999/21/14", "", upperCaseUuid: false);

        RecallCapture = Require(await FlowKit.CaptureAsync(maker, FlowKit.ReadFlowDocument("maker-recall-lot.jsonld"), "application/ld+json"), "the recall");
        GenuineAfterRecall = await VerifyAsync(anonymous, $"/01/{FlowKit.PackGtin}/10/{FlowKit.Lot}/21/13", "&exp=" + FlowKit.Expiry, upperCaseUuid: false);
        await SnapshotAsync(regulator, Recalled);

        RegulatorAlerts = await FlowKit.GetJsonAsync(regulator, "/v1/alerts?limit=1000");
        PharmacyAlerts = await FlowKit.GetJsonAsync(pharmacy, "/v1/alerts?limit=1000");
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
        _consortium?.Dispose();
    }

    private static JsonElement Require(JsonElement job, string what) => job.GetProperty("success").GetBoolean()
        ? job
        : throw new InvalidOperationException($"the capture of {what} was refused: {job}");

    private async Task SnapshotAsync(HttpClient regulator, string step)
    {
        foreach (var item in Watched)
            _snapshots[(step, item)] = new ItemSnapshot(
                await FlowKit.GetJsonAsync(regulator, FlowKit.PassportPath(item)),
                await FlowKit.GetJsonAsync(regulator, FlowKit.ProvenancePath(item)));
    }

    private static async Task<LvmExchange> VerifyAsync(HttpClient anonymous, string digitalLink, string extra, bool upperCaseUuid)
    {
        var correlation = Guid.NewGuid();
        var uuid = upperCaseUuid ? correlation.ToString("D").ToUpperInvariant() : correlation.ToString("D");
        var path = $"{digitalLink}?linkType=verificationService&context=dscsaSaleableReturn&reqGLN={FlowKit.WholesalerHq}&corrUUID={uuid}{extra}";
        var (status, json) = await FlowKit.GetAsync(anonymous, path);
        return new LvmExchange(path, correlation, status, json);
    }
}
