using Ledger.Protocol.Consortium;
using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;

namespace Ledger.Engine.Tests.Lane;

/// <summary>A four-party, one-node consortium and a real lane in a temporary folder.</summary>
public sealed class LaneFixture : IAsyncDisposable
{
    public static readonly PrivateKey NodeKey = Key(1);
    public static readonly PrivateKey Maker = Key(2);
    public static readonly PrivateKey Wholesaler = Key(3);
    public static readonly PrivateKey Pharmacy = Key(4);
    public static readonly PrivateKey Regulator = Key(5);
    public const string MakerGln = "0614141000005";
    public const string WholesalerGln = "0614141000012";
    public const string PharmacyGln = "0614141000029";
    public const string Gtin = "00614141123452";
    public static readonly long T0 = DateTimeOffset.Parse("2026-11-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    private ulong _nonce;

    public LaneFixture(LaneOptions? options = null, string? directory = null)
    {
        Directory = directory ?? Path.Combine(Path.GetTempPath(), "ledger-lane-" + Guid.NewGuid().ToString("N"));
        Options = options ?? new LaneOptions();
        Engine = LedgerEngine.Open(Directory, NodeKey, Consortium, Options);
    }

    public string Directory { get; }

    public LaneOptions Options { get; }

    public LedgerEngine Engine { get; private set; }

    public static ConsortiumDirectory Consortium { get; } = new(new ConsortiumDefinition("test", 1,
        [new ConsortiumNode("node-1", NodeKey.Address, "")],
        [
            new Party("maker", Maker.Address, PartyRoles.Manufacturer, [MakerGln], ["0614141"], [], NodeKey.Address),
            new Party("wholesaler", Wholesaler.Address, PartyRoles.Wholesaler, [WholesalerGln], [], [], NodeKey.Address),
            new Party("pharmacy", Pharmacy.Address, PartyRoles.Dispenser, [PharmacyGln], [], [], NodeKey.Address),
            new Party("regulator", Regulator.Address, PartyRoles.Regulator, [], [], [], NodeKey.Address),
        ]));

    public static PrivateKey Key(byte b) => PrivateKey.FromBytes(Enumerable.Repeat(b, 31).Prepend((byte)0x10).ToArray());

    public LedgerRecord Record(PrivateKey author, RecordPayload payload, long? time = null) =>
        new(author.Address, ++_nonce, time ?? T0 + (long)_nonce * 1000, payload, Engine.Store is { } ? DepsFor(payload) : null);

    private IReadOnlyList<Hash32> DepsFor(RecordPayload payload) =>
        [.. payload.Items.Select(Engine.Store.GetItem).OfType<ItemState>().Select(s => s.LatestRecord).Distinct()];

    public Task<SubmitResult> Submit(PrivateKey author, params RecordPayload[] payloads) =>
        Engine.SubmitAsync(SignedBatch.Sign([.. payloads.Select(p => Record(author, p))], author));

    public static ItemId Pack(string serial) => ItemId.Sgtin(Gtin, serial);

    public async Task ReopenAsync()
    {
        await Engine.DisposeAsync();
        Engine = LedgerEngine.Open(Directory, NodeKey, Consortium, Options);
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
