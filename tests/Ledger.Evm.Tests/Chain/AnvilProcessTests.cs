using Xunit;

namespace Ledger.Evm.Tests.Chain;

public sealed class AnvilProcessTests
{
    [Fact]
    public async Task StartAsync_FreshChain_AnswersChainIdAndFundsDevAccount()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var chainId = await Cast.OutputAsync("chain-id", "--rpc-url", anvil.RpcUrl.ToString());
        Assert.Equal(AnvilProcess.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), chainId);
        var account = await Cast.OutputAsync("wallet", "address", "--private-key", AnvilProcess.DevKeys[0]);
        var balance = await Cast.OutputAsync("balance", account, "--rpc-url", anvil.RpcUrl.ToString());
        Assert.Equal("10000000000000000000000", balance);
    }

    [Fact]
    public async Task StartAsync_WithStateFile_RestartKeepsTheChain()
    {
        var state = Path.Combine(Path.GetTempPath(), "anvil-state-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            var to = "0x000000000000000000000000000000000000dEaD";
            int port;
            await using (var anvil = await AnvilProcess.StartAsync(stateFile: state))
            {
                port = anvil.Port;
                await Cast.OutputAsync("send", "--rpc-url", anvil.RpcUrl.ToString(), "--private-key", AnvilProcess.DevKeys[1], "--value", "12345", to);
                await anvil.StopAsync();
            }
            await using var again = await AnvilProcess.StartAsync(port: port, stateFile: state);
            Assert.Equal("12345", await Cast.OutputAsync("balance", to, "--rpc-url", again.RpcUrl.ToString()));
        }
        finally
        {
            File.Delete(state);
        }
    }
}
