using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Ledger.Node.Tests.Flow;

namespace Ledger.Node.Tests.Network;

/// <summary>
/// A consortium of n real node processes on 127.0.0.1, set up as partner IT would with the CLI: a node key per node
/// (`ledger keygen`), one consortium file (`ledger consortium init | add-node | add-party --data | sign`) with each
/// node's cluster address, copied into each node's data folder; then `ledger node run` per node. The parties are the
/// devnet's (devnet/examples can be captured as they are): acme-pharma on node 0, big-wholesale on node 1,
/// corner-pharmacy on node 2 and the regulator on node 3 (party k on node k mod n).
/// </summary>
public sealed class NodeClusterN : IAsyncDisposable
{
    private readonly TestDirectory _directory = new();

    private NodeClusterN(int n)
    {
        Directories = [.. Enumerable.Range(0, n).Select(i => Path.Combine(_directory.Path, $"node-{i}"))];
        Nodes = new NodeProcess?[n];
        ClusterPorts = FreePorts(n);
    }

    /// <summary>Each node's data folder.</summary>
    public string[] Directories { get; }

    /// <summary>The running node processes (null while stopped).</summary>
    public NodeProcess?[] Nodes { get; }

    /// <summary>Each node's cluster (peer) port.</summary>
    public int[] ClusterPorts { get; }

    /// <summary>The node key addresses (= lanes), in node order.</summary>
    public string[] Lanes { get; private set; } = [];

    /// <summary>The consortium file all nodes run.</summary>
    public string ConsortiumFile => Path.Combine(_directory.Path, "consortium.json");

    /// <summary>Party name → (node index, API token).</summary>
    public Dictionary<string, (int Node, string Token)> Parties { get; } = new(StringComparer.Ordinal);

