using System.Globalization;
using System.Numerics;
using Ledger.Evm.Contracts;
using Ledger.Evm.Tests.Chain;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Evm.Tests.Client;

/// <summary>The client, the sender and the Anchor binding against a real anvil.</summary>
public sealed class AnvilClientTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ledger-evm-client-" + Guid.NewGuid().ToString("N"));

    public AnvilClientTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string NonceFile(string name = "nonces.json") => Path.Combine(_dir, name);

    private static Task MineAsync(EthereumRpcClient rpc, int blocks = 1) =>
        rpc.RequestAsync("anvil_mine", [EthereumRpcClient.BlockTag((ulong)blocks)]);

    [Fact]
    public async Task GetChainIdAndBalance_Anvil_MatchCast()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.RpcUrl);
        var dev = PrivateKey.Parse(AnvilProcess.DevKeys[0]).Address;
        Assert.Equal(AnvilProcess.ChainId, await rpc.GetChainIdAsync());
        var castBalance = await Cast.OutputAsync("balance", dev.ToString(), "--rpc-url", anvil.RpcUrl.ToString());
        Assert.Equal(castBalance, (await rpc.GetBalanceAsync(dev)).ToString(CultureInfo.InvariantCulture));
        var latest = await rpc.GetBlockAsync("latest");
        Assert.NotNull(latest);
        Assert.NotNull(latest.BaseFeePerGas);
        Assert.Equal(await rpc.GetBlockNumberAsync(), latest.Number);
    }

    [Fact]
    public async Task OpenAsync_WrongExpectedChainId_Throws()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.RpcUrl);
        var e = await Assert.ThrowsAsync<ChainIdMismatchException>(() => TransactionSender.OpenAsync(rpc, PrivateKey.Parse(AnvilProcess.DevKeys[0]), NonceFile(), expectedChainId: 1));
        Assert.Equal(AnvilProcess.ChainId, e.Actual);
    }

    [Fact]
    public async Task SendAsync_ValueTransfer_BalanceChangesAndReceiptIsEip1559()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.RpcUrl);
        using var sender = await TransactionSender.OpenAsync(rpc, PrivateKey.Parse(AnvilProcess.DevKeys[1]), NonceFile(), AnvilProcess.ChainId);
        var to = PrivateKey.Generate().Address;
        var receipt = await sender.SendAndWaitAsync(to, [], new BigInteger(123_456_789), 1, Timeout);
        Assert.True(receipt.Succeeded);
        Assert.Equal("123456789", await Cast.OutputAsync("balance", to.ToString(), "--rpc-url", anvil.RpcUrl.ToString()));
        var tx = await rpc.RequestAsync("eth_getTransactionByHash", [Hex.Encode0x(receipt.TransactionHash.ToArray())]);
        Assert.Equal("0x2", tx.GetProperty("type").GetString());
        Assert.Empty(sender.Pending);
        Assert.Equal(1UL, sender.NextNonce);
    }

    [Fact]
    public async Task WaitForReceiptAsync_ThreeConfirmations_TimesOutUntilBlocksAreMined()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.RpcUrl);
        using var sender = await TransactionSender.OpenAsync(rpc, PrivateKey.Parse(AnvilProcess.DevKeys[1]), NonceFile());
        var hash = await sender.SendAsync(PrivateKey.Generate().Address, [], BigInteger.One);
        await Assert.ThrowsAsync<TimeoutException>(() => sender.WaitForReceiptAsync(hash, 3, TimeSpan.FromSeconds(1)));
        Assert.Single(sender.Pending);
        await MineAsync(rpc, 2);
        var receipt = await sender.WaitForReceiptAsync(hash, 3, Timeout);
        Assert.True(await rpc.GetBlockNumberAsync() >= receipt.BlockNumber + 2);
        Assert.Empty(sender.Pending);
    }

    [Fact]
    public async Task AnchorContract_AnchorsReadsLogsAndDecodesReverts()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.RpcUrl);
        using var sender = await TransactionSender.OpenAsync(rpc, PrivateKey.Parse(AnvilProcess.DevKeys[2]), NonceFile());
        var created = await ContractArtifacts.DeployContractAsync(sender, await MiniAnchor.BytecodeAsync(), [], 1, Timeout);
        Assert.NotEmpty(await Cast.OutputAsync("code", created.ContractAddress!.Value.ToString(), "--rpc-url", anvil.RpcUrl.ToString()));
        var anchor = new AnchorContract(rpc, created.ContractAddress!.Value);
        var lane = sender.Address;
        Assert.Equal((0UL, Hash32.Zero), await anchor.LatestAsync(lane));
        var root7 = Keccak256.Hash("seven"u8);
        var root9 = Keccak256.Hash("nine"u8);
        var r7 = await anchor.AnchorAsync(sender, 7, root7, 1, Timeout);
        var r9 = await anchor.AnchorAsync(sender, 9, root9, 1, Timeout);
        Assert.True(r7.Succeeded && r9.Succeeded);
        Assert.Equal((9UL, root9), await anchor.LatestAsync(lane));
        Assert.Equal(root7, await anchor.RootAtAsync(lane, 7));
        Assert.Null(await anchor.RootAtAsync(lane, 8));
        Assert.Equal(2UL, await anchor.AnchorCountAsync(lane));
        Assert.Equal(new AnchorEntry(7, root7, r7.BlockNumber), await anchor.AnchorAtAsync(lane, 0));

        var logs = await anchor.GetAnchoredLogsAsync(lane, 0);
        Assert.Equal([(7UL, root7, r7.BlockNumber), (9UL, root9, r9.BlockNumber)], logs.Select(l => (l.Size, l.Root, l.BlockNumber)));
        Assert.All(logs, l => Assert.Equal(lane, l.Lane));
        Assert.Empty(await anchor.GetAnchoredLogsAsync(PrivateKey.Generate().Address, 0));
        Assert.Single(await anchor.GetAnchoredLogsAsync(lane, r9.BlockNumber, r9.BlockNumber));

        var again = await Assert.ThrowsAsync<EthereumRpcException>(() => anchor.SubmitAnchorAsync(sender, 7, root9));
        Assert.Equal($"AlreadyAnchored(size 7, root {Hex.Encode0x(root7.ToArray())})", again.RevertReason);
        var shrink = await Assert.ThrowsAsync<EthereumRpcException>(() => anchor.SubmitAnchorAsync(sender, 8, root9));
        Assert.Equal("SizeNotGrowing(latest 9, size 8)", shrink.RevertReason);
        var zero = await Assert.ThrowsAsync<EthereumRpcException>(() => anchor.SubmitAnchorAsync(sender, 0, root9));
        Assert.Equal("ZeroSize()", zero.RevertReason);
        Assert.Empty(sender.Pending);
        Assert.Equal(await rpc.GetTransactionCountAsync(lane, "latest"), sender.NextNonce);
    }

    [Fact]
    public async Task OpenAsync_PendingRecordNeverBroadcast_RebroadcastsSameTransactionOnce()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.RpcUrl);
        var key = PrivateKey.Parse(AnvilProcess.DevKeys[3]);
        var file = NonceFile();
        var to = PrivateKey.Generate().Address;
        ulong nonce;
        Hash32 hash;
        using (var first = await TransactionSender.OpenAsync(rpc, key, file))
        {
            await first.SendAndWaitAsync(to, [], BigInteger.One, 1, Timeout);
            nonce = first.NextNonce;
            // The process "dies" between writing the record and eth_sendRawTransaction: the record is on disk only.
            var fees = await first.FeesAsync(CancellationToken.None);
            var signed = fees.Sign(key, first.ChainId, nonce, 21_000, to, new BigInteger(5), []);
            hash = signed.Hash;
            new NonceState(first.ChainId, key.Address, nonce + 1, [new PendingTransaction(hash, nonce, signed.Raw)]).Save(file);
        }
        Assert.Null(await rpc.GetTransactionAsync(hash));

        using var second = await TransactionSender.OpenAsync(rpc, key, file);
        Assert.Equal(nonce + 1, second.NextNonce);
        var receipt = await second.WaitForReceiptAsync(hash, 1, Timeout);
        Assert.True(receipt.Succeeded);
        Assert.Equal(nonce + 1, await rpc.GetTransactionCountAsync(key.Address, "latest"));
        Assert.Equal("6", await Cast.OutputAsync("balance", to.ToString(), "--rpc-url", anvil.RpcUrl.ToString()));
        var next = await second.SendAndWaitAsync(to, [], BigInteger.One, 1, Timeout);
        Assert.Equal(nonce + 1, (await rpc.GetTransactionAsync(next.TransactionHash))!.Nonce);
    }

    [Fact]
    public async Task OpenAsync_PendingAlreadyKnownToNode_DoesNotFailAndKeepsNonce()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.RpcUrl);
        await rpc.RequestAsync("evm_setAutomine", [false]);
        var key = PrivateKey.Parse(AnvilProcess.DevKeys[4]);
        var file = NonceFile();
        Hash32 hash;
        using (var first = await TransactionSender.OpenAsync(rpc, key, file))
            hash = await first.SendAsync(PrivateKey.Generate().Address, [], BigInteger.One);
        using var second = await TransactionSender.OpenAsync(rpc, key, file);
        Assert.Equal([hash], second.Pending.Select(p => p.Hash));
        Assert.Equal(1UL, second.NextNonce);
        await MineAsync(rpc);
        Assert.True((await second.WaitForReceiptAsync(hash, 1, Timeout)).Succeeded);
    }

    [Fact]
    public async Task RequestAsync_NothingListening_ThrowsUnavailableAfterRetries()
    {
        int port;
        await using (var anvil = await AnvilProcess.StartAsync())
        {
            port = anvil.Port;
            await anvil.StopAsync();
        }
        using var rpc = new EthereumRpcClient(new Uri($"http://127.0.0.1:{port}"), retry: new EthereumRetryOptions { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(10) });
        var e = await Assert.ThrowsAsync<EthereumUnavailableException>(() => rpc.GetChainIdAsync());
        Assert.Contains("3 attempts", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAsync_AnvilRestartedWithState_RetriesThenSucceeds()
    {
        var state = Path.Combine(_dir, "anvil-state.json");
        var to = PrivateKey.Generate().Address;
        int port;
        await using (var anvil = await AnvilProcess.StartAsync(stateFile: state))
        {
            port = anvil.Port;
            using var rpc = new EthereumRpcClient(anvil.RpcUrl);
            using var sender = await TransactionSender.OpenAsync(rpc, PrivateKey.Parse(AnvilProcess.DevKeys[1]), NonceFile());
            await sender.SendAndWaitAsync(to, [], new BigInteger(777), 1, Timeout);
            await anvil.StopAsync();
        }
        using var client = new EthereumRpcClient(new Uri($"http://127.0.0.1:{port}"), retry: new EthereumRetryOptions { MaxAttempts = 60, InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(250) });
        var balance = client.GetBalanceAsync(to);
        await using var again = await AnvilProcess.StartAsync(port: port, stateFile: state);
        Assert.Equal(new BigInteger(777), await balance);
    }

    [Fact]
    public async Task WaitForReceiptAsync_ReorgBelowDepth_NoticesNewBlockHashAndRebroadcastsOwnTransaction()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.RpcUrl);
        using var sender = await TransactionSender.OpenAsync(rpc, PrivateKey.Parse(AnvilProcess.DevKeys[2]), NonceFile());
        var snapshot = (await rpc.RequestAsync("evm_snapshot", [])).GetString()!;
        var observations = new List<ReceiptObservation>();
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.ReceiptObserved = o =>
        {
            lock (observations)
                observations.Add(o);
            firstSeen.TrySetResult();
        };
        var hash = await sender.SendAsync(PrivateKey.Generate().Address, [], BigInteger.One);
        var waiting = sender.WaitForReceiptAsync(hash, 3, Timeout);
        await firstSeen.Task.WaitAsync(Timeout);
        var before = observations[0].Receipt.BlockHash;
        await rpc.RequestAsync("anvil_mine", ["0x1", "0xffff"]); // a block 1 deep on top, with a different timestamp than what follows
        Assert.True((await rpc.RequestAsync("evm_revert", [snapshot])).GetBoolean());
        await rpc.RequestAsync("evm_setNextBlockTimestamp", [EthereumRpcClient.BlockTag((ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 100_000)]);
        for (var i = 0; i < 300 && !waiting.IsCompleted; i++)
        {
            await Task.Delay(100);
            if (observations.Count > 1)
                await MineAsync(rpc);
        }
        var receipt = await waiting;
        Assert.Null(observations[0].PreviousBlockHash);
        var moved = Assert.Single(observations, o => o.PreviousBlockHash is not null);
        Assert.Equal(before, moved.PreviousBlockHash);
        Assert.NotEqual(before, receipt.BlockHash);
        Assert.Equal(receipt.BlockHash, (await rpc.GetBlockAsync(receipt.BlockNumber))!.Hash);
    }

    [Fact]
    public async Task WaitForReceiptAsync_ReorgRemovesForeignTransaction_ReportsDropped()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.RpcUrl);
        using var sender = await TransactionSender.OpenAsync(rpc, PrivateKey.Parse(AnvilProcess.DevKeys[0]), NonceFile());
        var snapshot = (await rpc.RequestAsync("evm_snapshot", [])).GetString()!;
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.ReceiptObserved = _ => seen.TrySetResult();
        var foreign = await Cast.OutputAsync("send", "--async", "--rpc-url", anvil.RpcUrl.ToString(), "--private-key", AnvilProcess.DevKeys[4], "--value", "1", "0x000000000000000000000000000000000000dEaD");
        var hash = Hash32.Parse(foreign.Trim());
        var waiting = sender.WaitForReceiptAsync(hash, 3, Timeout);
        await seen.Task.WaitAsync(Timeout);
        Assert.True((await rpc.RequestAsync("evm_revert", [snapshot])).GetBoolean());
        var e = await Assert.ThrowsAsync<TransactionDroppedException>(() => waiting);
        Assert.Equal(hash, e.TransactionHash);
    }
}
