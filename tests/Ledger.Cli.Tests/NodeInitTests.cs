using System.Text.Json;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Cli.Tests;

public sealed class NodeInitTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("ledger-node-init-");

    public void Dispose() => _root.Delete(recursive: true);

    private string Data => Path.Combine(_root.FullName, "data");

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static Address KeyAddress(string path) =>
        PrivateKey.Parse(Json(File.ReadAllText(path)).GetProperty("privateKey").GetString()!).Address;

    /// <summary>Every file under the data directory with its bytes: "nothing written" means this does not change.</summary>
    private Dictionary<string, string> Snapshot() => Directory.Exists(Data)
        ? Directory.GetFiles(Data, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(Data, f), File.ReadAllText)
        : [];

    private Task<CliResult> Init(params string[] extra) =>
        CliRunner.RunAsync(["node", "init", "--data", Data, "--party-name", "acme", "--prefix", "0614141", "--gln", "0614141000005", .. extra]);

    private static string SingleLine(string stderr) => Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task Init_NewDirectory_CreatesOwnerOnlyKeysTokenAndConsortiumMatchingPrintedJson()
    {
        var r = await Init();
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdErr);
        var printed = Json(r.StdOut);
        var node = Address.Parse(printed.GetProperty("node").GetString()!);
        var party = printed.GetProperty("party");
        Assert.Equal("acme", party.GetProperty("name").GetString());
        var partyAddress = Address.Parse(party.GetProperty("address").GetString()!);
        Assert.Equal(["manufacturer"], party.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Path.Combine(Data, "tokens", "acme.token"), printed.GetProperty("tokenFile").GetString());
        Assert.Equal(Path.Combine(Data, "consortium.json"), printed.GetProperty("consortium").GetString());

        var nodeKey = Path.Combine(Data, "node.key");
        var partyKey = Path.Combine(Data, "parties", "acme.key");
        var token = Path.Combine(Data, "tokens", "acme.token");
        Assert.Equal(node, KeyAddress(nodeKey));
        Assert.Equal(partyAddress, KeyAddress(partyKey));
        Assert.Matches("^ledger_[A-Za-z0-9_-]{43}\n$", File.ReadAllText(token));
        Assert.DoesNotContain(File.ReadAllText(token).Trim(), r.StdOut, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(nodeKey));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(partyKey));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(token));
        }

        var consortium = Json(File.ReadAllText(Path.Combine(Data, "consortium.json")));
        Assert.Equal("ledger-consortium/v2", consortium.GetProperty("format").GetString());
        Assert.Equal("devnet", consortium.GetProperty("name").GetString());
        Assert.Equal(1, consortium.GetProperty("version").GetInt64());
        var n = Assert.Single(consortium.GetProperty("nodes").EnumerateArray());
        Assert.Equal("node-1", n.GetProperty("name").GetString());
        Assert.Equal(node, Address.Parse(n.GetProperty("address").GetString()!));
        var p = Assert.Single(consortium.GetProperty("parties").EnumerateArray());
        Assert.Equal(partyAddress, Address.Parse(p.GetProperty("address").GetString()!));
        Assert.Equal(node, Address.Parse(p.GetProperty("node").GetString()!));
        Assert.Equal(["0614141000005"], p.GetProperty("glns").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["0614141"], p.GetProperty("companyPrefixes").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Init_SecondTime_RefusesWithAlreadyInitialisedAndChangesNothing()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var before = Snapshot();
        var r = await CliRunner.RunAsync("node", "init", "--data", Data, "--party-name", "other", "--gln", "0614141000012");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var line = SingleLine(r.StdErr);
        Assert.StartsWith("--data:", line, StringComparison.Ordinal);
        Assert.EndsWith("[already-initialised]", line, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Init_BadGlnCheckDigit_ExitsTwoNamingGlnAndWritesNothing()
    {
        var r = await CliRunner.RunAsync("node", "init", "--data", Data, "--party-name", "acme", "--gln", "0614141000006");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var line = SingleLine(r.StdErr);
        Assert.StartsWith("--gln: parties[0].glns[0]:", line, StringComparison.Ordinal);
        Assert.EndsWith("[check-digit]", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Data));
    }

    [Fact]
    public async Task Init_UnknownRole_ExitsTwoNamingRoleAndWritesNothing()
    {
        var r = await Init("--role", "pharmacist");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--role:", SingleLine(r.StdErr), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Data));
    }

    [Fact]
    public async Task AddParty_NewParty_AddsItHostedHereAndBumpsVersion()
    {
        var init = Json((await Init()).StdOut);
        var r = await CliRunner.RunAsync("node", "add-party", "--data", Data, "--party-name", "beta",
            "--gln", "0614141000012", "--gln", "0614141000029", "--role", "wholesaler", "--role", "dispenser");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdErr);
        var printed = Json(r.StdOut);
        Assert.Equal(init.GetProperty("node").GetString(), printed.GetProperty("node").GetString());
        var address = Address.Parse(printed.GetProperty("party").GetProperty("address").GetString()!);
        Assert.Equal(["wholesaler", "dispenser"], printed.GetProperty("party").GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(address, KeyAddress(Path.Combine(Data, "parties", "beta.key")));
        Assert.True(File.Exists(Path.Combine(Data, "tokens", "beta.token")));

        var consortium = Json(File.ReadAllText(Path.Combine(Data, "consortium.json")));
        Assert.Equal(2, consortium.GetProperty("version").GetInt64());
        var parties = consortium.GetProperty("parties").EnumerateArray().ToArray();
        Assert.Equal(["acme", "beta"], parties.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(address, Address.Parse(parties[1].GetProperty("address").GetString()!));
        Assert.Equal(init.GetProperty("node").GetString(), parties[1].GetProperty("node").GetString());
        Assert.Equal(["0614141000012", "0614141000029"], parties[1].GetProperty("glns").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("acme", "0614141000012", "--party-name: parties[1].name:", "[unique]")]
    [InlineData("beta", "0614141000005", "--gln: parties[1].glns[0]:", "[unique]")]
    [InlineData("beta", "0614141000013", "--gln: parties[1].glns[0]:", "[check-digit]")]
    public async Task AddParty_DuplicateOrBadInput_ExitsTwoAndWritesNothing(string name, string gln, string start, string end)
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var before = Snapshot();
        var r = await CliRunner.RunAsync("node", "add-party", "--data", Data, "--party-name", name, "--gln", gln);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var line = SingleLine(r.StdErr);
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.EndsWith(end, line, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task AddParty_NotInitialised_ExitsTwoNamingData()
    {
        var r = await CliRunner.RunAsync("node", "add-party", "--data", Data, "--party-name", "beta");
        Assert.Equal(2, r.ExitCode);
        var line = SingleLine(r.StdErr);
        Assert.StartsWith("--data:", line, StringComparison.Ordinal);
        Assert.EndsWith("[not-initialised]", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Data));
    }

    [Fact]
    public async Task Capture_MissingFile_ExitsTwoNamingFile()
    {
        var token = Path.Combine(_root.FullName, "t.token");
        File.WriteAllText(token, "ledger_secret\n");
        var r = await CliRunner.RunAsync("epcis", "capture", Path.Combine(_root.FullName, "absent.json"), "--node", "http://127.0.0.1:9", "--token-file", token);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var line = SingleLine(r.StdErr);
        Assert.StartsWith("file:", line, StringComparison.Ordinal);
        Assert.EndsWith("[readable]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_MissingTokenFile_ExitsTwoNamingTokenFile()
    {
        var doc = Path.Combine(_root.FullName, "doc.json");
        File.WriteAllText(doc, """{"type":"EPCISDocument"}""");
        var r = await CliRunner.RunAsync("epcis", "capture", doc, "--node", "http://127.0.0.1:9", "--token-file", Path.Combine(_root.FullName, "absent.token"));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var line = SingleLine(r.StdErr);
        Assert.StartsWith("--token-file:", line, StringComparison.Ordinal);
        Assert.EndsWith("[readable]", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/", "rollback", "--node:", "[url]")]
    [InlineData("not a url", "rollback", "--node:", "[url]")]
    [InlineData("http://127.0.0.1:9", "abort", "--error-behaviour:", "[enum]")]
    public async Task Capture_BadNodeOrBehaviour_ExitsTwoWithoutPrintingToken(string node, string behaviour, string start, string end)
    {
        var doc = Path.Combine(_root.FullName, "doc.json");
        File.WriteAllText(doc, """{"type":"EPCISDocument"}""");
        var token = Path.Combine(_root.FullName, "t.token");
        File.WriteAllText(token, "ledger_do-not-print-me\n");
        var r = await CliRunner.RunAsync("epcis", "capture", doc, "--node", node, "--token-file", token, "--error-behaviour", behaviour);
        Assert.Equal(2, r.ExitCode);
        var line = SingleLine(r.StdErr);
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.EndsWith(end, line, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-print-me", r.StdErr + r.StdOut, StringComparison.Ordinal);
    }
}
