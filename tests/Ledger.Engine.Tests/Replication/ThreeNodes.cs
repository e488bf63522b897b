using Ledger.Engine.Lane;
using Ledger.Engine.Replication;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;

namespace Ledger.Engine.Tests.Replication;

/// <summary>
/// Three engines in one process, each with its own store (a temporary folder) and node key, exchanging blocks,
/// cosignatures and certificates through an in-memory transport whose queue the test drains, in order or shuffled.
/// The maker is hosted on node 0, the wholesaler on node 1, the pharmacy and the regulator on node 2.
/// </summary>
public sealed class ThreeNodes : IAsyncDisposable
{
    public static readonly PrivateKey[] NodeKeys = [Key(0x61), Key(0x62), Key(0x63)];
    public static readonly PrivateKey Maker = Key(0x71);
    public static readonly PrivateKey Wholesaler = Key(0x72);
    public static readonly PrivateKey Pharmacy = Key(0x73);
    public static readonly PrivateKey Regulator = Key(0x74);
    public const string MakerGln = "0614141000005";
    public const string WholesalerGln = "0614141000012";
    public const string PharmacyGln = "0614141000029";
    public const string Gtin = "00614141123452";

    public static ConsortiumDirectory Consortium { get; } = new(new ConsortiumDefinition("three", 1,
        [new ConsortiumNode("n0", NodeKeys[0].Address, ""), new ConsortiumNode("n1", NodeKeys[1].Address, ""), new ConsortiumNode("n2", NodeKeys[2].Address, "")],
        [
            new Party("maker", Maker.Address, PartyRoles.Manufacturer, [MakerGln], ["0614141"], [], NodeKeys[0].Address),
            new Party("wholesaler", Wholesaler.Address, PartyRoles.Wholesaler, [WholesalerGln], [], [], NodeKeys[1].Address),
            new Party("pharmacy", Pharmacy.Address, PartyRoles.Dispenser, [PharmacyGln], [], [], NodeKeys[2].Address),
            new Party("regulator", Regulator.Address, PartyRoles.Regulator, [], [], [], NodeKeys[2].Address),
        ]));

    private readonly Lock _lock = new();
    private readonly List<(int To, ConsortiumMessage Message)> _queue = [];
    private ulong _nonce;

    public ThreeNodes(params LaneOptions?[] options)
    {
        for (var i = 0; i < 3; i++)
        {
            Directories[i] = Path.Combine(Path.GetTempPath(), "ledger-three-" + Guid.NewGuid().ToString("N"));
            Open(i, options.Length > i ? options[i] : null);
        }
    }

    public string[] Directories { get; } = new string[3];

    public LedgerEngine[] Engines { get; } = new LedgerEngine[3];

    public ConsortiumReplicator[] Replicators { get; } = new ConsortiumReplicator[3];

    /// <summary>Every answer the engines gave to delivered messages, in delivery order.</summary>
    public List<(int To, ConsortiumMessage Message, ApplyResult Result)> Delivered { get; } = [];

    /// <summary>When set, a queued message it returns true for is dropped instead of delivered (a node that was away).</summary>
    public Func<int, ConsortiumMessage, bool>? Drop { get; set; }

    /// <summary>When set, deliveries whose receiver fails are collected here instead of failing the test.</summary>
    public List<(int To, ConsortiumMessage Message)>? Failures { get; set; }

    /// <summary>Stops engine <paramref name="i"/>, checks its store offline (<c>store verify</c>), and opens it again.</summary>
    public async Task<Ledger.Engine.Verification.StoreReport> VerifyAsync(int i)
    {
        Replicators[i].Dispose();
        await Engines[i].DisposeAsync();
        var report = Ledger.Engine.Verification.StoreVerifier.Verify(Directories[i], Consortium.NodeAddresses);
        Open(i, null);
        return report;
    }

    public int Pending
    {
        get
        {
            lock (_lock)
                return _queue.Count;
        }
    }

    public static PrivateKey Key(byte b) => PrivateKey.FromBytes([.. Enumerable.Repeat(b, 31).Prepend((byte)0x20)]);

    public static ItemId Pack(string serial) => ItemId.Sgtin(Gtin, serial);

    private void Open(int i, LaneOptions? options)
    {
        Engines[i] = LedgerEngine.Open(Directories[i], NodeKeys[i], Consortium, options ?? new LaneOptions { MaxBlockDelay = TimeSpan.FromMilliseconds(1) });
        Replicators[i] = new ConsortiumReplicator(Engines[i], new Transport(this, i));
    }

    private void Enqueue(int from, ConsortiumMessage message)
    {
        lock (_lock)
        {
            for (var to = 0; to < 3; to++)
                if (to != from)
                    _queue.Add((to, message));
        }
    }

    /// <summary>Delivers queued messages (and those they cause) until none is left: in order, or in a random order.</summary>
    public async Task DeliverAllAsync(Random? random = null)
    {
        while (true)
        {
            (int To, ConsortiumMessage Message) next;
            lock (_lock)
            {
                if (_queue.Count == 0)
                    return;
                var at = random?.Next(_queue.Count) ?? 0;
                next = _queue[at];
                _queue.RemoveAt(at);
            }
            if (Drop?.Invoke(next.To, next.Message) == true)
                continue;
            ApplyResult result;
            try
            {
                result = await Replicators[next.To].ReceiveAsync(next.Message);
            }
            catch (LaneFailedException) when (Failures is not null)
            {
                // The receiver stopped (an injected fault): the message is kept for redelivery after its restart.
                Failures.Add(next);
                continue;
            }
            Delivered.Add((next.To, next.Message, result));
        }
    }

    /// <summary>Drops every queued message (a node that never receives them).</summary>
    public List<(int To, ConsortiumMessage Message)> TakeQueued()
    {
        lock (_lock)
        {
            var taken = new List<(int, ConsortiumMessage)>(_queue);
            _queue.Clear();
            return taken;
        }
    }

    public void Requeue(IEnumerable<(int To, ConsortiumMessage Message)> messages)
    {
        lock (_lock)
            _queue.AddRange(messages);
    }

    public LedgerRecord Record(int node, PrivateKey author, RecordPayload payload) =>
        new(author.Address, ++_nonce, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000 + (long)_nonce,
            payload, [.. payload.Items.Select(Engines[node].Store.GetItem).OfType<ItemState>().Select(s => s.LatestRecord).Distinct()]);

    public Task<SubmitResult> Submit(int node, PrivateKey author, params RecordPayload[] payloads) =>
        Engines[node].SubmitAsync(SignedBatch.Sign([.. payloads.Select(p => Record(node, author, p))], author));

    /// <summary>Abandons engine <paramref name="i"/> (as after a crash: its sequencer stopped) and opens its store again.</summary>
    public async Task ReopenAsync(int i, LaneOptions? options = null)
    {
        Replicators[i].Dispose();
        await Engines[i].DisposeAsync();
        Open(i, options);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            Replicators[i].Dispose();
            await Engines[i].DisposeAsync();
            try
            {
                Directory.Delete(Directories[i], recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private sealed class Transport(ThreeNodes hub, int from) : IConsortiumTransport
    {
        public void Publish(ConsortiumMessage message) => hub.Enqueue(from, message);
    }
}
