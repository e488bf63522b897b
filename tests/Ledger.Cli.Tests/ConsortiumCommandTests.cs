using System.Text.Json;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Cli.Tests;

public sealed class ConsortiumCommandTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("ledger-consortium-");

    public void Dispose() => _root.Delete(recursive: true);

    private string File_ => Path.Combine(_root.FullName, "consortium.json");

    private static readonly Address A = PrivateKey.Generate().Address;
    private static readonly Address B = PrivateKey.Generate().Address;

    private Task<CliResult> Init(params string[] extra) =>
        CliRunner.RunAsync(["consortium", "init", "--file", File_, "--name", "devnet", "--node-name", "node-1", "--node-address", A.ToString(),
            "--cluster", "127.0.0.1:4053", .. extra]);

    [Fact]
    public async Task InitThenAddNode_WritesValidV2FileWithBothNodesAndVersionBumped()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var r = await CliRunner.RunAsync(["consortium", "add-node", "--file", File_, "--node-name", "node-2", "--node-address", B.ToString(),
            "--cluster", "127.0.0.1:4054", "--endpoint", "http://127.0.0.1:8081"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdErr);
        Assert.Equal(2, JsonDocument.Parse(r.StdOut).RootElement.GetProperty("version").GetInt64());

        var definition = ConsortiumFile.Parse(File.ReadAllText(File_));
        Assert.Equal(2, definition.Version);
        Assert.Equal([A, B], definition.Nodes.Select(n => n.Address));
        Assert.Equal("127.0.0.1:4054", definition.Nodes[1].Cluster);
        Assert.Equal("http://127.0.0.1:8081", definition.Nodes[1].Endpoint);

        var show = await CliRunner.RunAsync(["consortium", "show", "--file", File_]);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("consortium devnet version 2: 2 node(s), quorum 2", show.StdOut, StringComparison.Ordinal);
        Assert.Contains($"node node-2 {B} endpoint http://127.0.0.1:8081 cluster 127.0.0.1:4054", show.StdOut, StringComparison.Ordinal);

        var json = await CliRunner.RunAsync(["consortium", "show", "--file", File_, "--json"]);
        Assert.Equal(File.ReadAllText(File_), json.StdOut);
    }

    [Fact]
    public async Task AddNode_DuplicateCluster_RefusedNamingOptionAndRule_FileUnchanged()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var before = File.ReadAllText(File_);
        var r = await CliRunner.RunAsync(["consortium", "add-node", "--file", File_, "--node-name", "node-2", "--node-address", B.ToString(),
            "--cluster", "127.0.0.1:4053"]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--cluster: nodes[1].cluster: ", r.StdErr, StringComparison.Ordinal);
        Assert.EndsWith("[unique]\n", r.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(File_));
    }

    [Fact]
    public async Task Init_BadQuorumOrAddress_RefusedAndNoFileWritten()
    {
        var quorum = await Init("--quorum", "2");
        Assert.Equal(2, quorum.ExitCode);
        Assert.StartsWith("--quorum: quorum: ", quorum.StdErr, StringComparison.Ordinal);
        Assert.EndsWith("[quorum]\n", quorum.StdErr, StringComparison.Ordinal);

        var address = await CliRunner.RunAsync(["consortium", "init", "--file", File_, "--name", "devnet", "--node-name", "node-1", "--node-address", "0x12"]);
        Assert.Equal(2, address.ExitCode);
        Assert.StartsWith("--node-address: ", address.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(File_));
    }

    [Fact]
    public async Task Init_ExistingFile_RefusedAndFileUnchanged()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var before = File.ReadAllText(File_);
        var r = await Init();
        Assert.Equal(2, r.ExitCode);
        Assert.EndsWith("[already-initialised]\n", r.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(File_));
    }
}
