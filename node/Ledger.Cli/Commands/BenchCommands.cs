using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ledger.Protocol.Consortium;
using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Storage.RocksDb;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>ledger bench ingest</c>: runs a lane in-process on a fresh data folder and measures durable ingest, acknowledgement
/// latency, bytes on disk, provenance reads, and — in the same run, on the same disk and cores — the raw limits the node is
/// compared with (RocksDB batch puts with sync, signature recoveries on all cores).
/// </summary>
public static class BenchCommands
{
    private const string Gtin = "00614141123452";
    private const string Site = "0614141000005";
    private const int RawKeyLength = 32;
    private const int RawValueLength = 200;
    private const int RawBatch = 1_000;

    /// <summary>Builds <c>bench</c> with its <c>ingest</c> verb.</summary>
    public static Command Create()
    {
        var bench = new Command("bench", "Measurements of this machine and the node (not part of a running node)");
        bench.Subcommands.Add(CreateIngest());
        return bench;
    }

    private static Command CreateIngest()
    {
        var records = new Option<int>("--records") { Description = "Records to ingest (Commission of one fresh serial each)", Required = true };
        var batch = new Option<int>("--batch") { Description = "Records per signed batch (1 to 100,000)", Required = true };
        var json = new Option<string>("--json") { Description = "Write the figures as one JSON object to this file", Required = true };
        var data = new Option<string>("--data") { Description = "Use (and keep) this data folder instead of a temporary one; it must be empty or missing" };
        var writers = new Option<int>("--writers") { Description = "Concurrent writers (default: 2 × cores)" };
        var depth = new Option<int>("--depth") { Description = "Batches each writer keeps in flight (default: 2)" };
        var single = new Option<int>("--single") { Description = "Signed single-record batches submitted concurrently right after the ingest and again at rest, for the verification ratio (default: 2,000 each)" };
        var queries = new Option<int>("--queries") { Description = "Provenance queries of random items after the ingest (default: 2,000)" };
        var rawSeconds = new Option<double>("--raw-seconds") { Description = "How long each raw limit is measured, in seconds (default: 3)" };
        var transport = new Option<string>("--transport")
        {
            Description = "Instead of the in-process lane: start a node in this process and submit over its API with the SDK — http, grpc or both "
                + "(--single signed single-record batches and --records records in batches of --batch over each, in one run, with the gRPC/HTTP ratios)",
        };
        var foreign = new Option<bool>("--foreign")
        {
            Description = "Then apply the ingested lane's signed blocks on a second node's engine, as a replicating peer does (apply_records_per_sec, apply_ratio); "
                + "the consortium then has two nodes",
        };
        var stream = new Option<bool>("--stream") { Description = "Build and sign each batch in its writer just before submitting it instead of all before timing (flat memory for 10M records; client CPU counts against the node)" };
        var ingest = new Command("ingest",
            "Ingest N pre-signed records through the node's own submission path (signature check, custody rules, group commit, fsync) into a fresh "
            + "data folder, then submit single-record batches and query provenance right after the ingest and again once the node's background "
            + "work (checkpoint, compactions) has ended; measure raw RocksDB sync batch puts and signature recoveries on all cores in the same run. "
            + "Prints a table and writes JSON (records_per_sec, ack_p50_ms, ack_p99_ms, bytes_per_record, query_p50_ms, query_p99_ms, "
            + "settle_sec, query_rest_p50_ms, query_rest_p99_ms, single_per_sec, single_rest_per_sec, "
            + "raw_storage_puts_per_sec, raw_verify_per_sec, storage_ratio, verify_ratio, verify_ratio_rest, rss_mb (resident memory at the end), "
            + "open_s (restart to ready on the finished store), the memory by part, …; with --foreign apply_records_per_sec, apply_ratio)")
        {
            records, batch, json, data, writers, depth, single, queries, rawSeconds, stream, transport, foreign,
        };
        ingest.SetAction(parseResult =>
        {
            var settings = new IngestSettings(
                parseResult.GetValue(records),
                parseResult.GetValue(batch),
                parseResult.GetValue(json)!,
                parseResult.GetValue(data),
                parseResult.GetResult(writers) is null ? 2 * Environment.ProcessorCount : parseResult.GetValue(writers),
                parseResult.GetResult(depth) is null ? 2 : parseResult.GetValue(depth),
                parseResult.GetResult(single) is null ? 2_000 : parseResult.GetValue(single),
                parseResult.GetResult(queries) is null ? 2_000 : parseResult.GetValue(queries),
                parseResult.GetResult(rawSeconds) is null ? 3 : parseResult.GetValue(rawSeconds),
                parseResult.GetValue(stream),
                parseResult.GetValue(foreign));
            if (settings.Check() is { } problem)
            {
                Console.Error.WriteLine(problem);
                return ExitCodes.InvalidInput;
            }
            if (parseResult.GetValue(transport) is { } t)
            {
                if (t is not ("http" or "grpc" or "both"))
                {
                    Console.Error.WriteLine($"--transport: must be http, grpc or both, got '{t}' [value]");
                    return ExitCodes.InvalidInput;
                }
                return RunTransportAsync(settings, t == "both" ? ["http", "grpc"] : [t]).GetAwaiter().GetResult();
            }
            return RunIngestAsync(settings).GetAwaiter().GetResult();
        });
        return ingest;
    }

