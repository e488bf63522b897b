using Ledger.Engine.Lane;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;

namespace Ledger.Engine.Replication;

/// <summary>The bounds of a range answer (docs/spec/cluster.md §4).</summary>
public sealed record RangePullOptions
{
    /// <summary>The most entries in one answer (a request asking for more gets this many).</summary>
    public int MaxEntries { get; init; } = 256;

    /// <summary>The most bytes of entries in one answer; one entry larger than this is still sent, alone.</summary>
    public int MaxBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Heights above a requester's certified mark looked at per lane for certificates it lacks.</summary>
    public int CertificateWindow { get; init; } = 1_024;
}

/// <summary>What applying one range answer did.</summary>
/// <param name="Blocks">Blocks in the answer.</param>
/// <param name="Applied">Blocks the engine applied (held blocks they released are not counted).</param>
/// <param name="Held">Blocks the engine holds for a dependency.</param>
/// <param name="Duplicates">Blocks the engine held already.</param>
/// <param name="Rejected">Blocks or certificates refused (malformed, a bad signature, any engine refusal).</param>
/// <param name="CertificatesAdded">Certificates that added at least one cosignature.</param>
/// <param name="More">The answerer said it holds more for the same request.</param>
public sealed record PullOutcome(int Blocks, int Applied, int Held, int Duplicates, int Rejected, int CertificatesAdded, bool More)
{
    /// <summary>The answer changed the engine (a block applied or a cosignature added): asking again may give more.</summary>
    public bool Progress => Applied > 0 || CertificatesAdded > 0;
}

/// <summary>
/// Pull of missing ranges, the engine's side (docs/spec/cluster.md §4), without I/O: builds a pull request from what the
/// engine holds, answers a peer's request from the store, and applies an answer in order through the one way in
/// (<see cref="LedgerEngine.ApplyBlockAsync"/>, <see cref="LedgerEngine.AddCertificateAsync"/>): nothing in an answer is
/// trusted because of who sent it.
/// </summary>
public sealed class RangePull
{
    private readonly LedgerEngine _engine;
    private readonly RangePullOptions _options;
    private readonly Dictionary<Address, long> _certified = [];

    /// <summary>Pulls for, and answers from, <paramref name="engine"/>.</summary>
    public RangePull(LedgerEngine engine, RangePullOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _options = options ?? new RangePullOptions();
    }

    /// <summary>A request naming every lane of the consortium with what this node holds of it.</summary>
    public PullRequest BuildRequest()
    {
        var marks = _engine.Consortium.NodeAddresses.Order().Select(lane =>
        {
            var held = _engine.HeadOf(lane).Height;
            return new LaneMark(lane, held, CertifiedPrefix(lane, held));
        }).ToList();
        return new PullRequest(marks, _options.MaxEntries);
    }

    /// <summary>The highest h such that blocks 1..h of <paramref name="lane"/> are all certified here (cached: certificates are never removed).</summary>
    private long CertifiedPrefix(Address lane, long held)
    {
        long c;
        lock (_certified)
            c = _certified.GetValueOrDefault(lane);
        while (c < held && _engine.IsCertified(lane, c + 1))
            c++;
        lock (_certified)
            _certified[lane] = Math.Max(c, _certified.GetValueOrDefault(lane));
        return c;
    }

