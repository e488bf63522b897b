using System.Security.Cryptography;
using Ledger.Node.Tests;
using Ledger.Node.Tests.Network;
using Ledger.Protocol.Records;
using Ledger.Sdk.Client;
using Xunit;

namespace Ledger.Sdk.Tests.Client;

/// <summary>One real node with the four-party test consortium, shared by the client tests (each test uses fresh serials).</summary>
public sealed class SdkNodeFixture : IAsyncLifetime
{
    /// <summary>A GTIN of the maker's prefix 030001.</summary>
    public const string Gtin = "00300011234501";

    /// <summary>The maker's line GLN.</summary>
    public const string Line = "0300011111116";

    /// <summary>The maker's dock GLN.</summary>
    public const string Dock = "0300011111215";

    /// <summary>The wholesaler's receiving GLN.</summary>
    public const string WholesalerGln = "0399993456780";

    public TestConsortium Consortium { get; private set; } = null!;

    public NodeProcess Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Consortium = await TestConsortium.CreateAsync();
        Node = await Consortium.StartNodeAsync(GrpcArgs);
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        Consortium.Dispose();
    }

    /// <summary>The node arguments that open its gRPC endpoint on a free port.</summary>
    public static readonly string[] GrpcArgs = ["--grpc-urls", "http://127.0.0.1:0"];

    /// <summary>Both transports, for theories.</summary>
    public static TheoryData<LedgerTransport> Transports => [LedgerTransport.Http, LedgerTransport.Grpc];

    /// <summary>A client that authenticates with the party's token and signs batches with its key.</summary>
    public LedgerClient ClientFor(TestParty party, bool signRequests = false, LedgerTransport transport = LedgerTransport.Http) => new(new LedgerClientOptions
    {
        Node = Node.BaseAddress,
        GrpcNode = Node.GrpcAddress,
        Transport = transport,
        ApiToken = signRequests ? null : party.Token,
        PrivateKey = party.Key,
    });

    /// <summary>A serial no other test uses.</summary>
    public static string NewSerial() => "S" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));

    /// <summary>A pack of the test GTIN.</summary>
    public static ItemId Pack(string serial) => ItemId.Sgtin(Gtin, serial);

    /// <summary>An SSCC of the maker's prefix with a random serial reference.</summary>
    public static ItemId NewCase()
    {
        var body = "0030001" + RandomNumberGenerator.GetInt32(0, 1_000_000_000).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        return ItemId.Sscc(body + Ledger.Protocol.Gs1.CheckDigit.Compute(body));
    }
}
