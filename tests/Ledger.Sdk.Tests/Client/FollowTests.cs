using System.Threading.Channels;
using Ledger.Node.Tests.Network;
using Ledger.Protocol;
using Ledger.Protocol.Records;
using Ledger.Sdk.Client;
using Xunit;

namespace Ledger.Sdk.Tests.Client;

/// <summary>GET /v1/follow through <see cref="LedgerClient.FollowAsync"/> against real nodes.</summary>
public sealed class FollowTests(SdkNodeFixture fixture) : IClassFixture<SdkNodeFixture>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>Runs the follow loop in the background, pushing items into a channel.</summary>
    private static (ChannelReader<LedgerFeedItem> Items, Task Loop) Start(LedgerClient client, FollowOptions? options, CancellationToken token)
    {
        var channel = Channel.CreateUnbounded<LedgerFeedItem>();
        var loop = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in client.FollowAsync(options, token))
                    await channel.Writer.WriteAsync(item, CancellationToken.None);
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
                throw;
            }
        }, CancellationToken.None);
        return (channel.Reader, loop);
    }

    private static async Task<List<LedgerFeedItem>> ReadUntilAsync(ChannelReader<LedgerFeedItem> reader, HashSet<Hash32> wanted, List<LedgerFeedItem>? all = null)
    {
        all ??= [];
        var seen = new HashSet<Hash32>();
        using var guard = new CancellationTokenSource(Guard);
        while (!wanted.IsSubsetOf(seen))
        {
            var item = await reader.ReadAsync(guard.Token);
            all.Add(item);
            if (item.Record is { } r)
                seen.Add(r.Id);
        }
        return all;
    }

    private static HashSet<Hash32> Ids(SubmitBatchResult r) => [.. r.Outcomes.SelectMany(o => o.RecordIds)];

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task FollowAsync_RecordsWrittenWhileFollowing_ArriveInOrderWithIncreasingCursors(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        using var cts = new CancellationTokenSource();
        var (items, loop) = Start(maker, null, cts.Token);
        var first = await new RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [SdkNodeFixture.NewSerial()]).SubmitAsync();
        var second = await new RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [SdkNodeFixture.NewSerial()]).SubmitAsync();

        var all = await ReadUntilAsync(items, [.. Ids(first), .. Ids(second)]);

        var records = all.Where(i => i.Record is not null).ToList();
        Assert.Equal(records.Count, records.Select(r => r.Record!.Id).Distinct().Count());
        Assert.True(records.FindIndex(r => Ids(first).Contains(r.Record!.Id)) < records.FindIndex(r => Ids(second).Contains(r.Record!.Id)));
        Assert.Equal(first.Block, records.Single(r => Ids(first).Contains(r.Record!.Id)).Height);
        var cursors = records.Select(r => FollowCursorParts(r.Cursor)).ToList();
        Assert.True(cursors.Zip(cursors.Skip(1)).All(p => p.First.CompareTo(p.Second) < 0), string.Join(" ", records.Select(r => r.Cursor)));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(Guard));
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task FollowAsync_ResumeAfterCursor_DeliversOnlyLaterRecords(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        var first = await new RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [SdkNodeFixture.NewSerial()]).SubmitAsync();
        string cursor;
        using (var cts = new CancellationTokenSource())
        {
            var (items, _) = Start(maker, null, cts.Token);
            var all = await ReadUntilAsync(items, Ids(first));
            cursor = all[^1].Cursor;
            await cts.CancelAsync();
        }
        var second = await new RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [SdkNodeFixture.NewSerial()]).SubmitAsync();
        using (var cts = new CancellationTokenSource())
        {
            var (items, _) = Start(maker, new FollowOptions { After = cursor }, cts.Token);
            var all = await ReadUntilAsync(items, Ids(second));
            Assert.DoesNotContain(all, i => i.Record is { } r && Ids(first).Contains(r.Id));
            await cts.CancelAsync();
        }
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task FollowAsync_PartyNotInvolved_SkipsOthersRecordsAndSeesShipmentToIt(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        using var pharmacy = fixture.ClientFor(fixture.Consortium.Pharmacy, transport: transport);
        using var cts = new CancellationTokenSource();
        // From the current head: earlier tests on this node (the other transport's run) shipped other packs to the pharmacy.
        var head = await maker.GetHeadAsync();
        var after = head is null ? null : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{head.Height}.{head.Header.Header.RecordCount}.0");
        var (items, _) = Start(pharmacy, new FollowOptions { After = after }, cts.Token);
        var serial = SdkNodeFixture.NewSerial();
        var pack = SdkNodeFixture.Pack(serial);
        var commission = await new RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [serial]).SubmitAsync();
        var ship = await new RecordBatchBuilder(maker).Ship([pack], SdkNodeFixture.Dock, fixture.Consortium.Pharmacy.Address, "0398880000013").SubmitAsync();

        var all = await ReadUntilAsync(items, Ids(ship));

        Assert.DoesNotContain(all, i => i.Record is { } r && Ids(commission).Contains(r.Id));
        Assert.All(all.Where(i => i.Record is not null), i => Assert.True(
            i.Record!.Author == fixture.Consortium.Pharmacy.Address || i.Record.Payload is ShipPayload s && s.ToParty == fixture.Consortium.Pharmacy.Address
            || i.Record.Payload.Items.Any(x => x == pack), i.Json));
        await cts.CancelAsync();
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task FollowAsync_MalformedCursor_ThrowsInvalidRequestNamingAfter(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        var e = await Assert.ThrowsAsync<LedgerRequestException>(async () =>
        {
            await foreach (var _ in maker.FollowAsync(new FollowOptions { After = "not-a-cursor" }))
                break;
        });
        Assert.Equal("after", e.Field);
        Assert.Equal("cursor", e.Rule);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task FollowAsync_CancelledWhileWaiting_ThrowsOperationCanceled(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        using var cts = new CancellationTokenSource();
        var (items, loop) = Start(maker, new FollowOptions { After = "999999.0.999999" }, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.WaitAsync(Guard));
        Assert.False(items.TryRead(out _));
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task FollowAsync_NodeKilledAndRestartedOnSameData_ResumesWithoutGapsOrRepeats(LedgerTransport transport)
    {
        using var consortium = await TestConsortium.CreateAsync();
        var node = await consortium.StartNodeAsync(SdkNodeFixture.GrpcArgs);
        try
        {
            var current = node.BaseAddress;
            var currentGrpc = node.GrpcAddress!;
            using var maker = new LedgerClient(new LedgerClientOptions
            {
                Transport = transport,
                NodeResolver = () => Volatile.Read(ref current),
                GrpcNodeResolver = () => Volatile.Read(ref currentGrpc),
                ApiToken = consortium.Maker.Token,
                PrivateKey = consortium.Maker.Key,
                Retry = { MaxAttempts = 10 },
            });
            using var cts = new CancellationTokenSource();
            var (items, _) = Start(maker, new FollowOptions { ReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromSeconds(1) }, cts.Token);
            var before = await new RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [SdkNodeFixture.NewSerial(), SdkNodeFixture.NewSerial()]).SubmitAsync();
            var all = await ReadUntilAsync(items, Ids(before));

            await node.SignalAndWaitForExitAsync("KILL", Guard);
            await node.DisposeAsync();
            node = await consortium.StartNodeAsync(SdkNodeFixture.GrpcArgs);
            Volatile.Write(ref current, node.BaseAddress);
            Volatile.Write(ref currentGrpc, node.GrpcAddress!);

            var after = await new RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [SdkNodeFixture.NewSerial()]).SubmitAsync();
            await ReadUntilAsync(items, Ids(after), all);

            var ids = all.Where(i => i.Record is not null).Select(i => i.Record!.Id).ToList();
            Assert.Equal([.. Ids(before), .. Ids(after)], ids.ToHashSet());
            Assert.Equal(ids.Count, ids.Distinct().Count());
            await cts.CancelAsync();
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    private static (long, int, long) FollowCursorParts(string cursor)
    {
        var p = cursor.Split('.');
        return (long.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture));
    }
}
