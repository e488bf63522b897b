using System.Diagnostics;
using Ledger.Evm.Tests.Chain;
using Xunit;

namespace Ledger.Evm.Tests.Contracts;

public sealed class ArtifactBuildTests
{
    private static readonly string[] Contracts = ["Registry", "Anchor"];

    [Fact]
    public async Task Build_IntoTempFolder_ReproducesCommittedArtifactsByteForByte()
    {
        var root = AnvilProcess.RepositoryRoot();
        var temp = Path.Combine(Path.GetTempPath(), "ledger-contracts-" + Guid.NewGuid().ToString("N"));
        try
        {
            var psi = new ProcessStartInfo("node")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                ArgumentList = { Path.Combine("contracts", "build.js"), "--out", temp },
            };
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(cts.Token);
            Assert.True(process.ExitCode == 0, $"build.js failed ({process.ExitCode}): {await stderr}{await stdout}");

            foreach (var contract in Contracts)
            {
                var committed = await File.ReadAllBytesAsync(Path.Combine(root, "contracts", "out", contract + ".json"));
                var rebuilt = await File.ReadAllBytesAsync(Path.Combine(temp, contract + ".json"));
                Assert.True(committed.AsSpan().SequenceEqual(rebuilt), $"{contract}.json differs from a fresh build: run node contracts/build.js and commit");
            }
        }
        finally
        {
            if (Directory.Exists(temp))
                Directory.Delete(temp, recursive: true);
        }
    }

    [Theory]
    [InlineData("Registry")]
    [InlineData("Anchor")]
    public void Artifact_Committed_HasPinnedCompilerAndSettings(string contract)
    {
        var artifact = ContractChain.Artifact(contract);
        Assert.Equal(contract, artifact.GetProperty("contractName").GetString());
        Assert.StartsWith("solc-js 0.8.30+", artifact.GetProperty("compiler").GetString(), StringComparison.Ordinal);
        var settings = artifact.GetProperty("settings");
        Assert.True(settings.GetProperty("optimizer").GetProperty("enabled").GetBoolean());
        Assert.Equal(200, settings.GetProperty("optimizer").GetProperty("runs").GetInt32());
        Assert.Equal("cancun", settings.GetProperty("evmVersion").GetString());
        Assert.Equal("none", settings.GetProperty("metadata").GetProperty("bytecodeHash").GetString());
        Assert.StartsWith("0x60", artifact.GetProperty("bytecode").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("0x60", artifact.GetProperty("deployedBytecode").GetString(), StringComparison.Ordinal);
        Assert.True(artifact.GetProperty("abi").GetArrayLength() > 0);
    }
}
