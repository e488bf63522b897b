using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ledger.Node.Tests.Network;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Ledger.Node.Tests.Crash;

/// <summary>
/// Crash safety of a real `ledger node run` process under heavy ingest: the project's one random kill -9 suite, 20
/// SIGKILLs at random moments (every acknowledged record survives, `store verify` passes, a batch in flight is all or
/// nothing); a SIGKILL at each named fault point of the write path (deterministic); and SIGTERM (every answered request
/// is durable, exit 0 within the shutdown timeout). Set LEDGER_CRASH_SEED to replay a failure's kill delays and batch sizes.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Rounds = 20;
    private const int Writers = 3;
    private const int MinCommission = 50;
    private const int MaxCommission = 300;
    private const int OlderSample = 200;
    // `store verify` (a process of its own over the whole store) after every this many kills, and after the last one.
    private const int VerifyEvery = 5;
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(30);

    // Every request would be a log line on the node's stderr, read by this process: tens of thousands per run.
    private static readonly Dictionary<string, string> QuietRequests = new() { ["LEDGER_Logging__LogLevel__Ledger.Node.Requests"] = "Warning" };

    private static int Seed() =>
        Environment.GetEnvironmentVariable("LEDGER_CRASH_SEED") is { Length: > 0 } s
            ? int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : Random.Shared.Next();

    [Fact]
    public async Task Ingest_KilledAtRandomMoments_EveryAcknowledgedRecordSurvivesAndStoreVerifies()
    {
        var seed = Seed();
        var random = new Random(seed);
        var sampler = new Random(~seed);
        output.WriteLine($"seed {seed} (LEDGER_CRASH_SEED={seed} replays the kill delays and batch sizes)");
        using var consortium = await TestConsortium.CreateAsync();
        var book = new IngestBook(consortium.Maker, consortium.Wholesaler.Address);
        var unknown = new List<PlannedBatch>();
        LaneChecker? checker = null;
        var total = Stopwatch.StartNew();

        for (var round = 1; round <= Rounds; round++)
        {
            var context = string.Create(CultureInfo.InvariantCulture, $"seed {seed}, round {round}");
            var phase = Stopwatch.StartNew();
            var node = await consortium.StartNodeAsync(environment: QuietRequests);
            var started = phase.Elapsed;
            try
            {
                using var client = LaneClient.Create(node, consortium.Maker.Token);
                checker ??= new LaneChecker(await NodeAddressAsync(node));
                await AfterRestartAsync(client, checker, book, unknown, context, sampler);
                var checkedAt = phase.Elapsed;

                var delay = TimeSpan.FromMilliseconds(random.Next(30, 800));
                var killed = 0;
                var failures = new ConcurrentQueue<string>();
                var inFlight = new ConcurrentQueue<PlannedBatch>();
                var writers = Enumerable.Range(0, Writers)
                    .Select(w => WriteAsync(client, book, new Random(random.Next()), () => Volatile.Read(ref killed) == 1, inFlight, failures))
                    .ToList();
                await Task.Delay(delay);
                await node.SignalAndWaitForExitAsync("KILL", ExitWait);
                Volatile.Write(ref killed, 1);
                await Task.WhenAll(writers);
                Assert.True(failures.IsEmpty, $"{context}: {string.Join("\n", failures)}");
                unknown.AddRange(inFlight);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: killed after {delay.TotalMilliseconds:0} ms; {book.AcknowledgedCount} acknowledged ({book.Summary()}), {inFlight.Count} batches in flight; start {started.TotalSeconds:0.0} s, checks {(checkedAt - started).TotalSeconds:0.0} s; {total.Elapsed.TotalSeconds:0.0} s"));
            }
            finally
            {
                await node.DisposeAsync();
            }
            if (round % VerifyEvery != 0)
                continue;
            var verifyStarted = Stopwatch.StartNew();
            var warnings = await StoreVerifyAsync(consortium.DataDirectory, context, cleanShutdown: false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  store verify {verifyStarted.Elapsed.TotalSeconds:0.0} s; {string.Join("; ", warnings)}"));
        }

        var final = string.Create(CultureInfo.InvariantCulture, $"seed {seed}, after round {Rounds}");
        await using (var node = await consortium.StartNodeAsync(environment: QuietRequests))
        {
            using var client = LaneClient.Create(node, consortium.Maker.Token);
            await AfterRestartAsync(client, checker!, book, unknown, final, null);
            Assert.Equal(0, await node.SignalAndWaitForExitAsync("TERM", ExitWait));
        }
        await StoreVerifyAsync(consortium.DataDirectory, final, cleanShutdown: true);
        Assert.True(book.AcknowledgedCount > 0, $"{final}: no record was acknowledged in {Rounds} rounds");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done: {book.AcknowledgedCount} records ({book.Summary()}) in {total.Elapsed.TotalSeconds:0.0} s"));
    }

    [Theory]
    [InlineData("lane-frame-appended", false)]
    [InlineData("lane-frame-synced", false)]
    [InlineData("lane-index-written", true)]
    public async Task Submit_KilledAtFaultPoint_AcknowledgedSurviveUnansweredAllOrNothingStoreVerifies(string point, bool committed)
    {
        var context = "fault point " + point;
        using var consortium = await TestConsortium.CreateAsync();
        var book = new IngestBook(consortium.Maker, consortium.Wholesaler.Address);
        var random = new Random(point.Length);
        LaneChecker checker;
        await using (var node = await consortium.StartNodeAsync(environment: QuietRequests))
        {
            using var client = LaneClient.Create(node, consortium.Maker.Token);
            checker = new LaneChecker(await NodeAddressAsync(node));
            for (var i = 0; i < 3; i++)
            {
                var planned = book.Plan(random, MinCommission, MinCommission);
                var answer = await LaneClient.SubmitAsync(client, planned, () => false);
                Assert.True(answer.Status == SubmitStatus.Acknowledged, $"{context}: {answer.Detail}");
                book.Acknowledge(planned, answer.MaxBlock);
            }
            Assert.Equal(0, await node.SignalAndWaitForExitAsync("TERM", ExitWait));
        }

        PlannedBatch unanswered;
        var armed = new Dictionary<string, string>(QuietRequests) { ["LEDGER_FAULTPOINT"] = point };
        await using (var node = await consortium.StartNodeAsync(environment: armed))
        {
            using var client = LaneClient.Create(node, consortium.Maker.Token);
            unanswered = book.Plan(random, MinCommission, MinCommission);
            var answer = await LaneClient.SubmitAsync(client, unanswered, () => true);
            Assert.True(answer.Status == SubmitStatus.Unknown, $"{context}: the node answered {answer.Status}: {answer.Detail}");
            Assert.Equal(137, await node.WaitForExitAsync(ExitWait));
            Assert.Contains($"fault point {point} reached", node.StdErr, StringComparison.Ordinal);
        }

        await using (var node = await consortium.StartNodeAsync(environment: QuietRequests))
        {
            using var client = LaneClient.Create(node, consortium.Maker.Token);
            // The frame past the committed head was never acknowledged: the restart cut it and said so.
            Assert.Equal(!committed, node.StdErr.Contains("recovery: cut", StringComparison.Ordinal));
            var firstThere = await checker.IsPresentAsync(client, unanswered.Batch.Records[0].Id, context);
            Assert.Equal(committed, firstThere);
            await AfterRestartAsync(client, checker, book, [unanswered], context, null);
            Assert.Equal(0, await node.SignalAndWaitForExitAsync("TERM", ExitWait));
        }
        await StoreVerifyAsync(consortium.DataDirectory, context, cleanShutdown: true);
    }

    [Fact]
    public async Task Ingest_Sigterm_EveryAnsweredRequestIsDurableAndExitIsClean()
    {
        var seed = Seed();
        var random = new Random(seed);
        var context = string.Create(CultureInfo.InvariantCulture, $"seed {seed}");
        output.WriteLine($"seed {seed}");
        using var consortium = await TestConsortium.CreateAsync();
        var book = new IngestBook(consortium.Maker, consortium.Wholesaler.Address);
        var unknown = new List<PlannedBatch>();
        LaneChecker checker;
        var shutdownTimeout = new NodeOptions().ShutdownTimeout;

        await using (var node = await consortium.StartNodeAsync(environment: QuietRequests))
        {
            using var client = LaneClient.Create(node, consortium.Maker.Token);
            checker = new LaneChecker(await NodeAddressAsync(node));
            var stopped = 0;
            var failures = new ConcurrentQueue<string>();
            var inFlight = new ConcurrentQueue<PlannedBatch>();
            var writers = Enumerable.Range(0, Writers)
                .Select(w => WriteAsync(client, book, new Random(random.Next()), () => Volatile.Read(ref stopped) == 1, inFlight, failures))
                .ToList();
            // SIGTERM once the ingest is under way (bounded wait), at a random moment after.
            using (var started = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
                while (book.AcknowledgedCount == 0 && failures.IsEmpty && writers.Any(w => !w.IsCompleted))
                    await Task.Delay(20, started.Token);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 1000)));
            // Bounded by the shutdown timeout plus the process's own exit (closing the lane): a hang fails with TimeoutException.
            var exitCode = await node.SignalAndWaitForExitAsync("TERM", shutdownTimeout + TimeSpan.FromSeconds(5));
            Volatile.Write(ref stopped, 1);
            await Task.WhenAll(writers);
            Assert.True(failures.IsEmpty, $"{context}: {string.Join("\n", failures)}");
            Assert.Equal(0, exitCode);
            Assert.Contains("shutting down", node.StdErr, StringComparison.Ordinal);
            unknown.AddRange(inFlight);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{book.AcknowledgedCount} acknowledged before SIGTERM ({book.Summary()}), {inFlight.Count} batches without an answer"));
        }
        await StoreVerifyAsync(consortium.DataDirectory, context, cleanShutdown: true);

        await using (var node = await consortium.StartNodeAsync(environment: QuietRequests))
        {
            using var client = LaneClient.Create(node, consortium.Maker.Token);
            await AfterRestartAsync(client, checker, book, unknown, context, null);
            Assert.Equal(0, await node.SignalAndWaitForExitAsync("TERM", ExitWait));
        }
        await StoreVerifyAsync(consortium.DataDirectory, context, cleanShutdown: true);
    }

    /// <summary>
    /// One writer: plans and submits batches until <paramref name="stopping"/>; an acknowledged batch goes into the book,
    /// one without an answer into <paramref name="inFlight"/> (and the writer stops: the node is gone), anything else is a failure.
    /// </summary>
    private static async Task WriteAsync(HttpClient client, IngestBook book, Random random, Func<bool> stopping,
        ConcurrentQueue<PlannedBatch> inFlight, ConcurrentQueue<string> failures)
    {
        await Task.Yield();
        while (!stopping())
        {
            var planned = book.Plan(random, MinCommission, MaxCommission);
            var answer = await LaneClient.SubmitAsync(client, planned, stopping);
            switch (answer.Status)
            {
                case SubmitStatus.Acknowledged:
                    book.Acknowledge(planned, answer.MaxBlock);
                    break;
                case SubmitStatus.Unknown:
                    inFlight.Enqueue(planned);
                    return;
                default:
                    failures.Enqueue(answer.Detail);
                    // The batch may be refused; its items stay out of the book, which never offers them again.
                    return;
            }
        }
    }

    /// <summary>
    /// After a restart: the head (never backwards, signed, log consistent with the last verified one), then every batch left
    /// without an answer is resubmitted — it must be entirely on the ledger already (all duplicate) or entirely absent (all
    /// accepted now), never partly — then the acknowledged records are proven on the ledger: without
    /// <paramref name="sampler"/> every one of them; with it those not proven before plus a random sample of the older ones
    /// (the consistency proof from the last verified log root carries all older ones forward, and `store verify` has just
    /// checked every record's index entry against the blocks).
    /// </summary>
    private static async Task AfterRestartAsync(HttpClient client, LaneChecker checker, IngestBook book, List<PlannedBatch> unknown, string context, Random? sampler)
    {
        await checker.CheckHeadAsync(client, book.MaxAcknowledgedBlock, context);
        foreach (var planned in unknown)
        {
            // Independently of the engine's duplicate check: the batch's first and last record are both on the ledger or neither.
            var records = planned.Batch.Records;
            var firstThere = await checker.IsPresentAsync(client, records[0].Id, context);
            var lastThere = await checker.IsPresentAsync(client, records[^1].Id, context);
            if (firstThere != lastThere)
                throw new XunitException($"{context}: the {planned} was partly on the ledger after the crash: first record present {firstThere}, last {lastThere}");
            var answer = await LaneClient.SubmitAsync(client, planned, () => false);
            if (answer.Status != SubmitStatus.Acknowledged)
                throw new XunitException($"{context}: resubmitting the {planned} left without an answer by the crash: {answer.Detail}");
            if (answer.Outcomes.Distinct().Count() != 1)
                throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                    $"{context}: the {planned} was partly on the ledger after the crash: {answer.Outcomes.Count(o => o == "duplicate")} of {answer.Outcomes.Count} records were duplicates"));
            if ((answer.Outcomes[0] == "duplicate") != firstThere)
                throw new XunitException($"{context}: resubmitting the {planned} was answered {answer.Outcomes[0]}, but its records were {(firstThere ? "" : "not ")}on the ledger before");
            book.Acknowledge(planned, answer.MaxBlock);
        }
        unknown.Clear();
        var older = book.All();
        var fresh = book.TakeUnchecked();
        IReadOnlyList<Hash32> ids = sampler is null
            ? older
            : [.. fresh, .. older.Take(older.Count - fresh.Count).OrderBy(_ => sampler.Next()).Take(OlderSample)];
        await checker.CheckPresentAsync(client, ids, context);
        await checker.CheckHeadAsync(client, book.MaxAcknowledgedBlock, context);
    }

    private static async Task<IReadOnlyList<string>> StoreVerifyAsync(string dataDirectory, string context, bool cleanShutdown)
    {
        var (code, stdout, stderr) = await NodeProcess.RunToExitAsync(["store", "verify", dataDirectory]);
        Assert.True(code == 0, $"{context}: ledger store verify exited {code}: {stdout}{stderr}");
        using var report = JsonDocument.Parse(stdout);
        Assert.True(report.RootElement.GetProperty("ok").GetBoolean(), $"{context}: store verify: {stdout}");
        var warnings = report.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        // After a graceful stop nothing is left half-written: no uncommitted tail to cut.
        Assert.True(!cleanShutdown || warnings.Count == 0, $"{context}: store verify after a graceful stop warns: {string.Join("; ", warnings)}");
        return warnings;
    }

    private static async Task<Address> NodeAddressAsync(NodeProcess node)
    {
        using var doc = JsonDocument.Parse(await node.Client.GetStringAsync("/v1/node"));
        return Address.Parse(doc.RootElement.GetProperty("address").GetString()!);
    }
}