    /// <summary>
    /// The answer to <paramref name="requester"/>'s request, from the store: the certificates (the cosignatures held here,
    /// certified or not) of blocks it holds uncertified, up to half the entries; then the blocks it lacks of every other
    /// lane, one height of each lane in turn, each with the certificate held here; then more certificates if room is left.
    /// Bounded by entries and bytes.
    /// </summary>
    /// <exception cref="PullFormatException">A lane that is not a consortium node's (<c>unknown-lane</c>).</exception>
    public RangeAnswer Answer(Address requester, PullRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var i = 0; i < request.Lanes.Count; i++)
            if (!_engine.Consortium.NodeAddresses.Contains(request.Lanes[i].Lane))
                throw new PullFormatException($"pull.lanes[{i}].lane", "unknown-lane", $"{request.Lanes[i].Lane} is not a node of the consortium");
        var max = Math.Min(request.MaxEntries, _options.MaxEntries);
        var answer = new Bounded(max, _options.MaxBytes);
        var heads = request.Lanes.Select(m => _engine.HeadOf(m.Lane).Height).ToArray();
        using var certificates = CertificateEntries(requester, request, heads).GetEnumerator();
        using var blocks = BlockEntries(requester, request, heads).GetEnumerator();
        var certificate = certificates.MoveNext();
        for (var taken = 0; certificate && taken < max / 2; taken++)
        {
            if (!answer.TryAdd(certificates.Current))
                return answer.Result(more: true);
            certificate = certificates.MoveNext();
        }
        for (var block = blocks.MoveNext(); block; block = blocks.MoveNext())
            if (!answer.TryAdd(blocks.Current))
                return answer.Result(more: true);
        for (; certificate; certificate = certificates.MoveNext())
            if (!answer.TryAdd(certificates.Current))
                return answer.Result(more: true);
        return answer.Result(more: false);
    }

    /// <summary>
    /// Every cosignature held here of blocks the requester holds uncertified, certified or not: when pushes are lost,
    /// three nodes holding two of three cosignatures each certify only once they pass them on.
    /// </summary>
    private IEnumerable<RangeEntry> CertificateEntries(Address requester, PullRequest request, long[] heads)
    {
        for (var i = 0; i < request.Lanes.Count; i++)
        {
            var m = request.Lanes[i];
            var top = Math.Min(Math.Min(m.Held, heads[i]), m.Certified + _options.CertificateWindow);
            for (var h = m.Certified + 1; h <= top; h++)
                if (_engine.GetLaneBlock(m.Lane, h).Certificate is { } c && c.Cosignatures.Any(x => x.Node != requester))
                    yield return new RangeEntry([], c.Encode());
        }
    }

    /// <summary>The blocks the requester lacks, one height of each lane in turn; never of its own lane (only its node writes it).</summary>
    private IEnumerable<RangeEntry> BlockEntries(Address requester, PullRequest request, long[] heads)
    {
        var next = request.Lanes.Select(m => m.Lane == requester ? long.MaxValue : m.Held + 1).ToArray();
        for (var any = true; any;)
        {
            any = false;
            for (var i = 0; i < request.Lanes.Count; i++)
            {
                if (next[i] > heads[i])
                    continue;
                var lane = request.Lanes[i].Lane;
                if (_engine.GetBlock(lane, next[i]) is not { } block)
                {
                    next[i] = long.MaxValue; // not readable here (cannot happen below the head): this lane is done
                    continue;
                }
                yield return new RangeEntry(block.Encode(), _engine.GetLaneBlock(lane, next[i]).Certificate?.Encode() ?? []);
                next[i]++;
                any = true;
            }
        }
    }

    /// <summary>Applies an answer to <paramref name="request"/> in order: each block, then its certificate, through the engine.</summary>
    /// <exception cref="PullFormatException">The answer has more entries than the request asked for (nothing applied).</exception>
    /// <exception cref="LaneFailedException">The engine stopped; what was applied before stays.</exception>
    public async Task<PullOutcome> ApplyAsync(PullRequest request, RangeAnswer answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Entries.Count > request.MaxEntries)
            throw new PullFormatException("range.entries", "count", $"{answer.Entries.Count} entries, the request asked for at most {request.MaxEntries}");
        int blocks = 0, applied = 0, held = 0, duplicates = 0, rejected = 0, certificates = 0;
        foreach (var entry in answer.Entries)
        {
            if (entry.Block.Length > 0)
            {
                blocks++;
                var r = Decode(entry.Block, b => Block.Decode(b)) is { } block
                    ? await _engine.ApplyBlockAsync(block, cancellationToken).ConfigureAwait(false)
                    : null;
                switch (r?.Status)
                {
                    case ApplyStatus.Applied: applied++; break;
                    case ApplyStatus.Held: held++; break;
                    case ApplyStatus.Duplicate: duplicates++; break;
                    default: rejected++; break;
                }
            }
            if (entry.Certificate.Length > 0)
            {
                var r = Decode(entry.Certificate, b => Certificate.Decode(b)) is { } certificate
                    ? await _engine.AddCertificateAsync(certificate, cancellationToken).ConfigureAwait(false)
                    : null;
                if (r is null || r.Status == ApplyStatus.Rejected)
                    rejected++;
                else if (r.Status == ApplyStatus.Applied)
                    certificates++;
            }
        }
        return new PullOutcome(blocks, applied, held, duplicates, rejected, certificates, answer.More);
    }

    private static T? Decode<T>(byte[] bytes, Func<byte[], T> decode) where T : class
    {
        try
        {
            return decode(bytes);
        }
        catch (Exception e) when (e is RlpException or RecordFormatException)
        {
            return null;
        }
    }

    /// <summary>Entries so far, within the count and byte bounds.</summary>
    private sealed class Bounded(int maxEntries, int maxBytes)
    {
        private readonly List<RangeEntry> _entries = [];
        private long _bytes;

        public bool TryAdd(RangeEntry entry)
        {
            var length = RangeAnswer.EncodedLength(entry);
            if (_entries.Count >= maxEntries || (_entries.Count > 0 && _bytes + length > maxBytes))
                return false;
            _entries.Add(entry);
            _bytes += length;
            return true;
        }

        public RangeAnswer Result(bool more) => new(_entries, more);
    }
}
