using System.Globalization;
using Ledger.Node.Tests.Network;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;

namespace Ledger.Node.Tests.Crash;

/// <summary>One signed batch a writer submits, and what the bookkeeping learns once it is acknowledged.</summary>
public sealed class PlannedBatch
{
    private readonly Action _onAcknowledged;

    internal PlannedBatch(string kind, SignedBatch batch, Action onAcknowledged)
    {
        Kind = kind;
        Batch = batch;
        Encoded = batch.Encode();
        _onAcknowledged = onAcknowledged;
    }

    /// <summary>commission, pack or ship.</summary>
    public string Kind { get; }

    /// <summary>The signed batch.</summary>
    public SignedBatch Batch { get; }

    /// <summary>Its canonical encoding (the request body).</summary>
    public byte[] Encoded { get; }

    internal void Acknowledged() => _onAcknowledged();

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind} batch of {Batch.Records.Count} records (first {Batch.Records[0].Id})");
}

/// <summary>
/// The writers' shared bookkeeping: which records the node acknowledged (200 with accepted/duplicate outcomes), and the
/// maker's items a new record may touch — loose packs at the line (to pack) and cases at the dock (to ship) — each with
/// its latest acknowledged record id, which a Pack or Ship must name in its deps. An item taken into a planned batch is
/// no longer offered to other writers, so the deps stay right whatever happens to that batch; its new state is added
/// only once the batch is acknowledged (in flight at a kill: once the resubmission after the restart is answered).
/// </summary>
public sealed class IngestBook(TestParty maker, Address wholesaler)
{
    /// <summary>The maker's packaging line (commissioning site).</summary>
    public const string LineGln = "0300011111116";

    /// <summary>The maker's shipping dock (packing and shipping site).</summary>
    public const string DockGln = "0300011111215";

    /// <summary>The wholesaler's receiving site.</summary>
    public const string WholesalerGln = "0399993456780";

    /// <summary>A GTIN-14 under the maker's company prefix 030001.</summary>
    public static readonly string Gtin = WithCheckDigit("0030001000001");

    // Two years ahead of the run, so a commission is never refused as expired.
    private static readonly string Expiry = DateTime.UtcNow.AddYears(2).ToString("yyMMdd", CultureInfo.InvariantCulture);

    private readonly Lock _lock = new();
    private readonly List<(ItemId Item, Hash32 Latest)> _loose = [];
    private readonly List<(ItemId Case, Hash32 Latest)> _cases = [];
    private readonly HashSet<Hash32> _acknowledged = [];
    private readonly List<Hash32> _inOrder = [];
    private readonly Dictionary<string, int> _recordsByKind = new(StringComparer.Ordinal);
    private long _serial;
    private long _ssccReference;
    private ulong _nonce;
    private long _maxBlock;
    private int _checked;

    /// <summary>Every acknowledged record id.</summary>
    public int AcknowledgedCount
    {
        get
        {
            lock (_lock)
                return _inOrder.Count;
        }
    }

    /// <summary>The highest block height named in an acknowledgement.</summary>
    public long MaxAcknowledgedBlock
    {
        get
        {
            lock (_lock)
                return _maxBlock;
        }
    }

    /// <summary>Acknowledged records per kind, e.g. "commission 5120, pack 40, ship 12".</summary>
    public string Summary()
    {
        lock (_lock)
            return string.Join(", ", _recordsByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value}")));
    }

    /// <summary>Plans the next batch: mostly commissions of fresh serials, sometimes Packs of loose packs or Ships of cases.</summary>
    public PlannedBatch Plan(Random random, int minCommission, int maxCommission)
    {
        ArgumentNullException.ThrowIfNull(random);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var roll = random.NextDouble();
        lock (_lock)
        {
            if (roll < 0.3 && _loose.Count >= 40)
                return PlanPack(random, now);
            if (roll < 0.5 && _cases.Count >= 2)
                return PlanShip(random, now);
        }
        return PlanCommission(random, now, minCommission, maxCommission);
    }

    private PlannedBatch PlanCommission(Random random, long now, int min, int max)
    {
        var count = random.Next(min, max + 1);
        (string Serial, ulong Nonce)[] picks;
        lock (_lock)
            picks = [.. Enumerable.Range(0, count).Select(_ => ("C" + (++_serial).ToString(CultureInfo.InvariantCulture), ++_nonce))];
        var records = picks.Select(p => new LedgerRecord(maker.Address, p.Nonce, now, new CommissionPayload(Gtin, "CRASH1", Expiry, LineGln, [p.Serial])))
            .ToList();
        var batch = SignedBatch.Sign(records, maker.Key);
        return new PlannedBatch("commission", batch, () =>
        {
            foreach (var r in records)
                _loose.Add((((CommissionPayload)r.Payload).Items[0], r.Id));
        });
    }

    private PlannedBatch PlanPack(Random random, long now)
    {
        var records = new List<LedgerRecord>();
        var cases = new List<ItemId>();
        for (var n = random.Next(1, 6); n > 0 && _loose.Count >= 6; n--)
        {
            var take = random.Next(2, 7);
            var children = _loose.Take(take).ToList();
            _loose.RemoveRange(0, take);
            var sscc = ItemId.Sscc(WithCheckDigit("0030001" + (++_ssccReference).ToString("D10", CultureInfo.InvariantCulture)));
            cases.Add(sscc);
            records.Add(new LedgerRecord(maker.Address, ++_nonce, now, new PackPayload(sscc, children.Select(c => c.Item), DockGln),
                children.Select(c => c.Latest)));
        }
        var batch = SignedBatch.Sign(records, maker.Key);
        return new PlannedBatch("pack", batch, () =>
        {
            for (var i = 0; i < records.Count; i++)
                _cases.Add((cases[i], records[i].Id));
        });
    }

    private PlannedBatch PlanShip(Random random, long now)
    {
        var take = random.Next(1, Math.Min(5, _cases.Count) + 1);
        var cases = _cases.Take(take).ToList();
        _cases.RemoveRange(0, take);
        var records = cases.Select(c => new LedgerRecord(maker.Address, ++_nonce, now,
            new ShipPayload([c.Case], DockGln, wholesaler, WholesalerGln), [c.Latest])).ToList();
        // A shipped case is in transit to the wholesaler: the maker touches it no more.
        return new PlannedBatch("ship", SignedBatch.Sign(records, maker.Key), () => { });
    }

    /// <summary>Records that <paramref name="planned"/> was answered 200 with every record on the ledger in the given blocks.</summary>
    public void Acknowledge(PlannedBatch planned, long maxBlock)
    {
        ArgumentNullException.ThrowIfNull(planned);
        lock (_lock)
        {
            foreach (var r in planned.Batch.Records)
                if (_acknowledged.Add(r.Id))
                    _inOrder.Add(r.Id);
            _recordsByKind[planned.Kind] = _recordsByKind.GetValueOrDefault(planned.Kind) + planned.Batch.Records.Count;
            _maxBlock = Math.Max(_maxBlock, maxBlock);
            planned.Acknowledged();
        }
    }

    /// <summary>Every acknowledged record id, in acknowledgement order.</summary>
    public IReadOnlyList<Hash32> All()
    {
        lock (_lock)
            return [.. _inOrder];
    }

    /// <summary>The ids acknowledged since the last call (the first call: all of them).</summary>
    public IReadOnlyList<Hash32> TakeUnchecked()
    {
        lock (_lock)
        {
            var result = _inOrder.Skip(_checked).ToList();
            _checked = _inOrder.Count;
            return result;
        }
    }

    private static string WithCheckDigit(string digits) => digits + CheckDigit.Compute(digits);
}
