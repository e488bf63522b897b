using System.Diagnostics;
using System.Text.Json;
using Ledger.Cli.Tests;
using Ledger.Node.Parties;
using Ledger.Node.Tests.Network;
using Ledger.Sdk.Tests.Client;
using Xunit;

namespace Ledger.Sdk.Tests.Samples;

/// <summary>The custody sample, the README quickstart, the `ledger provenance` verb and the package.</summary>
public sealed class CustodySampleTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(3);

    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string fileName, params string[] args)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Guard);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Sample_AgainstRealNode_RunsEveryStepAndExitsZero()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync();
        var dll = LedgerClientTests.RepositoryFile($"sdk/samples/Ledger.Samples.Custody/bin/{Configuration}/net10.0/Ledger.Samples.Custody.dll");
        Assert.True(File.Exists(dll), dll);

        var (code, stdout, stderr) = await RunAsync("dotnet", dll, node.BaseAddress.ToString(),
            HostedParties.KeyPath(consortium.DataDirectory, "maker"), HostedParties.KeyPath(consortium.DataDirectory, "pharmacy"));

        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("commissioned sgtin:", stdout, StringComparison.Ordinal);
        Assert.Contains("shipped sscc:", stdout, StringComparison.Ordinal);
        Assert.Contains("received, unpacked and dispensed", stdout, StringComparison.Ordinal);
        Assert.Contains("certified at height", stdout, StringComparison.Ordinal);
        Assert.Contains("verified=true", stdout, StringComparison.Ordinal);
        Assert.Contains("status Supplied", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sample_NoArguments_ExitsTwoWithUsage()
    {
        var dll = LedgerClientTests.RepositoryFile($"sdk/samples/Ledger.Samples.Custody/bin/{Configuration}/net10.0/Ledger.Samples.Custody.dll");
        var (code, _, stderr) = await RunAsync("dotnet", dll);
        Assert.Equal(2, code);
        Assert.StartsWith("usage:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Readme_QuickstartBlock_IsTheSampleCodeVerbatim()
    {
        var source = File.ReadAllLines(LedgerClientTests.RepositoryFile("sdk/samples/Ledger.Samples.Custody/Program.cs"));
        var start = Array.IndexOf(source, "    // <quickstart>");
        var end = Array.IndexOf(source, "    // </quickstart>");
        Assert.True(start >= 0 && end > start, "the sample marks its quickstart region");
        // The region sits inside a try block: compared with its 4-space indentation removed.
        var region = string.Join("\n", source[(start + 1)..end].Select(l => l.StartsWith("    ", StringComparison.Ordinal) ? l[4..] : l));
        var readme = File.ReadAllText(LedgerClientTests.RepositoryFile("sdk/Ledger.Sdk/README.md")).ReplaceLineEndings("\n");
        Assert.Contains("```csharp\n" + region + "\n```", readme, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvenanceCommand_KnownItem_PrintsTheNodesJsonUnchanged()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync();
        using var maker = new Ledger.Sdk.Client.LedgerClient(new() { Node = node.BaseAddress, ApiToken = consortium.Maker.Token, PrivateKey = consortium.Maker.Key });
        var serial = SdkNodeFixture.NewSerial();
        await new Ledger.Sdk.Client.RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [serial]).SubmitAsync();
        var tokenFile = HostedParties.TokenPath(consortium.DataDirectory, "maker");
        var output = Path.Combine(consortium.DataDirectory, "provenance.json");

        var r = await CliRunner.RunAsync(["provenance", $"(01){SdkNodeFixture.Gtin}(21){serial}", "--node", node.BaseAddress.ToString(), "--token-file", tokenFile, "--out", output]);

        Assert.True(r.ExitCode == 0, r.StdErr);
        var direct = await maker.GetProvenanceJsonAsync($"{SdkNodeFixture.Gtin} {serial}");
        using var written = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        using var expected = JsonDocument.Parse(direct);
        Assert.Equal("ledger-provenance/v2", written.RootElement.GetProperty("format").GetString());
        Assert.Equal(expected.RootElement.GetProperty("records").GetRawText(), written.RootElement.GetProperty("records").GetRawText());
    }

    [Fact]
    public async Task ProvenanceCommand_BadCheckDigit_ExitsTwoNamingIdentifier()
    {
        var r = await CliRunner.RunAsync(["provenance", "(01)00300011234502(21)X", "--node", "http://127.0.0.1:1", "--token-file", "unused"]);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("identifier:", line, StringComparison.Ordinal);
        Assert.Contains("[check-digit]", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pack_SdkProject_ProducesPackageWithReadmeXmlDocsDllAndSymbols()
    {
        var output = Directory.CreateTempSubdirectory("ledger-sdk-pack");
        try
        {
            var (code, stdout, stderr) = await RunAsync("dotnet", "pack", LedgerClientTests.RepositoryFile("sdk/Ledger.Sdk/Ledger.Sdk.csproj"), "-c", Configuration, "--no-build", "-o", output.FullName);
            Assert.True(code == 0, stdout + stderr);
            var nupkg = Assert.Single(output.GetFiles("Ledger.Sdk.*.nupkg"), f => !f.Name.EndsWith(".snupkg", StringComparison.Ordinal));
            Assert.Single(output.GetFiles("Ledger.Sdk.*.snupkg"));
            using var zip = System.IO.Compression.ZipFile.OpenRead(nupkg.FullName);
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("README.md", names);
            Assert.Contains("lib/net10.0/Ledger.Sdk.dll", names);
            Assert.Contains("lib/net10.0/Ledger.Sdk.xml", names);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