    /// <summary>Creates the keys and the consortium of <paramref name="n"/> nodes and starts every node.</summary>
    public static async Task<NodeClusterN> StartAsync(int n = 4)
    {
        var c = new NodeClusterN(n);
        try
        {
            await c.CreateAsync();
            await Task.WhenAll(Enumerable.Range(0, n).Select(c.StartNodeAsync));
            return c;
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    private async Task CreateAsync()
    {
        var lanes = new List<string>();
        for (var i = 0; i < Directories.Length; i++)
        {
            Directory.CreateDirectory(Directories[i]);
            var keygen = await Cli("keygen", "--out", Path.Combine(Directories[i], "node.key"));
            lanes.Add(JsonDocument.Parse(keygen).RootElement.GetProperty("address").GetString()!);
            string[] where = ["--node-name", $"node-{i}", "--node-address", lanes[i], "--endpoint", $"http://127.0.0.1:{10_000 + i}", "--cluster", $"127.0.0.1:{ClusterPorts[i]}"];
            await (i == 0 ? Cli(["consortium", "init", "--file", ConsortiumFile, "--name", "test-cluster", .. where]) : Cli(["consortium", "add-node", "--file", ConsortiumFile, .. where]));
        }
        Lanes = [.. lanes];
        (string Name, string[] Args)[] parties =
        [
            ("acme-pharma", ["--role", "manufacturer", "--prefix", "0614141", "--gln", "0614141000005", "--gln", "0614141000012"]),
            ("big-wholesale", ["--role", "wholesaler", "--gln", "0399993456780"]),
            ("corner-pharmacy", ["--role", "dispenser", "--gln", "0398880000013"]),
            ("regulator", ["--role", "regulator"]),
        ];
        for (var k = 0; k < parties.Length; k++)
        {
            var node = k % Directories.Length;
            await Cli(["consortium", "add-party", "--file", ConsortiumFile, "--node-name", $"node-{node}", "--data", Directories[node], "--party-name", parties[k].Name, .. parties[k].Args]);
            Parties[parties[k].Name] = (node, (await File.ReadAllTextAsync(Path.Combine(Directories[node], "tokens", parties[k].Name + ".token"))).Trim());
        }
        foreach (var d in Directories)
            await Cli("consortium", "sign", "--file", ConsortiumFile, "--key", Path.Combine(d, "node.key"));
        foreach (var d in Directories)
            File.Copy(ConsortiumFile, Path.Combine(d, "consortium.json"), overwrite: true);
    }

    /// <summary>Starts node <paramref name="i"/> on its data folder (again after <see cref="KillAsync"/>).</summary>
    public async Task StartNodeAsync(int i) => Nodes[i] = await NodeProcess.StartAsync(Directories[i]);

    /// <summary>kill -9 node <paramref name="i"/>: no shutdown of any kind.</summary>
    public async Task KillAsync(int i)
    {
        var node = Nodes[i] ?? throw new InvalidOperationException($"node {i} is not running");
        await node.SignalAndWaitForExitAsync("KILL", TimeSpan.FromSeconds(30));
        await node.DisposeAsync();
        Nodes[i] = null;
    }

    /// <summary>A client for node <paramref name="i"/> as <paramref name="party"/> (null: unauthenticated).</summary>
    public HttpClient Client(int i, string? party = null)
    {
        var node = Nodes[i] ?? throw new InvalidOperationException($"node {i} is not running");
        var client = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (party is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Parties[party].Token);
        return client;
    }

    /// <summary>Captures a document of devnet/examples as <paramref name="party"/> on its node.</summary>
    public async Task CaptureExampleAsync(string party, string example)
    {
        using var client = Client(Parties[party].Node, party);
        await FlowKit.CaptureAsync(client, FlowKit.ReadRepositoryFile("devnet", "examples", example), "application/ld+json");
    }

    /// <summary>The key file of a party hosted on its node (written by <c>consortium add-party --data</c>).</summary>
    public string PartyKeyFile(string party) => Ledger.Node.Parties.HostedParties.KeyPath(Directories[Parties[party].Node], party);

    /// <summary>The token file of a party hosted on its node.</summary>
    public string PartyTokenFile(string party) => Path.Combine(Directories[Parties[party].Node], "tokens", party + ".token");

    /// <summary>Runs the <c>ledger</c> CLI to completion; the exit code and both outputs.</summary>
    public static Task<(int ExitCode, string StdOut, string StdErr)> RunCliAsync(params string[] args) => NodeProcess.RunToExitAsync(args);

    /// <summary>An anonymous GS1 verification request at node <paramref name="i"/>: the node records a Verify on its own lane.</summary>
    public async Task VerifyAtAsync(int i, string gtin, string serial, string requesterGln = "0399993456780")
    {
        using var client = Client(i);
        var (status, answer) = await FlowKit.GetAsync(client,
            $"/01/{gtin}/21/{serial}?linkType=verificationService&context=dscsaSaleableReturn&reqGLN={requesterGln}&corrUUID={Guid.NewGuid()}");
        if (status != HttpStatusCode.OK)
            throw new InvalidOperationException($"node {i} answered the verification {(int)status}: {answer}\nits log:\n{Nodes[i]!.StdErr}");
        if (answer.Str("corrUUID") is null)
            throw new InvalidOperationException($"node {i} gave no verification answer: {answer}");
    }

    /// <summary>GET /v1/lanes of node <paramref name="i"/>.</summary>
    public async Task<JsonElement> LanesAsync(int i)
    {
        using var client = Client(i);
        return await FlowKit.GetJsonAsync(client, "/v1/lanes");
    }

    /// <summary>
    /// Polls every running node's /v1/lanes until <paramref name="done"/> holds for all of them (bounded); returns the last
    /// answers, or throws naming what the nodes reported.
    /// </summary>
    public async Task<JsonElement[]> WaitForLanesAsync(Func<JsonElement[], bool> done, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        JsonElement[] last = [];
        while (true)
        {
            var running = Enumerable.Range(0, Nodes.Length).Where(i => Nodes[i] is not null).ToList();
            last = await Task.WhenAll(running.Select(LanesAsync));
            if (done(last))
                return last;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"{what}: not reached within {timeout}; the nodes' /v1/lanes:\n{string.Join("\n", last.Select(l => l.ToString()))}\nlogs of node 0:\n{Nodes[0]?.StdErr}");
            await Task.Delay(250);
        }
    }

    /// <summary>(height, certifiedHeight, head hash) of lane <paramref name="lane"/> in one node's /v1/lanes answer.</summary>
    public static (long Height, long Certified, string? Hash, int Cosigners) Lane(JsonElement lanes, string lane)
    {
        foreach (var l in lanes.GetProperty("lanes").EnumerateArray())
        {
            if (!string.Equals(l.Str("lane"), lane, StringComparison.OrdinalIgnoreCase))
                continue;
            var head = l.GetProperty("head");
            var cosigners = head.ValueKind == JsonValueKind.Object && head.GetProperty("certificate") is { ValueKind: JsonValueKind.Object } cert
                ? cert.GetProperty("cosigners").GetArrayLength() : 0;
            return (l.GetProperty("height").GetInt64(), l.GetProperty("certifiedHeight").GetInt64(), head.ValueKind == JsonValueKind.Object ? head.Str("hash") : null, cosigners);
        }
        throw new InvalidOperationException($"lane {lane} is not in {lanes}");
    }

    private static async Task<string> Cli(params string[] args)
    {
        var (code, stdout, stderr) = await NodeProcess.RunToExitAsync(args);
        if (code != 0)
            throw new InvalidOperationException($"ledger {string.Join(' ', args)} exited {code}: {stderr}{stdout}");
        return stdout;
    }

    /// <summary>Ports free at this moment (the OS's ephemeral range; a node binds its own soon after).</summary>
    private static int[] FreePorts(int n)
    {
        var listeners = Enumerable.Range(0, n).Select(_ =>
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return l;
        }).ToList();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.OfType<NodeProcess>().Select(n => n.DisposeAsync().AsTask()));
        _directory.Dispose();
    }
}
