using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;

namespace Ledger.Engine.Anchoring;

/// <summary>Where an anchor transaction stands.</summary>
public enum AnchorStatus
{
    /// <summary>Decided (recorded before sending), sent, or mined but not yet at the confirmation depth.</summary>
    Pending,

    /// <summary>Mined in a block that is at least the confirmation depth deep (and still on the chain when last checked).</summary>
    Confirmed,

    /// <summary>The transaction failed or will never be mined; the size may be anchored again by a later, larger anchor.</summary>
    Dropped,
}

/// <summary>
/// One anchor of a lane: the lane log at <see cref="Size"/> with root <see cref="Root"/>, taken from the signed header at
/// <see cref="HeaderHeight"/>, posted to the Anchor contract <see cref="Contract"/> on chain <see cref="ChainId"/>.
/// </summary>
/// <param name="Sequence">Position in the store (1-based, order of first record); 0 before it is stored.</param>
/// <param name="Lane">The lane (the node address that signs its headers and sends the transaction).</param>
/// <param name="Size">The anchored log size (the header's LogSize).</param>
/// <param name="Root">The anchored log root (the header's LogRoot).</param>
/// <param name="HeaderHeight">The height of the header the anchor was taken from.</param>
/// <param name="HeaderHash">That header's hash.</param>
/// <param name="ChainId">The EVM chain id.</param>
/// <param name="Contract">The Anchor contract.</param>
/// <param name="TransactionHash">The transaction, once signed (null while only decided).</param>
/// <param name="TransactionNonce">Its account nonce, once signed.</param>
/// <param name="RawTransaction">Its signed bytes (kept so a dropped transaction is re-broadcast unchanged, never re-signed).</param>
/// <param name="Status">Pending, confirmed or dropped.</param>
/// <param name="BlockNumber">The block that holds it, once mined.</param>
/// <param name="BlockHash">That block's hash (a changed hash at that number means a reorg).</param>
/// <param name="Confirmations">Blocks from its block to the chain head, inclusive, when last checked.</param>
/// <param name="UpdatedMs">When this state was recorded (Unix ms).</param>
public sealed record AnchorRecord(
    long Sequence,
    Address Lane,
    long Size,
    Hash32 Root,
    long HeaderHeight,
    Hash32 HeaderHash,
    ulong ChainId,
    Address Contract,
    Hash32? TransactionHash,
    ulong? TransactionNonce,
    byte[]? RawTransaction,
    AnchorStatus Status,
    ulong? BlockNumber,
    Hash32? BlockHash,
    ulong Confirmations,
    long UpdatedMs);

/// <summary>
/// Every anchor the node submitted or saw, durable: an append-only file of JSON lines, one line per state change of an
/// anchor (the last line for a (chain, contract, lane, size) wins), each appended and fsynced before the call returns.
/// A torn last line (a crash in the middle of an append) is ignored on open and cut off so the next append starts clean.
/// Thread-safe.
/// </summary>
public sealed class AnchorStore : IDisposable
{
    /// <summary>The file name inside the node's <c>evm</c> folder.</summary>
    public const string FileName = "anchors.jsonl";

    private readonly Lock _lock = new();
    private readonly FileStream _file;
    private readonly List<AnchorRecord> _records = [];
    private readonly Dictionary<(ulong, Address, Address, long), int> _index = [];

    private AnchorStore(FileStream file) => _file = file;

    /// <summary>The file.</summary>
    public string Path => _file.Name;

    /// <summary>Lines ignored on open because they were torn or unreadable (at most the last one in practice).</summary>
    public int IgnoredLines { get; private set; }

