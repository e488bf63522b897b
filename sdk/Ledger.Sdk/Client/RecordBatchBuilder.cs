using System.Security.Cryptography;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;

namespace Ledger.Sdk.Client;

/// <summary>
/// Builds a signed batch of records for the client's party key: author, a random nonce and the current time are filled
/// in, and each record's <c>deps</c> name the latest record of every item it touches — from the ledger (provenance
/// <c>state.latestRecord</c>) or, when an earlier record of the same batch touched the item, that record (so a batch that
/// commissions, packs and ships chains within itself). Not thread-safe; use one builder per batch.
/// </summary>
public sealed class RecordBatchBuilder
{
    private readonly LedgerClient _client;
    private readonly PrivateKey _key;
    private readonly List<RecordPayload> _payloads = [];

    /// <summary>A builder for the party whose key the client holds.</summary>
    /// <exception cref="InvalidOperationException">The client has no <see cref="LedgerClientOptions.PrivateKey"/>.</exception>
    public RecordBatchBuilder(LedgerClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _key = client.PrivateKey ?? throw new InvalidOperationException("RecordBatchBuilder signs with the party's key: set LedgerClientOptions.PrivateKey");
    }

    /// <summary>The payloads added so far.</summary>
    public IReadOnlyList<RecordPayload> Payloads => _payloads;

    /// <summary>Adds a record with any payload.</summary>
    public RecordBatchBuilder Add(RecordPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        _payloads.Add(payload);
        return this;
    }

    /// <summary>Commissions serials of a GTIN in a lot at a site (GLN).</summary>
    public RecordBatchBuilder Commission(string gtin, string lot, string expiry, string site, IEnumerable<string> serials) =>
        Add(new CommissionPayload(gtin, lot, expiry, site, serials));

    /// <summary>Packs children into a parent (e.g. packs into a case SSCC) at a location.</summary>
    public RecordBatchBuilder Pack(ItemId parent, IEnumerable<ItemId> children, string location) => Add(new PackPayload(parent, children, location));

    /// <summary>Unpacks children from a parent at a location.</summary>
    public RecordBatchBuilder Unpack(ItemId parent, IEnumerable<ItemId> children, string location) => Add(new UnpackPayload(parent, children, location));

    /// <summary>Ships items from a location to another party's location.</summary>
    public RecordBatchBuilder Ship(IEnumerable<ItemId> items, string from, Address toParty, string toLocation, IEnumerable<BusinessTransaction>? transactions = null) =>
        Add(new ShipPayload(items, from, toParty, toLocation, transactions));

    /// <summary>Receives items of a shipment at a location.</summary>
    public RecordBatchBuilder Receive(Hash32 ship, IEnumerable<ItemId> items, string location, IEnumerable<Discrepancy>? discrepancies = null) =>
        Add(new ReceivePayload(ship, items, location, discrepancies));

    /// <summary>Records a verification of an item.</summary>
    public RecordBatchBuilder Verify(ItemId item, string? lot, string? expiry, string context, string? location, string? correlation) =>
        Add(new VerifyPayload(item, lot, expiry, context, location, correlation));

    /// <summary>Decommissions items (dispensed, destroyed, …).</summary>
    public RecordBatchBuilder Decommission(IEnumerable<ItemId> items, DecommissionState state, string location, string? reason = null) =>
        Add(new DecommissionPayload(items, state, location, reason));

    /// <summary>Reactivates decommissioned items.</summary>
    public RecordBatchBuilder Reactivate(IEnumerable<ItemId> items, string location, string? reason = null) => Add(new ReactivatePayload(items, location, reason));

    /// <summary>Recalls a GTIN, a lot, or items.</summary>
    public RecordBatchBuilder Recall(string gtin, string? lot, IEnumerable<ItemId>? items, string reason) => Add(new RecallPayload(gtin, lot, items, reason));

    /// <summary>Withdraws a GTIN or a lot.</summary>
    public RecordBatchBuilder Withdraw(string gtin, string? lot, string reason) => Add(new WithdrawPayload(gtin, lot, reason));

    /// <summary>Records sensor observations about items.</summary>
    public RecordBatchBuilder Observe(IEnumerable<ItemId> items, string location, IEnumerable<SensorReading> readings) => Add(new ObservationPayload(items, location, readings));

    /// <summary>Builds and signs the batch, reading the items' latest records from the node.</summary>
    /// <exception cref="InvalidOperationException">No record was added.</exception>
    public async Task<SignedBatch> BuildAsync(CancellationToken cancellationToken = default)
    {
        if (_payloads.Count == 0)
            throw new InvalidOperationException("add at least one record before building the batch");
        var latest = new Dictionary<ItemId, Hash32?>();
        var records = new List<LedgerRecord>(_payloads.Count);
        var timeMs = _client.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var payload in _payloads)
        {
            var deps = new HashSet<Hash32>();
            foreach (var item in payload.Items)
            {
                if (!latest.TryGetValue(item, out var known))
                {
                    known = await _client.GetLatestRecordAsync(item, cancellationToken).ConfigureAwait(false);
                    latest[item] = known;
                }
                if (known is { } dep)
                    deps.Add(dep);
            }
            var record = new LedgerRecord(_key.Address, RandomNonce(), timeMs, payload, deps);
            records.Add(record);
            foreach (var item in payload.Items)
                latest[item] = record.Id;
        }
        return SignedBatch.Sign(records, _key);
    }

    /// <summary>Builds, signs and submits the batch (see <see cref="LedgerClient.SubmitBatchAsync"/>).</summary>
    public async Task<SubmitBatchResult> SubmitAsync(CancellationToken cancellationToken = default)
    {
        var batch = await BuildAsync(cancellationToken).ConfigureAwait(false);
        return await _client.SubmitBatchAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    private static ulong RandomNonce()
    {
        Span<byte> b = stackalloc byte[8];
        RandomNumberGenerator.Fill(b);
        return BitConverter.ToUInt64(b) >> 1;
    }
}
