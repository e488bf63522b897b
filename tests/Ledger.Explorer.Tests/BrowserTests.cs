using System.IO.Compression;
using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Ledger.Cli.Tests;
using Ledger.Protocol.Gs1;
using Microsoft.Playwright;
using Xunit;

namespace Ledger.Explorer.Tests;

/// <summary>The explorer in a real browser against a real node.</summary>
[Collection(ExplorerGroup.Name)]
public sealed class BrowserTests(ExplorerFixture f) : IAsyncLifetime
{
    private const string Gtin = ExplorerFixture.Gtin;

    // Playwright waits up to 30 s for an element by default; on a loaded 2-core CI machine running other test
    // projects beside this one a page can take longer than that, so waits get a wider margin (a wait, not a timing).
    private const float WaitMs = 120_000;

    private readonly List<IBrowserContext> _contexts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
            await context.CloseAsync();
    }

    private async Task<IPage> PageAsync(bool javaScript = true, ViewportSize? viewport = null)
    {
        var context = await f.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = javaScript, ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 } });
        _contexts.Add(context);
        context.SetDefaultTimeout(WaitMs);
        context.SetDefaultNavigationTimeout(WaitMs);
        return await context.NewPageAsync();
    }

    private async Task<IPage> SearchAsync(string query, bool javaScript = true, Uri? explorer = null)
    {
        var page = await PageAsync(javaScript);
        await page.GotoAsync((explorer ?? f.Explorer).ToString());
        await page.GetByLabel("Identifier").FillAsync(query);
        await page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
        return page;
    }

    private static async Task<string> StatusAsync(IPage page) => (await page.Locator(".status .badge").InnerTextAsync()).Trim();

    public static TheoryData<string, string> PackForms => new()
    {
        { "bracketed", $"(01){Gtin}(21)A1" },
        { "scan data ]d2 with GS", $"]d201{Gtin}10LOTA\u001d21A1" },
        { "raw element string with GS", $"01{Gtin}10LOTA\u001d21A1" },
        { "Digital Link URI", $"https://id.gs1.org/01/{Gtin}/21/A1" },
        { "EPC URN", "urn:epc:id:sgtin:030001.0123450.A1" },
        { "GTIN and serial", $"{Gtin} A1" },
    };

    [Theory]
    [MemberData(nameof(PackForms))]
    public async Task Search_EachPackForm_OpensThePassport(string form, string query)
    {
        var page = await SearchAsync(query);

        Assert.True(new Uri(page.Url).AbsolutePath == $"/01/{Gtin}/21/A1", $"{form}: {page.Url}");
        Assert.Contains(f.Genuine.ToString(), await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("Genuine and active", await StatusAsync(page));
    }

    [Fact]
    public async Task Search_Sscc_OpensTheCasePassportWithItsChildren()
    {
        var page = await SearchAsync(f.Case.Key);

        Assert.Equal($"/00/{f.Case.Key}", new Uri(page.Url).AbsolutePath);
        Assert.Contains(f.InCase.ToString(), await page.Locator("#pack-h + ul").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_LotAndGln_OpenTheirViews()
    {
        var lot = await SearchAsync($"(01){Gtin}(10)LOTR");
        Assert.Equal($"/lot/{Gtin}/LOTR", new Uri(lot.Url).AbsolutePath);
        var bareLot = await SearchAsync("LOTX");
        Assert.Equal($"/lot/{Gtin}/LOTX", new Uri(bareLot.Url).AbsolutePath);
        var gln = await SearchAsync(ExplorerFixture.PharmacyGln);
        Assert.Equal($"/location/{ExplorerFixture.PharmacyGln}", new Uri(gln.Url).AbsolutePath);
        Assert.Contains("pharmacy", await gln.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(01)00300011234502(21)A1")]
    [InlineData("urn:epc:id:sgtin:030001.0123450")]
    [InlineData("]d2019")]
    public async Task Search_BadInput_ShowsTheLibrarysFieldAndRule(string query)
    {
        var expected = Assert.Throws<Gs1FormatException>(() => Gs1Identifier.Parse(query));

        var page = await SearchAsync(query);

        var problem = page.GetByRole(AriaRole.Alert);
        Assert.Equal(expected.Field, await problem.Locator("code.field").InnerTextAsync());
        Assert.Equal(expected.Rule, await problem.Locator("code.rule").InnerTextAsync());
        Assert.Contains(expected.Detail, await problem.InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passport_Genuine_EveryCheckPasses()
    {
        var page = await SearchAsync($"(01){Gtin}(21)A1");

        var results = await page.Locator("#verification tbody tr td:nth-child(3)").AllInnerTextsAsync();
        Assert.True(results.Count >= 8, $"{results.Count} checks");
        Assert.All(results, r => Assert.Equal("passed", r.Trim()));
        Assert.Contains("Proven by every verification check", await page.Locator(".status").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Commission", await page.Locator("#tl-h + div table").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("svg[role=img] circle").CountAsync());
    }

    [Fact]
    public async Task Passport_Dispensed_SaysWhoDispensedWhere()
    {
        var page = await SearchAsync($"(01){Gtin}(21)A2");

        Assert.Equal("Dispensed", await StatusAsync(page));
        var reason = await page.Locator(".status .reason").InnerTextAsync();
        Assert.Contains("pharmacy", reason, StringComparison.Ordinal);
        Assert.Contains(ExplorerFixture.PharmacyGln, reason, StringComparison.Ordinal);
        // Custody graph: maker → pharmacy, one numbered arrow.
        Assert.Equal(2, await page.Locator("#graph-h ~ svg circle").CountAsync());
        Assert.Equal(1, await page.Locator("#graph-h ~ svg path.garrow").CountAsync());
    }

    [Fact]
    public async Task Passport_Recalled_ShowsTheRecallAndItsReason()
    {
        var page = await SearchAsync($"(01){Gtin}(21)R1");

        Assert.Equal("Recalled", await StatusAsync(page));
        Assert.Contains(ExplorerFixture.RecallReason, await page.Locator(".status .reason").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Recall", await page.Locator("#tl-h + div table").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passport_Expired_ShowsTheExpiryDate()
    {
        var now = await SearchAsync($"(01){Gtin}(21)X1");
        Assert.Equal("Genuine and active", await StatusAsync(now));

        var page = await SearchAsync($"(01){Gtin}(21)X1", explorer: f.LaterExplorer);

        Assert.Equal("Expired", await StatusAsync(page));
        Assert.Contains("2027-01-31", await page.Locator(".status .reason").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passport_UnknownSerial_SaysItMayBeCounterfeit()
    {
        var page = await SearchAsync($"(01){Gtin}(21)FAKE999");

        Assert.Equal("Unknown — not on the ledger", await StatusAsync(page));
        Assert.Contains("counterfeit", await page.Locator(".status .reason").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("absence is proven", await page.Locator(".status .reason").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passport_TamperedAnswer_ShowsTheFailedCheckAndNoGenuineStatus()
    {
        var page = await SearchAsync($"(01){Gtin}(21)A2", explorer: f.TamperedExplorer);

        Assert.Equal("Suspect — do not dispense", await StatusAsync(page));
        var main = await page.Locator("main").InnerTextAsync();
        Assert.DoesNotContain("Genuine", main, StringComparison.Ordinal);
        Assert.Contains("status-mismatch", await page.Locator(".status .reason").InnerTextAsync(), StringComparison.Ordinal);
        var failed = page.Locator("#verification tbody tr", new() { HasText = "FAILED" });
        Assert.True(await failed.CountAsync() >= 1);
        Assert.Contains("status-mismatch", await failed.First.InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ExplorerFixture.ScreenshotFolder(), "failed-verification.png"), FullPage = true });
    }

    [Fact]
    public async Task LotView_RecalledLot_ListsEveryPackWithCustodianAndState()
    {
        var page = await PageAsync();
        await page.GotoAsync(new Uri(f.Explorer, $"/lot/{Gtin}/LOTR").ToString());

        Assert.Contains(ExplorerFixture.RecallReason, await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        var rows = page.Locator("#packs-h + div tbody tr");
        Assert.Equal(3, await rows.CountAsync());
        foreach (var pack in f.Recalled)
        {
            var row = rows.Filter(new() { HasText = pack.ToString() });
            var text = await row.InnerTextAsync();
            Assert.Contains("Recalled", text, StringComparison.Ordinal);
            Assert.Contains(pack == f.Recalled[1] ? "pharmacy" : "maker", text, StringComparison.Ordinal);
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(ExplorerFixture.ScreenshotFolder(), "lot.png"), FullPage = true });
    }

    [Fact]
    public async Task Evidence_OfAPassport_VerifiesWithLedgerVerifyProof()
    {
        using var http = new HttpClient();
        var zipBytes = await http.GetByteArrayAsync(new Uri(f.Explorer, $"/evidence/01/{Gtin}/21/A2"));
        var folder = Path.Combine(f.Folder, "evidence-" + Guid.NewGuid().ToString("N"));
        using (var zip = new ZipArchive(new MemoryStream(zipBytes)))
            zip.ExtractToDirectory(folder);
        var readme = await File.ReadAllTextAsync(Path.Combine(folder, "README.txt"));
        var command = readme.Split('\n').Single(l => l.StartsWith("ledger verify-proof ", StringComparison.Ordinal));
        var args = command.Split(' ')[1..];

        var text = await CliRunner.RunAsync(args, workingDirectory: folder);
        var json = await CliRunner.RunAsync([.. args, "--json"], workingDirectory: folder);

        Assert.True(text.ExitCode == 0, text.StdErr + text.StdOut);
        Assert.Contains($"proven: {f.Dispensed} is Supplied", text.StdOut, StringComparison.Ordinal);
        Assert.Equal(0, json.ExitCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "verification.json"))), JsonNode.Parse(json.StdOut)),
            "the archive's report is what verify-proof reports at the same time");
    }

    [Fact]
    public async Task Evidence_OfALot_EveryPackVerifiesWithLedgerVerifyProof()
    {
        using var http = new HttpClient();
        var zipBytes = await http.GetByteArrayAsync(new Uri(f.Explorer, $"/evidence/lot/{Gtin}/LOTR"));
        var folder = Path.Combine(f.Folder, "lot-evidence-" + Guid.NewGuid().ToString("N"));
        using (var zip = new ZipArchive(new MemoryStream(zipBytes)))
            zip.ExtractToDirectory(folder);
        var commands = (await File.ReadAllTextAsync(Path.Combine(folder, "README.txt"))).Split('\n').Where(l => l.StartsWith("ledger verify-proof ", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, commands.Count);
        foreach (var command in commands)
        {
            var r = await CliRunner.RunAsync(command.Split(' ')[1..], workingDirectory: folder);
            Assert.True(r.ExitCode == 0, command + "\n" + r.StdErr + r.StdOut);
            Assert.Contains(" is Recalled at ", r.StdOut, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DigitalLinkPath_UnservedLinkType_Is404NamingLinkType()
    {
        var page = await PageAsync();
        var response = await page.GotoAsync(new Uri(f.Explorer, $"/01/{Gtin}/21/A1?linkType=gs1:recipeInfo").ToString());

        Assert.Equal(404, response!.Status);
        Assert.Equal("linkType", await page.Locator("code.field").InnerTextAsync());
    }

    [Fact]
    public async Task Print_StatesWhatWasProvenAndWhen()
    {
        var page = await PageAsync();
        await page.GotoAsync(new Uri(f.Explorer, $"/print/01/{Gtin}/21/A1").ToString());

        var text = await page.Locator("main").InnerTextAsync();
        Assert.Contains("Genuine and active", text, StringComparison.Ordinal);
        Assert.Contains("Verified at", text, StringComparison.Ordinal);
        Assert.Contains("ledger verify-proof provenance.json --consortium consortium.json --at ", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/01/00300011234501/21/A1")]
    [InlineData("/01/00300011234501/10/LOTA/21/A1?linkType=gs1:pip")]
    [InlineData("/01/00300011234501/21/A1?17=301231")]
    public async Task DigitalLinkPath_OpensThePassport(string path)
    {
        var page = await PageAsync();
        var response = await page.GotoAsync(new Uri(f.Explorer, path).ToString());

        Assert.Equal(200, response!.Status);
        Assert.Equal("Genuine and active", await StatusAsync(page));
    }

    [Fact]
    public async Task DigitalLinkPath_BadCheckDigit_NamesTheFieldAndRule()
    {
        var expected = Assert.Throws<Gs1FormatException>(() => Gs1Identifier.Parse("https://id.gs1.org/01/00300011234502/21/A1"));
        var page = await PageAsync();
        var response = await page.GotoAsync(new Uri(f.Explorer, "/01/00300011234502/21/A1").ToString());

        Assert.Equal(400, response!.Status);
        Assert.Equal(expected.Rule, await page.Locator("code.rule").InnerTextAsync());
    }

    [Fact]
    public async Task WithoutJavaScript_SearchAndPassportWork()
    {
        var page = await SearchAsync($"{Gtin} R2", javaScript: false);

        Assert.Equal($"/01/{Gtin}/21/R2", new Uri(page.Url).AbsolutePath);
        Assert.Equal("Recalled", await StatusAsync(page));
        Assert.Contains("pharmacy", await page.Locator(".facts").First.InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_ShowsPartiesNodesAndTheDownNode()
    {
        var page = await PageAsync();
        await page.GotoAsync(f.Explorer.ToString());

        var nodes = await page.Locator("#nodes-h + div table").InnerTextAsync();
        Assert.Contains("down", nodes, StringComparison.Ordinal);
        Assert.Contains("up", nodes, StringComparison.Ordinal);
        var parties = await page.Locator("#parties-h + div table").InnerTextAsync();
        foreach (var p in new[] { "maker", "wholesaler", "pharmacy", "fda" })
            Assert.Contains(p, parties, StringComparison.Ordinal);
        Assert.True(await page.Locator("#blocks-h + div tbody tr").CountAsync() >= 4);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ExplorerFixture.ScreenshotFolder(), "overview.png"), FullPage = true });
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/01/00300011234501/21/A2")]
    [InlineData("/lot/00300011234501/LOTR")]
    [InlineData("/search?q=%2801%2900300011234502%2821%29A1")]
    public async Task Accessibility_AxeFindsNoSeriousViolation(string path)
    {
        var page = await PageAsync();
        await page.GotoAsync(new Uri(f.Explorer, path).ToString());

        var result = await page.RunAxe();

        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help} ({v.Nodes.Length} nodes)").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
        Assert.True(result.Passes.Length > 10, "axe ran its checks");
    }

    [Fact]
    public async Task Accessibility_KeyboardReachesTheSearchBoxFirstAfterTheSkipLink()
    {
        var page = await PageAsync();
        await page.GotoAsync(f.Explorer.ToString());

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            ids.Add(await page.EvaluateAsync<string>("document.activeElement.id || document.activeElement.tagName"));
        }
        Assert.Contains("q", ids);
    }

    [Fact]
    public async Task PhoneViewport_PassportFitsWithoutSideways_Scrolling()
    {
        var page = await PageAsync(viewport: new ViewportSize { Width = 390, Height = 844 });
        await page.GotoAsync(new Uri(f.Explorer, $"/01/{Gtin}/21/A2").ToString());

        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the phone");
        Assert.True(await page.GetByLabel("Identifier").IsVisibleAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(ExplorerFixture.ScreenshotFolder(), "passport-phone.png"), FullPage = true });
        var desktop = await PageAsync();
        await desktop.GotoAsync(new Uri(f.Explorer, $"/01/{Gtin}/21/A2").ToString());
        await desktop.ScreenshotAsync(new() { Path = Path.Combine(ExplorerFixture.ScreenshotFolder(), "passport.png"), FullPage = true });
    }
}
