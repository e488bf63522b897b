using System.Text.Json.Nodes;
using Ledger.Node.Tests;
using Ledger.Node.Tests.Network;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Records;
using Ledger.Sdk.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Xunit;

namespace Ledger.Explorer.Tests;

/// <summary>
/// One real node (the four-party test consortium) holding a genuine, a dispensed, a recalled, an expired pack and a case;
/// the explorer on real Kestrel asking a node that is down first and then the real one (as a regulator); a second explorer
/// behind a proxy that tampers with provenance answers; and headless Debian Chromium driven by Playwright.
/// </summary>
public sealed class ExplorerFixture : IAsyncLifetime
{
    public const string Gtin = "00300011234501";
    public const string Line = "0300011111116";
    public const string PharmacyGln = "0398880000013";
    public const string RecallReason = "sterility not assured";

    private readonly TestDirectory _dir = new();
    private readonly List<WebApplication> _apps = [];

    public TestConsortium Consortium { get; private set; } = null!;
    public NodeProcess Node { get; private set; } = null!;
    public Uri Explorer { get; private set; } = null!;
    public Uri TamperedExplorer { get; private set; } = null!;

    /// <summary>An explorer whose clock reads 2027-03-01: it verifies every answer at that time (after LOTX's expiry, 2027-01-31).</summary>
    public Uri LaterExplorer { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string ConsortiumPath => Path.Combine(Consortium.DataDirectory, ConsortiumFile.FileName);
    public string Folder => _dir.Path;

    public ItemId Genuine { get; } = ItemId.Sgtin(Gtin, "A1");
    public ItemId InCase { get; } = ItemId.Sgtin(Gtin, "A3");
    public ItemId Dispensed { get; } = ItemId.Sgtin(Gtin, "A2");
    public IReadOnlyList<ItemId> Recalled { get; } = [ItemId.Sgtin(Gtin, "R1"), ItemId.Sgtin(Gtin, "R2"), ItemId.Sgtin(Gtin, "R3")];
    public ItemId Expired { get; } = ItemId.Sgtin(Gtin, "X1");
    public ItemId Case { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Consortium = await TestConsortium.CreateAsync();
        Node = await Consortium.StartNodeAsync();
        await WriteLedgerAsync();

        var token = Path.Combine(Folder, "regulator.token");
        await File.WriteAllTextAsync(token, Consortium.Regulator.Token);
        // The first node is down (nothing listens on port 1): every page must still answer from the other.
        Explorer = await StartExplorerAsync([new Uri("http://127.0.0.1:1/"), Node.BaseAddress], token);
        TamperedExplorer = await StartExplorerAsync([await StartTamperingProxyAsync()], token);
        LaterExplorer = await StartExplorerAsync([Node.BaseAddress], token, new FixedTime(new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero)));

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    private async Task WriteLedgerAsync()
    {
        using var maker = Client(Consortium.Maker);
        using var pharmacy = Client(Consortium.Pharmacy);
        var body = "0030001" + Random.Shared.Next(0, 1_000_000_000).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        Case = ItemId.Sscc(body + Ledger.Protocol.Gs1.CheckDigit.Compute(body));
        await new RecordBatchBuilder(maker)
            .Commission(Gtin, "LOTA", "301231", Line, ["A1", "A2", "A3"])
            .Commission(Gtin, "LOTR", "301231", Line, ["R1", "R2", "R3"])
            .Commission(Gtin, "LOTX", "270131", Line, ["X1"])
            .Pack(Case, [InCase], Line)
            .SubmitAsync();
        var shipped = await new RecordBatchBuilder(maker).Ship([Dispensed, Recalled[1]], Line, Consortium.Pharmacy.Address, PharmacyGln).SubmitAsync();
        await new RecordBatchBuilder(pharmacy)
            .Receive(shipped.Outcomes[0].RecordIds[0], [Dispensed, Recalled[1]], PharmacyGln)
            .Decommission([Dispensed], DecommissionState.Supplied, PharmacyGln)
            .SubmitAsync();
        await new RecordBatchBuilder(maker).Recall(Gtin, "LOTR", null, RecallReason).SubmitAsync();
    }

    public LedgerClient Client(TestParty party) => new(new LedgerClientOptions { Node = Node.BaseAddress, ApiToken = party.Token, PrivateKey = party.Key });

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private async Task<Uri> StartExplorerAsync(IReadOnlyList<Uri> nodes, string tokenFile, TimeProvider? time = null)
    {
        var app = ExplorerApp.Build(new ExplorerOptions { Nodes = nodes, ConsortiumPath = ConsortiumPath, TokenFile = tokenFile, Urls = "http://127.0.0.1:0" }, time);
        await app.StartAsync();
        _apps.Add(app);
        return new Uri(app.Urls.First());
    }

    /// <summary>A man in the middle: forwards every GET to the node, and in provenance answers claims a dispensed pack is active.</summary>
    private async Task<Uri> StartTamperingProxyAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var client = new HttpClient { BaseAddress = Node.BaseAddress };
        app.Run(async context =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, context.Request.Path + context.Request.QueryString);
            if (context.Request.Headers.Authorization.Count > 0)
                request.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (context.Request.Path.StartsWithSegments("/v1/provenance") && response.IsSuccessStatusCode)
            {
                var json = JsonNode.Parse(text)!;
                if (json["state"] is JsonObject state && (string?)state["status"] == "Supplied")
                    state["status"] = "Active";
                text = json.ToJsonString();
            }
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await context.Response.WriteAsync(text);
        });
        await app.StartAsync();
        _apps.Add(app);
        return new Uri(app.Urls.First());
    }

    /// <summary>The repository's docs/screenshots folder (found from the test's output upwards).</summary>
    public static string ScreenshotFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ledger.sln")))
            dir = dir.Parent;
        var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "docs", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        foreach (var app in _apps)
            await app.DisposeAsync();
        await Node.DisposeAsync();
        Consortium.Dispose();
        _dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ExplorerGroup : ICollectionFixture<ExplorerFixture>
{
    public const string Name = "explorer";
}