    private sealed record IngestSettings(int Records, int Batch, string Json, string? Data, int Writers, int Depth, int Single, int Queries, double RawSeconds, bool Stream = false, bool Foreign = false)
    {
        public string? Check()
        {
            if (Records < 1)
                return $"--records: must be at least 1, got {Records} [range]";
            if (Batch is < 1 or > BatchHeader.MaxRecords)
                return $"--batch: must be 1 to {BatchHeader.MaxRecords}, got {Batch} [range]";
            if (Writers < 1)
                return $"--writers: must be at least 1, got {Writers} [range]";
            if (Depth < 1)
                return $"--depth: must be at least 1, got {Depth} [range]";
            if (Single < 1)
                return $"--single: must be at least 1, got {Single} [range]";
            if (Queries < 1)
                return $"--queries: must be at least 1, got {Queries} [range]";
            if (!double.IsFinite(RawSeconds) || RawSeconds is <= 0 or > 600)
                return $"--raw-seconds: must be above 0 and at most 600, got {RawSeconds.ToString(CultureInfo.InvariantCulture)} [range]";
            if (Data is not null && Directory.Exists(Data) && Directory.EnumerateFileSystemEntries(Data).Any())
                return $"--data: {Data} is not empty; the benchmark needs a fresh data folder [not-empty]";
            var jsonDir = Path.GetDirectoryName(Path.GetFullPath(Json));
            if (jsonDir is not null && !Directory.Exists(jsonDir))
                return $"--json: the folder {jsonDir} does not exist [directory-not-found]";
            return null;
        }
    }

    private sealed class Figures
    {
        public Dictionary<string, double> Values { get; } = new(StringComparer.Ordinal);

        public double this[string key]
        {
            get => Values[key];
            set => Values[key] = value;
        }
    }

