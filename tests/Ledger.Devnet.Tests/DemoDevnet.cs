using System.Text.Json;
using Ledger.Devnet.Story;
using Xunit;

namespace Ledger.Devnet.Tests;

/// <summary>
/// A devnet as <c>devnet/up</c> makes it, on one real node process on a free port: a node key and a one-node consortium
/// of the four demo parties made with <c>ledger consortium</c> (each party's key and token in the node's data folder),
/// <c>ledger node run</c>, and a <c>devnet.json</c> naming the consortium file and the node. Then, once for the tests of
/// <see cref="DemoDevnetTests"/>, which only read: every example of <c>devnet/examples/</c> captured in order with
/// <c>ledger epcis capture</c> as the party that would capture it, and the story loaded twice at a small size (200 packs).
/// </summary>
public sealed class DemoDevnet : IAsyncLifetime
{
    /// <summary>The examples in the order they are captured, each with the party that captures it (devnet/README.md).</summary>
    public static readonly IReadOnlyList<(string File, string Party)> Examples =
    [
        ("commissioning.jsonld", "acme-pharma"),
        ("aggregation.jsonld", "acme-pharma"),
        ("shipment.jsonld", "acme-pharma"),
        ("receipt.jsonld", "big-wholesale"),
        ("wholesaler-shipment.jsonld", "big-wholesale"),
        ("pharmacy-receipt.jsonld", "corner-pharmacy"),
        ("dispense.jsonld", "corner-pharmacy"),
    ];

    /// <summary>The story's size in the tests: two lots of two cases of 50 packs (so each pallet holds several cases).</summary>
    public const int Packs = 200;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ledger-devnet-tests-" + Guid.NewGuid().ToString("N"));
    private LedgerProcess? _node;

    /// <summary>The devnet folder (holding devnet.json).</summary>
    public string Folder => _root;

    /// <summary>The node's data folder.</summary>
    public string NodeData => Path.Combine(_root, "nodes", "node-1");

    /// <summary>The node.</summary>
    public LedgerProcess Node => _node ?? throw new InvalidOperationException("not started");

    /// <summary>Each example's <c>ledger epcis capture</c> run, in <see cref="Examples"/> order.</summary>
    public IReadOnlyList<LedgerRun> Captures { get; private set; } = [];

    /// <summary>The first and the second <c>ledger-devnet story --packs 200</c>: exit code, stdout, stderr.</summary>
    public (int ExitCode, string StdOut, string StdErr) FirstStory { get; private set; }

    /// <inheritdoc cref="FirstStory"/>
    public (int ExitCode, string StdOut, string StdErr) SecondStory { get; private set; }

    /// <summary>The node's head height before and after the second story run.</summary>
    public long HeightBeforeSecond { get; private set; }

    /// <inheritdoc cref="HeightBeforeSecond"/>
    public long HeightAfterSecond { get; private set; }

    /// <summary>A client for a party on the node.</summary>
    public Sdk.Client.LedgerClient Connect(string party) => DevnetDirectory.Load(Folder).Party(party).Connect();

    /// <summary>The repository root (the folder holding Ledger.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(NodeData);
        var consortium = Path.Combine(_root, "consortium.json");
        var key = Path.Combine(NodeData, "node.key");
        var address = JsonDocument.Parse(Ok(await LedgerProcess.RunAsync("keygen", "--out", key))).RootElement.GetProperty("address").GetString()!;
        Ok(await LedgerProcess.RunAsync("consortium", "init", "--file", consortium, "--name", "devnet", "--node-name", "node-1", "--node-address", address));
        // The four parties exactly as devnet/up adds them.
        Ok(await AddParty(consortium, "acme-pharma", "manufacturer", "--prefix", "0614141", "--gln", "0614141000005", "--gln", "0614141000012"));
        Ok(await AddParty(consortium, "big-wholesale", "wholesaler", "--gln", "0399993456780"));
        Ok(await AddParty(consortium, "corner-pharmacy", "dispenser", "--gln", "0398880000013"));
        Ok(await AddParty(consortium, "regulator", "regulator"));
        Ok(await LedgerProcess.RunAsync("consortium", "sign", "--file", consortium, "--key", key));
        File.Copy(consortium, Path.Combine(NodeData, "consortium.json"));
        _node = await LedgerProcess.StartNodeAsync(NodeData);
        await File.WriteAllTextAsync(Path.Combine(_root, DevnetDirectory.StateFileName), JsonSerializer.Serialize(new
        {
            rpc = (string?)null, registry = (string?)null, anchor = (string?)null, explorer = (string?)null, consortium,
            nodes = new[] { new { name = "node-1", url = _node.Url.ToString().TrimEnd('/'), lane = address, tokenFile = Path.Combine(NodeData, "tokens", "acme-pharma.token") } },
        }));

        var captures = new List<LedgerRun>();
        foreach (var (file, party) in Examples)
            captures.Add(await LedgerProcess.RunAsync("epcis", "capture", Path.Combine(RepositoryRoot, "devnet", "examples", file),
                "--node", _node.Url.ToString(), "--token-file", Path.Combine(NodeData, "tokens", party + ".token")));
        Captures = captures;

        FirstStory = await StoryAsync();
        using var regulator = Connect("regulator");
        HeightBeforeSecond = (await regulator.GetHeadAsync())?.Height ?? 0;
        SecondStory = await StoryAsync();
        HeightAfterSecond = (await regulator.GetHeadAsync())?.Height ?? 0;
    }

    /// <summary>Runs <c>ledger-devnet story</c> in this process with its own writers.</summary>
    public async Task<(int ExitCode, string StdOut, string StdErr)> StoryAsync(params string[] extra)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await DevnetCli.RunAsync(["story", "--devnet", Folder, "--packs", Packs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "60", .. extra], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is not a test failure.
        }
    }

    /// <summary>The plan of the story the fixture loaded.</summary>
    public static StoryPlan Plan { get; } = new(Packs);

    private Task<LedgerRun> AddParty(string consortium, string name, string role, params string[] more) =>
        LedgerProcess.RunAsync(["consortium", "add-party", "--file", consortium, "--node-name", "node-1", "--data", NodeData, "--party-name", name, "--role", role, .. more]);

    private static string Ok(LedgerRun run) =>
        run.ExitCode == 0 ? run.StdOut : throw new InvalidOperationException($"ledger exited {run.ExitCode}: {run.StdErr}");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds Ledger.sln");
    }
}