    /// <summary>Opens (creating) the store at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static AnchorStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var store = new AnchorStore(file);
        try
        {
            store.Load();
        }
        catch
        {
            file.Dispose();
            throw;
        }
        return store;
    }

    private void Load()
    {
        var bytes = new byte[_file.Length];
        _file.Position = 0;
        _file.ReadExactly(bytes);
        var start = 0;
        while (start < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
            {
                // Torn: the append never finished (no newline). Cut it off so the next append starts on a clean line.
                IgnoredLines++;
                _file.SetLength(start);
                break;
            }
            if (TryDecode(bytes.AsSpan(start, end - start), out var r))
                Apply(r!);
            else
                IgnoredLines++;
            start = end + 1;
        }
        _file.Position = _file.Length;
    }

    private void Apply(AnchorRecord r)
    {
        var key = (r.ChainId, r.Contract, r.Lane, r.Size);
        if (_index.TryGetValue(key, out var i))
            _records[i] = r with { Sequence = i + 1 };
        else
        {
            _index[key] = _records.Count;
            _records.Add(r with { Sequence = _records.Count + 1 });
        }
    }

    /// <summary>Records the anchor's new state (insert or replace), durably; returns it with its sequence.</summary>
    public AnchorRecord Put(AnchorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            var line = Encode(record);
            _file.Write(line);
            _file.Flush(flushToDisk: true);
            Apply(record);
            return _records[_index[(record.ChainId, record.Contract, record.Lane, record.Size)]];
        }
    }

    /// <summary>Anchors in store order after sequence <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<AnchorRecord> List(long after = 0, int limit = 100)
    {
        lock (_lock)
            return [.. _records.Skip((int)Math.Clamp(after, 0, _records.Count)).Take(Math.Max(0, limit))];
    }

    /// <summary>Every anchor of <paramref name="lane"/> on one chain and contract, in store order.</summary>
    public IReadOnlyList<AnchorRecord> ForLane(ulong chainId, Address contract, Address lane)
    {
        lock (_lock)
            return [.. _records.Where(r => r.ChainId == chainId && r.Contract == contract && r.Lane == lane)];
    }

    /// <summary>The anchor of that lane and size, or null.</summary>
    public AnchorRecord? Find(ulong chainId, Address contract, Address lane, long size)
    {
        lock (_lock)
            return _index.TryGetValue((chainId, contract, lane, size), out var i) ? _records[i] : null;
    }

    /// <summary>The confirmed anchor of <paramref name="lane"/> with the largest size not above <paramref name="maxSize"/> (any chain), or null.</summary>
    public AnchorRecord? LatestConfirmed(Address lane, long maxSize)
    {
        lock (_lock)
            return _records.Where(r => r.Lane == lane && r.Status == AnchorStatus.Confirmed && r.Size <= maxSize)
                .OrderByDescending(r => r.Size).FirstOrDefault();
    }

    /// <summary>Number of anchors stored.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _records.Count;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _file.Dispose();

    /// <summary>The line written for <paramref name="r"/> (JSON, newline-terminated).</summary>
    public static byte[] Encode(AnchorRecord r)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("lane", r.Lane.ToString());
            json.WriteNumber("size", r.Size);
            json.WriteString("root", r.Root.ToString());
            json.WriteNumber("headerHeight", r.HeaderHeight);
            json.WriteString("headerHash", r.HeaderHash.ToString());
            json.WriteString("chainId", r.ChainId.ToString(CultureInfo.InvariantCulture));
            json.WriteString("contract", r.Contract.ToString());
            json.WriteString("txHash", r.TransactionHash?.ToString());
            json.WriteString("txNonce", r.TransactionNonce?.ToString(CultureInfo.InvariantCulture));
            json.WriteString("raw", r.RawTransaction is null ? null : Hex.Encode0x(r.RawTransaction));
            json.WriteString("status", StatusName(r.Status));
            json.WriteString("blockNumber", r.BlockNumber?.ToString(CultureInfo.InvariantCulture));
            json.WriteString("blockHash", r.BlockHash?.ToString());
            json.WriteString("confirmations", r.Confirmations.ToString(CultureInfo.InvariantCulture));
            json.WriteNumber("updatedMs", r.UpdatedMs);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>The status as written in files and JSON: pending, confirmed, dropped.</summary>
    public static string StatusName(AnchorStatus status) => status switch
    {
        AnchorStatus.Pending => "pending",
        AnchorStatus.Confirmed => "confirmed",
        _ => "dropped",
    };

    internal static bool TryDecode(ReadOnlySpan<byte> line, out AnchorRecord? record)
    {
        record = null;
        try
        {
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(line));
            var o = doc.RootElement;
            string? S(string name) => o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            ulong? U(string name) => S(name) is { } s ? ulong.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture) : null;
            if (!Address.TryParse(S("lane"), out var lane) || !Address.TryParse(S("contract"), out var contract)
                || !Hash32.TryParse(S("root"), out var root) || !Hash32.TryParse(S("headerHash"), out var headerHash))
                return false;
            Hash32? tx = Hash32.TryParse(S("txHash"), out var t) ? t : null;
            Hash32? blockHash = Hash32.TryParse(S("blockHash"), out var bh) ? bh : null;
            var status = S("status") switch
            {
                "pending" => AnchorStatus.Pending,
                "confirmed" => AnchorStatus.Confirmed,
                "dropped" => AnchorStatus.Dropped,
                _ => (AnchorStatus?)null,
            };
            if (status is null)
                return false;
            record = new AnchorRecord(0, lane, o.GetProperty("size").GetInt64(), root, o.GetProperty("headerHeight").GetInt64(), headerHash,
                U("chainId") ?? 0, contract, tx, U("txNonce"), S("raw") is { } raw ? Hex.Decode(raw) : null, status.Value,
                U("blockNumber"), blockHash, U("confirmations") ?? 0, o.GetProperty("updatedMs").GetInt64());
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or OverflowException or ArgumentException)
        {
            return false;
        }
    }
}