    private static async Task<int> RunIngestAsync(IngestSettings s)
    {
        var f = new Figures();
        var scratch = Path.Combine(Path.GetTempPath(), "ledger-bench-" + Guid.NewGuid().ToString("N"));
        var dataDir = s.Data ?? Path.Combine(scratch, "data");
        Directory.CreateDirectory(scratch);
        try
        {
            Console.Error.WriteLine("measuring raw RocksDB batch puts with sync …");
            f["raw_storage_puts_per_sec"] = MeasureRawStorage(Path.Combine(scratch, "raw-db"), TimeSpan.FromSeconds(s.RawSeconds));
            Console.Error.WriteLine("measuring raw signature recoveries on all cores …");
            f["raw_verify_per_sec"] = MeasureRawVerify(TimeSpan.FromSeconds(s.RawSeconds));

            var nodeKey = PrivateKey.Generate();
            var maker = PrivateKey.Generate();
            var replicaKey = PrivateKey.Generate();
            var consortium = new ConsortiumDirectory(new ConsortiumDefinition("bench", 1,
                s.Foreign ? [new ConsortiumNode("node-1", nodeKey.Address, ""), new ConsortiumNode("replica", replicaKey.Address, "")] : [new ConsortiumNode("node-1", nodeKey.Address, "")],
                [new Party("maker", maker.Address, PartyRoles.Manufacturer, [Site], ["0614141"], [], nodeKey.Address)]));

            Console.Error.WriteLine($"building and signing {s.Records:N0} records in batches of {s.Batch:N0} and {s.Single:N0} single-record batches …");
            var t0 = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();
            // --stream: each writer builds and signs its next batch just before submitting it (memory stays flat for 10M
            // records; the client's CPU then competes with the node's on the same cores, which lowers records/s).
            var batches = s.Stream ? null : BuildBatches(maker, 0, s.Records, s.Batch, t0);
            var singles = BuildBatches(maker, s.Records, s.Single, 1, t0);
            var restingSingles = BuildBatches(maker, s.Records + s.Single, s.Single, 1, t0);

            var ledgerDir = Path.Combine(dataDir, "ledger");
            var laneOptions = new LaneOptions { MaxQueuedSubmissions = Math.Max(4_096, 2 * s.Writers * s.Depth), StateCacheNodes = StateCacheFromEnvironment(),
                    IndexCacheMb = IntFromEnvironment("LEDGER_BENCH_INDEX_CACHE_MB") is > 0 and var mb ? mb : new LaneOptions().IndexCacheMb,
                    LowPriorityBackground = IntFromEnvironment("LEDGER_BENCH_LOW_PRIORITY") is not 0 };
            var engine = LedgerEngine.Open(ledgerDir, nodeKey, consortium, laneOptions);
            try
            {
                Console.Error.WriteLine($"ingesting with {s.Writers} writers × {s.Depth} in flight …");
                var batchCount = BatchCount(s.Records, s.Batch);
                var (wall, latencies) = batches is not null
                    ? await SubmitAllAsync(engine, batches, s.Writers, s.Depth).ConfigureAwait(false)
                    : await SubmitAllAsync(engine, batchCount, b => BuildBatch(maker, 0, s.Records, s.Batch, t0, b), s.Writers, s.Depth).ConfigureAwait(false);
                f["stream"] = s.Stream ? 1 : 0;
                f["low_priority_background"] = laneOptions.LowPriorityBackground ? 1 : 0;
                f["records"] = s.Records;
                f["batch"] = s.Batch;
                f["writers"] = s.Writers;
                f["depth"] = s.Depth;
                f["wall_sec"] = wall.TotalSeconds;
                f["records_per_sec"] = s.Records / wall.TotalSeconds;
                f["batches_per_sec"] = batchCount / wall.TotalSeconds;
                f["ack_p50_ms"] = Percentile(latencies, 0.50);
                f["ack_p99_ms"] = Percentile(latencies, 0.99);
                f["blocks"] = engine.Head.Height;
                f["bytes_on_disk"] = FolderSize(dataDir);
                f["bytes_per_record"] = f["bytes_on_disk"] / s.Records;

                Console.Error.WriteLine($"submitting {s.Single:N0} single-record batches concurrently …");
                var (singleWall, singleLatencies) = await SubmitAllAsync(engine, singles, s.Writers, Math.Max(s.Depth, 256 / s.Writers)).ConfigureAwait(false);
                f["single"] = s.Single;
                f["single_per_sec"] = s.Single / singleWall.TotalSeconds;
                f["single_ack_p50_ms"] = Percentile(singleLatencies, 0.50);
                f["single_ack_p99_ms"] = Percentile(singleLatencies, 0.99);

                Console.Error.WriteLine($"querying provenance of {s.Queries:N0} random items …");
                var (gen0, gen1, gen2, paused) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
                var queryTimes = QueryProvenance(engine, s.Records, s.Queries);
                // Garbage collections during the queries: a tail latency that matches these pauses is the heap, not the reads.
                f["query_gc_gen0"] = GC.CollectionCount(0) - gen0;
                f["query_gc_gen1"] = GC.CollectionCount(1) - gen1;
                f["query_gc_gen2"] = GC.CollectionCount(2) - gen2;
                f["query_gc_pause_ms"] = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds;
                f["heap_bytes"] = GC.GetTotalMemory(forceFullCollection: false);
                f["queries"] = s.Queries;
                f["query_p50_ms"] = Percentile(queryTimes, 0.50);
                f["query_p99_ms"] = Percentile(queryTimes, 0.99);

                // The same number of queries again once the node's own background work (the last state-map checkpoint,
                // RocksDB flushes and compactions the ingest left due) has ended: the store at rest, as a node between
                // bursts of traffic serves it.
                Console.Error.WriteLine("waiting for the node's background work to end …");
                var settle = Stopwatch.StartNew();
                while (engine.IsBusy && settle.Elapsed < SettleLimit)
                    await Task.Delay(250).ConfigureAwait(false);
                f["settle_sec"] = settle.Elapsed.TotalSeconds;
                f["settled"] = engine.IsBusy ? 0 : 1;
                var restingTimes = QueryProvenance(engine, s.Records, s.Queries, seed: 54321);
                f["query_rest_p50_ms"] = Percentile(restingTimes, 0.50);
                f["query_rest_p99_ms"] = Percentile(restingTimes, 0.99);

                // Single-record submissions again on the store at rest: the first round shares the cores with whatever
                // the ingest left running (the last checkpoint, compactions), which at 10M records is a minute of work.
                Console.Error.WriteLine($"submitting {s.Single:N0} single-record batches again, at rest …");
                var (restWall, restLatencies) = await SubmitAllAsync(engine, restingSingles, s.Writers, Math.Max(s.Depth, 256 / s.Writers)).ConfigureAwait(false);
                f["single_rest_per_sec"] = s.Single / restWall.TotalSeconds;
                f["single_rest_ack_p50_ms"] = Percentile(restLatencies, 0.50);
                f["single_rest_ack_p99_ms"] = Percentile(restLatencies, 0.99);

                // Memory at the end, part by part: which parts are bounded caches and which grow with the ledger (ADR 0011).
                AddMemory(f, engine.Memory(), "");

                // And once the node has been idle long enough to checkpoint its dirty state-map nodes and collect.
                Console.Error.WriteLine("waiting for the node to be idle …");
                await Task.Delay(LedgerEngine.IdleCheckpointDelay + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                var idle = Stopwatch.StartNew();
                while (engine.IsBusy && idle.Elapsed < SettleLimit)
                    await Task.Delay(250).ConfigureAwait(false);
                await engine.IdleCheckpoint.ConfigureAwait(false);
                AddMemory(f, engine.Memory(), "_idle");
                // What of the heap is live (a full blocking collection): the rest was garbage not yet collected.
                f["gc_live_mb_idle"] = GC.GetTotalMemory(forceFullCollection: true) / Mb;
            }
            finally
            {
                await engine.DisposeAsync().ConfigureAwait(false);
            }

            // Bytes on disk once closed: the memtables flushed, the write-ahead log gone (the store as a restart finds it).
            f["bytes_per_record_closed"] = FolderSize(dataDir) / (s.Records + 2.0 * s.Single); // the single-record rounds are on disk too

            // Restart to ready on the finished store (the shutdown above took the last state-map checkpoint): the RocksDB
            // open, the lane log's upper levels, the state map's replay above its checkpoint. The key filters fill in the
            // background after that; open_filters_s is when they were complete.
            Console.Error.WriteLine("reopening the finished store …");
            var opening = Stopwatch.StartNew();
            var reopened = LedgerEngine.Open(ledgerDir, nodeKey, consortium, laneOptions);
            try
            {
                f["open_s"] = opening.Elapsed.TotalSeconds;
                await reopened.KeyFiltersFilled.ConfigureAwait(false);
                f["open_filters_s"] = opening.Elapsed.TotalSeconds;
            }
            finally
            {
                await reopened.DisposeAsync().ConfigureAwait(false);
            }

            if (s.Foreign)
                await MeasureForeignApplyAsync(f, ledgerDir, Path.Combine(scratch, "replica", "ledger"), replicaKey, consortium, laneOptions).ConfigureAwait(false);
            f["storage_ratio"] = f["records_per_sec"] / f["raw_storage_puts_per_sec"];
            f["verify_ratio"] = f["single_per_sec"] / f["raw_verify_per_sec"];
            f["verify_ratio_rest"] = f["single_rest_per_sec"] / f["raw_verify_per_sec"];
            f["cores"] = Environment.ProcessorCount;
            if (LoadAverage() is { } load)
                f["load_1min"] = load;

            PrintTable(f);
            WriteJson(s.Json, f);
            return ExitCodes.Ok;
        }
        catch (BenchFailedException e)
        {
            Console.Error.WriteLine($"bench: {e.Message}");
            return ExitCodes.CheckFailed;
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    private sealed class BenchFailedException(string message) : Exception(message);

    /// <summary>
    /// <c>--transport</c>: a node (NodeHost, in this process, on a fresh data folder with one hosted manufacturer) with its
    /// HTTP and gRPC endpoints on 127.0.0.1, and the SDK's <see cref="Ledger.Sdk.Client.LedgerClient"/> submitting pre-signed
    /// batches over each transport in turn: single-record batches (64 calls in flight; over gRPC also as 64 SubmitBatches
    /// streams) and batches of <c>--batch</c> records (writers × depth in flight). Every batch must be accepted.
    /// </summary>
    private static async Task<int> RunTransportAsync(IngestSettings s, string[] transports)
    {
        var f = new Figures();
        var scratch = Path.Combine(Path.GetTempPath(), "ledger-bench-" + Guid.NewGuid().ToString("N"));
        var dataDir = s.Data ?? Path.Combine(scratch, "data");
        Directory.CreateDirectory(scratch);
        try
        {
            var init = NodePartyCommands.CreateInit().Parse(["--data", dataDir, "--party-name", "maker", "--role", "manufacturer", "--prefix", "0614141", "--gln", Site]);
            var stdout = Console.Out;
            Console.SetOut(TextWriter.Null);
            int code;
            try
            {
                code = await init.InvokeAsync().ConfigureAwait(false);
            }
            finally
            {
                Console.SetOut(stdout);
            }
            if (code != 0)
                throw new BenchFailedException($"node init exited {code}");
            var maker = Ledger.Node.KeyFile.Load(Ledger.Node.Parties.HostedParties.KeyPath(dataDir, "maker"));
            var token = (await File.ReadAllTextAsync(Ledger.Node.Parties.HostedParties.TokenPath(dataDir, "maker")).ConfigureAwait(false)).Trim();
            var configuration = Ledger.Node.NodeOptions.BuildConfiguration(null, new Dictionary<string, string?>
            {
                [nameof(Ledger.Node.NodeOptions.DataDirectory)] = dataDir,
                [nameof(Ledger.Node.NodeOptions.Urls)] = "http://127.0.0.1:0",
                [nameof(Ledger.Node.NodeOptions.GrpcUrls)] = "http://127.0.0.1:0",
                [nameof(Ledger.Node.NodeOptions.MaxConcurrentWrites)] = "4096",
                ["Lane:MaxQueuedSubmissions"] = "8192",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            });
            await using var host = Ledger.Node.NodeHost.Create(configuration);
            var addresses = await host.StartAsync().ConfigureAwait(false);
            var http = new Uri(addresses.First(a => !host.GrpcAddresses.Contains(a)));
            var grpc = new Uri(host.GrpcAddresses[0]);

            var t0 = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();
            var first = 0;
            const int singleInFlight = 64;
            var batchInFlight = s.Writers * s.Depth;
            f["single"] = s.Single;
            f["records"] = s.Records;
            f["batch"] = s.Batch;
            f["single_in_flight"] = singleInFlight;
            f["batch_in_flight"] = batchInFlight;
            foreach (var name in transports)
            {
                using var client = new Ledger.Sdk.Client.LedgerClient(new Ledger.Sdk.Client.LedgerClientOptions
                {
                    Node = http,
                    GrpcNode = grpc,
                    Transport = name == "grpc" ? Ledger.Sdk.Client.LedgerTransport.Grpc : Ledger.Sdk.Client.LedgerTransport.Http,
                    ApiToken = token,
                });
                Console.Error.WriteLine($"{name}: signing {s.Single:N0} single-record batches and {s.Records:N0} records in batches of {s.Batch:N0} …");
                var singles = BuildBatches(maker, first, s.Single, 1, t0);
                first += s.Single;
                var batches = BuildBatches(maker, first, s.Records, s.Batch, t0);
                first += s.Records;

                Console.Error.WriteLine($"{name}: submitting single-record batches, {singleInFlight} in flight …");
                var (singleWall, singleLatencies) = await SubmitOverAsync(client, singles, singleInFlight).ConfigureAwait(false);
                f[name + "_single_per_sec"] = s.Single / singleWall.TotalSeconds;
                f[name + "_single_ack_p50_ms"] = Percentile(singleLatencies, 0.50);
                f[name + "_single_ack_p99_ms"] = Percentile(singleLatencies, 0.99);

                Console.Error.WriteLine($"{name}: submitting batches of {s.Batch:N0}, {batchInFlight} in flight …");
                var (batchWall, batchLatencies) = await SubmitOverAsync(client, batches, batchInFlight).ConfigureAwait(false);
                f[name + "_batch_records_per_sec"] = s.Records / batchWall.TotalSeconds;
                f[name + "_batch_ack_p50_ms"] = Percentile(batchLatencies, 0.50);
                f[name + "_batch_ack_p99_ms"] = Percentile(batchLatencies, 0.99);

                if (name == "grpc")
                {
                    var streamed = BuildBatches(maker, first, s.Single, 1, t0);
                    first += s.Single;
                    Console.Error.WriteLine($"grpc: streaming single-record batches over {singleInFlight} SubmitBatches streams …");
                    f["grpc_stream_single_per_sec"] = s.Single / (await StreamOverAsync(client, streamed, singleInFlight).ConfigureAwait(false)).TotalSeconds;
                }
            }
            if (transports.Length == 2)
            {
                f["single_ratio_grpc_http"] = f["grpc_single_per_sec"] / f["http_single_per_sec"];
                f["batch_ratio_grpc_http"] = f["grpc_batch_records_per_sec"] / f["http_batch_records_per_sec"];
            }
            f["cores"] = Environment.ProcessorCount;
            if (LoadAverage() is { } load)
                f["load_1min"] = load;
            WriteJson(s.Json, f);
            foreach (var (key, value) in f.Values)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-32} {value,14:0.###}"));
            return ExitCodes.Ok;
        }
        catch (BenchFailedException e)
        {
            Console.Error.WriteLine($"bench: {e.Message}");
            return ExitCodes.CheckFailed;
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    /// <summary>Submits every batch through the client with <paramref name="inFlight"/> calls at once; fails unless each is accepted.</summary>
    private static async Task<(TimeSpan Wall, double[] Latencies)> SubmitOverAsync(Ledger.Sdk.Client.LedgerClient client, SignedBatch[] batches, int inFlight)
    {
        var latencies = new double[batches.Length];
        var next = -1;
        async Task WorkerAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Length)
            {
                var start = Stopwatch.GetTimestamp();
                var result = await client.SubmitBatchAsync(batches[i]).ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (!result.Accepted || result.Outcomes.Any(o => o.Outcome != "accepted"))
                    throw new BenchFailedException($"batch {i} was not accepted: {result.Outcomes.First(o => o.Outcome != "accepted").Outcome}");
            }
        }
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(WorkerAsync))).ConfigureAwait(false);
        return (wall.Elapsed, latencies);
    }

    /// <summary>Submits the batches over <paramref name="streams"/> SubmitBatches streams (each its share in order); fails unless each is accepted.</summary>
    private static async Task<TimeSpan> StreamOverAsync(Ledger.Sdk.Client.LedgerClient client, SignedBatch[] batches, int streams)
    {
        static async IAsyncEnumerable<SignedBatch> Share(SignedBatch[] all, int k, int n)
        {
            for (var i = k; i < all.Length; i += n)
                yield return all[i];
            await Task.CompletedTask.ConfigureAwait(false);
        }
        async Task StreamAsync(int k)
        {
            await foreach (var r in client.SubmitBatchesAsync(Share(batches, k, streams)).ConfigureAwait(false))
                if (r.Error is { } e)
                    throw new BenchFailedException("a streamed batch was refused: " + e.Message);
        }
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, streams).Select(k => Task.Run(() => StreamAsync(k)))).ConfigureAwait(false);
        return wall.Elapsed;
    }

    /// <summary>
    /// --foreign: the ingested lane's blocks, read back from its store, applied in order on a second node's engine (full
    /// validation: signatures, roots, custody rules, then durable as its own blocks are), with up to 16 blocks queued.
    /// </summary>
    private static async Task MeasureForeignApplyAsync(Figures f, string sourceLedger, string replicaLedger, PrivateKey replicaKey, ConsortiumDirectory consortium, LaneOptions options)
    {
        Console.Error.WriteLine("applying the lane's blocks on a replicating node …");
        using var source = LaneStore.Open(sourceLedger, blockCacheSize: 0);
        var height = source.GetHeadHeight();
        var replica = LedgerEngine.Open(replicaLedger, replicaKey, consortium, options);
        long applied = 0;
        try
        {
            var inFlight = new Queue<(Task<ApplyResult> Task, long Records)>();
            var wall = Stopwatch.StartNew();
            for (var h = 1L; h <= height; h++)
            {
                var block = source.GetBlock(h) ?? throw new BenchFailedException($"the ingested store has no block at height {h}");
                inFlight.Enqueue((replica.ApplyBlockAsync(block), block.SignedHeader.Header.RecordCount));
                while (inFlight.Count >= 16 || (h == height && inFlight.Count > 0))
                {
                    var (task, records) = inFlight.Dequeue();
                    var result = await task.ConfigureAwait(false);
                    if (result.Status != ApplyStatus.Applied)
                        throw new BenchFailedException($"the replica refused a block: {result.Status} {result.Code} {result.Message}");
                    applied += records;
                }
            }
            wall.Stop();
            f["apply_blocks"] = height;
            f["apply_records_per_sec"] = applied / wall.Elapsed.TotalSeconds;
            f["apply_ratio"] = f["apply_records_per_sec"] / f["records_per_sec"];
        }
        finally
        {
            await replica.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Commission records of fresh serials <c>S{first}</c>…, <paramref name="batchSize"/> per batch, signed by the maker (in parallel).</summary>
    private static SignedBatch[] BuildBatches(PrivateKey maker, int first, int count, int batchSize, long timeMs)
    {
        var batches = new SignedBatch[BatchCount(count, batchSize)];
        Parallel.For(0, batches.Length, b => batches[b] = BuildBatch(maker, first, count, batchSize, timeMs, b));
        return batches;
    }

    private static int BatchCount(int count, int batchSize) => (count + batchSize - 1) / batchSize;

    /// <summary>Batch <paramref name="b"/> of <see cref="BuildBatches"/>.</summary>
    private static SignedBatch BuildBatch(PrivateKey maker, int first, int count, int batchSize, long timeMs, int b)
    {
        var author = maker.Address;
        var start = first + b * batchSize;
        var n = Math.Min(batchSize, first + count - start);
        var records = new LedgerRecord[n];
        for (var i = 0; i < n; i++)
            records[i] = new LedgerRecord(author, (ulong)(start + i + 1), timeMs, new CommissionPayload(Gtin, "LOT1", "301231", Site, [Serial(start + i)]));
        return SignedBatch.Sign(records, maker);
    }

    private static string Serial(int index) => "S" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Submits every batch through <see cref="LedgerEngine.SubmitAsync"/> from <paramref name="writers"/> concurrent writers, each
    /// keeping up to <paramref name="depth"/> batches in flight; returns the wall time and each batch's acknowledgement latency (ms).
    /// </summary>
    private static Task<(TimeSpan Wall, double[] Latencies)> SubmitAllAsync(LedgerEngine engine, SignedBatch[] batches, int writers, int depth) =>
        SubmitAllAsync(engine, batches.Length, i => batches[i], writers, depth);

    /// <summary>As above, with batch i made by <paramref name="batch"/> in the writer just before it is submitted (not in the latency).</summary>
    private static async Task<(TimeSpan Wall, double[] Latencies)> SubmitAllAsync(LedgerEngine engine, int count, Func<int, SignedBatch> batch, int writers, int depth)
    {
        var latencies = new double[count];
        var next = -1;
        string? failure = null;

        async Task SubmitOneAsync(int i)
        {
            var signed = batch(i);
            var start = Stopwatch.GetTimestamp();
            var result = await engine.SubmitAsync(signed).ConfigureAwait(false);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!result.Accepted)
            {
                var bad = result.Outcomes.First(o => o.Status != OutcomeStatus.Accepted);
                Interlocked.CompareExchange(ref failure, $"batch {i} was not accepted: {bad.Code}: {bad.Message}", null);
            }
        }

        async Task WriterAsync()
        {
            var pending = new List<Task>(depth);
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && failure is null)
            {
                if (pending.Count >= depth)
                {
                    var done = await Task.WhenAny(pending).ConfigureAwait(false);
                    pending.Remove(done);
                    await done.ConfigureAwait(false);
                }
                pending.Add(SubmitOneAsync(i));
            }
            await Task.WhenAll(pending).ConfigureAwait(false);
        }

        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(WriterAsync))).ConfigureAwait(false);
        watch.Stop();
        if (failure is not null)
            throw new BenchFailedException(failure);
        return (watch.Elapsed, latencies);
    }

    /// <summary>How long the benchmark waits for the node's background work to end before the second query round.</summary>
    private static readonly TimeSpan SettleLimit = TimeSpan.FromMinutes(10);

    private static double[] QueryProvenance(LedgerEngine engine, int records, int queries, int seed = 12345)
    {
        var random = new Random(seed);
        var times = new double[queries];
        // Warm-up outside the figures (JIT, first block reads).
        for (var i = 0; i < Math.Min(50, queries); i++)
            engine.GetProvenance(ItemId.Sgtin(Gtin, Serial(random.Next(records))));
        for (var i = 0; i < queries; i++)
        {
            var item = ItemId.Sgtin(Gtin, Serial(random.Next(records)));
            var start = Stopwatch.GetTimestamp();
            var answer = engine.GetProvenance(item);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (answer.Records.Count != 1 || answer.State is null)
                throw new BenchFailedException($"provenance of {item} has {answer.Records.Count} records, expected its one Commission");
        }
        return times;
    }

    /// <summary>RocksDB batches of 1,000 puts (32-byte random keys, 200-byte values) written with sync for about <paramref name="duration"/>; puts/s.</summary>
    private static double MeasureRawStorage(string directory, TimeSpan duration)
    {
        var random = new Random(42);
        var values = new byte[RawBatch][];
        for (var i = 0; i < RawBatch; i++)
        {
            values[i] = new byte[RawValueLength];
            random.NextBytes(values[i]);
        }
        var keys = new byte[RawBatch * RawKeyLength];
        using var db = RocksDb.Open(directory, new RocksDbOptions(), [RocksDb.DefaultColumnFamilyName, "blocks"]);
        var cf = db.GetColumnFamily("blocks");
        using var batch = new WriteBatch();
        void WriteOne()
        {
            random.NextBytes(keys);
            batch.Clear();
            for (var i = 0; i < RawBatch; i++)
                batch.Put(cf, keys.AsSpan(i * RawKeyLength, RawKeyLength), values[i]);
            db.Write(batch, sync: true);
        }
        for (var i = 0; i < 20; i++)
            WriteOne(); // warm-up
        var watch = Stopwatch.StartNew();
        long puts = 0;
        while (watch.Elapsed < duration)
        {
            WriteOne();
            puts += RawBatch;
        }
        return puts / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Public-key recoveries to an address (the node's signer check) of distinct signatures, in parallel on all cores; recoveries/s.</summary>
    private static double MeasureRawVerify(TimeSpan duration)
    {
        const int distinct = 8_192;
        var key = PrivateKey.Generate();
        var digests = new Hash32[distinct];
        var signatures = new Signature[distinct];
        Parallel.For(0, distinct, i =>
        {
            digests[i] = Sha256.Hash(BitConverter.GetBytes(i));
            signatures[i] = key.Sign(digests[i]);
        });
        var expected = key.Address;
        int Round()
        {
            var bad = 0;
            Parallel.For(0, distinct, i =>
            {
                if (Secp256k1.RecoverAddress(digests[i], signatures[i]) != expected)
                    Interlocked.Increment(ref bad);
            });
            if (bad > 0)
                throw new BenchFailedException($"{bad} signatures did not recover to their signer");
            return distinct;
        }
        Round(); // warm-up
        var watch = Stopwatch.StartNew();
        long done = 0;
        while (watch.Elapsed < duration)
            done += Round();
        return done / watch.Elapsed.TotalSeconds;
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var index = Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[index];
    }

    private static long FolderSize(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Length);

    private static double? LoadAverage()
    {
        try
        {
            var text = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg") : null;
            return text is null ? null : double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"bench: could not delete {directory}: {e.Message}");
        }
    }

    private static void PrintTable(Figures f)
    {
        var rows = new (string Name, string Value)[]
        {
            ("records", Format(f["records"], "N0")),
            ("batch size", Format(f["batch"], "N0")),
            ("writers × in flight", $"{Format(f["writers"], "N0")} × {Format(f["depth"], "N0")}"),
            ("blocks", Format(f["blocks"], "N0")),
            ("wall time", Format(f["wall_sec"], "N2") + " s"),
            ("durable records/s", Format(f["records_per_sec"], "N0")),
            ("ack latency p50 / p99", $"{Format(f["ack_p50_ms"], "N2")} / {Format(f["ack_p99_ms"], "N2")} ms"),
            ("bytes on disk per record", Format(f["bytes_per_record"], "N1")),
            ("single-record batches/s, right after", Format(f["single_per_sec"], "N0")),
            ("single ack p50 / p99, right after", $"{Format(f["single_ack_p50_ms"], "N2")} / {Format(f["single_ack_p99_ms"], "N2")} ms"),
            ("provenance p50 / p99, right after", $"{Format(f["query_p50_ms"], "N3")} / {Format(f["query_p99_ms"], "N3")} ms"),
            ("background work after the ingest", $"{Format(f["settle_sec"], "N1")} s{(f["settled"] > 0 ? "" : " (still busy: limit reached)")}"),
            ("provenance p50 / p99, at rest", $"{Format(f["query_rest_p50_ms"], "N3")} / {Format(f["query_rest_p99_ms"], "N3")} ms"),
            ("single-record batches/s, at rest", Format(f["single_rest_per_sec"], "N0")),
            ("single ack p50 / p99, at rest", $"{Format(f["single_rest_ack_p50_ms"], "N2")} / {Format(f["single_rest_ack_p99_ms"], "N2")} ms"),
            ("raw RocksDB sync puts/s", Format(f["raw_storage_puts_per_sec"], "N0")),
            ("raw signature recoveries/s (all cores)", Format(f["raw_verify_per_sec"], "N0")),
            ("storage ratio (records/s ÷ raw puts/s)", Format(f["storage_ratio"], "N3")),
            ("verify ratio (singles/s ÷ raw recoveries/s), right after / at rest", $"{Format(f["verify_ratio"], "N3")} / {Format(f["verify_ratio_rest"], "N3")}"),
            ("resident memory at the end / peak", $"{Format(f["rss_mb"], "N0")} / {Format(f["rss_peak_mb"], "N0")} MB"),
            ("of it: GC heap, RocksDB cache + memtables, state nodes, key filters", $"{Format(f["gc_heap_mb"], "N0")}, {Format(f["rocksdb_block_cache_mb"], "N0")} + {Format(f["rocksdb_memtables_mb"], "N0")}, {Format(f["state_node_table_mb"], "N0")}, {Format(f["key_filters_mb"], "N0")} MB"),
            ("idle: resident memory, GC heap, dirty state nodes", $"{Format(f["rss_mb_idle"], "N0")} MB, {Format(f["gc_heap_mb_idle"], "N0")} MB, {Format(f["state_nodes_dirty_idle"], "N0")}"),
            ("restart to ready / key filters filled", $"{Format(f["open_s"], "N2")} / {Format(f["open_filters_s"], "N2")} s"),
            ("cores / load (1 min)", $"{Format(f["cores"], "N0")} / {(f.Values.TryGetValue("load_1min", out var l) ? Format(l, "N2") : "n/a")}"),
        };
        if (f.Values.TryGetValue("apply_records_per_sec", out var apply))
            rows = [.. rows, ("foreign blocks applied, records/s (÷ own ingest)", $"{Format(apply, "N0")} ({Format(f["apply_ratio"], "N2")})")];
        var width = rows.Max(r => r.Name.Length);
        foreach (var (name, value) in rows)
            Console.Out.WriteLine($"{name.PadRight(width)}  {value}");
    }

    private const double Mb = 1024 * 1024;

    /// <summary>The memory figures; <paramref name="suffix"/> "_idle" for the second reading (rss_mb_idle, …).</summary>
    private static void AddMemory(Figures f, EngineMemory m, string suffix)
    {
        f["rss_mb" + suffix] = m.ResidentBytes / Mb;
        f["rss_peak_mb" + suffix] = m.PeakResidentBytes / Mb;
        f["gc_heap_mb" + suffix] = m.GcHeapBytes / Mb;
        f["gc_committed_mb" + suffix] = m.GcCommittedBytes / Mb;
        f["rocksdb_block_cache_mb" + suffix] = m.RocksDbBlockCacheBytes / Mb;
        f["rocksdb_block_cache_pinned_mb" + suffix] = m.RocksDbBlockCachePinnedBytes / Mb;
        f["rocksdb_memtables_mb" + suffix] = m.RocksDbMemtableBytes / Mb;
        f["rocksdb_table_readers_mb" + suffix] = m.RocksDbTableReaderBytes / Mb;
        f["state_nodes_in_memory" + suffix] = m.StateNodesInMemory;
        f["state_node_table_mb" + suffix] = m.StateNodeTableBytes / Mb;
        f["state_nodes_dirty" + suffix] = m.StateNodesDirty;
        f["key_filters_mb" + suffix] = m.KeyFilterBytes / Mb;
        f["log_upper_levels_mb" + suffix] = m.LogUpperLevelBytes / Mb;
        f["block_cache_records" + suffix] = m.BlockCacheRecords;
        f["gc_server"] = System.Runtime.GCSettings.IsServerGC ? 1 : 0;
    }

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static void WriteJson(string path, Figures f)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        foreach (var (key, value) in f.Values)
            w.WriteNumber(key, value);
        w.WriteEndObject();
    }

    /// <summary>
    /// LEDGER_BENCH_STATE_CACHE overrides the state-map node cache (0 turns it off, for before/after comparisons);
    /// LEDGER_BENCH_INDEX_CACHE_MB the RocksDB block cache (Lane:IndexCacheMb); LEDGER_BENCH_LOW_PRIORITY=0 runs checkpoints and
    /// compactions at the node's own priority (Lane:LowPriorityBackground off).
    /// </summary>
    private static int StateCacheFromEnvironment() => IntFromEnvironment("LEDGER_BENCH_STATE_CACHE") ?? new LaneOptions().StateCacheNodes;

    private static int? IntFromEnvironment(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}
