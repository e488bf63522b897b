using Ledger.Protocol.Crypto;
using Ledger.Protocol.Rlp;

namespace Ledger.Engine.Replication;

/// <summary>Why a pull request or a range answer was refused (docs/spec/cluster.md §4): the field and the rule it broke.</summary>
public sealed class PullFormatException : FormatException
{
    /// <summary>Refused at <paramref name="field"/> for breaking <paramref name="rule"/>.</summary>
    public PullFormatException(string field, string rule, string message) : base($"{field}: {message}")
    {
        Field = field;
        Rule = rule;
    }

    public PullFormatException() : this("pull", "malformed", "malformed pull message") { }

    public PullFormatException(string message) : this("pull", "malformed", message) { }

    public PullFormatException(string message, Exception innerException) : base(message, innerException)
    {
        Field = "pull";
        Rule = "malformed";
    }

    /// <summary>The field that was wrong (e.g. <c>pull.lanes[1].certified</c>).</summary>
    public string Field { get; }

    /// <summary>The rule it broke (e.g. <c>malformed</c>, <c>order</c>, <c>duplicate-lane</c>).</summary>
    public string Rule { get; }
}

/// <summary>What a requester holds of one lane: the height of its highest block, and the height up to which every block is certified.</summary>
/// <param name="Lane">The lane (a consortium node's address).</param>
/// <param name="Held">Its highest block held (0: none).</param>
/// <param name="Certified">The highest height h such that blocks 1..h all hold a quorum certificate here (0: none); at most <paramref name="Held"/>.</param>
public sealed record LaneMark(Address Lane, long Held, long Certified);

/// <summary>
/// Kind 3, a pull request (docs/spec/cluster.md §4): RLP [[[lane, held, certified], ...], max]. Encoding, decoding and the
/// shape rules are here only.
/// </summary>
/// <param name="Lanes">One mark per lane the requester asks about, no lane twice.</param>
/// <param name="MaxEntries">The most entries the requester takes in one answer (1 or more; an answerer caps it at its own bound).</param>
public sealed record PullRequest(IReadOnlyList<LaneMark> Lanes, int MaxEntries)
{
    /// <summary>Lanes beyond this many are refused (a consortium is far smaller).</summary>
    public const int MaxLanes = 1_024;

    /// <summary>RLP [[[lane, held, certified], ...], max].</summary>
    public byte[] Encode() => Rlp.Encode(RlpItem.List(
        RlpItem.List(Lanes.Select(m => (RlpItem)RlpItem.List(RlpItem.Bytes(m.Lane.ToBytes()), RlpItem.UInt((ulong)m.Held), RlpItem.UInt((ulong)m.Certified)))),
        RlpItem.UInt((ulong)MaxEntries)));

    /// <summary>Decodes and checks a pull request.</summary>
    /// <exception cref="PullFormatException">Malformed or breaking a rule; the field and the rule are named.</exception>
    public static PullRequest Decode(ReadOnlySpan<byte> bytes)
    {
        const string f = "pull";
        try
        {
            var l = Rlp.Decode(bytes).AsList(f).Expect(f, 2);
            var items = l[0].AsList(f + ".lanes").Items;
            if (items.Count > MaxLanes)
                throw new PullFormatException(f + ".lanes", "count", $"{items.Count} lanes, at most {MaxLanes} are accepted");
            var marks = new List<LaneMark>(items.Count);
            var seen = new HashSet<Address>();
            for (var i = 0; i < items.Count; i++)
            {
                var at = $"{f}.lanes[{i}]";
                var m = items[i].AsList(at).Expect(at, 3);
                var lane = new Address(m[0].AsString(at + ".lane").ToFixed(at + ".lane", 20));
                var held = Height(m[1], at + ".held");
                var certified = Height(m[2], at + ".certified");
                if (certified > held)
                    throw new PullFormatException(at + ".certified", "order", $"certified {certified} is above held {held}");
                if (!seen.Add(lane))
                    throw new PullFormatException(at + ".lane", "duplicate-lane", $"lane {lane} is asked about twice");
                marks.Add(new LaneMark(lane, held, certified));
            }
            var max = l[1].AsString(f + ".max").ToUInt64(f + ".max");
            if (max is 0 or > int.MaxValue)
                throw new PullFormatException(f + ".max", "range", $"max {max}: a request takes 1 to {int.MaxValue} entries");
            return new PullRequest(marks, (int)max);
        }
        catch (RlpException e)
        {
            throw new PullFormatException(e.Field, "malformed", e.Message);
        }
    }

    private static long Height(RlpItem item, string field)
    {
        var v = item.AsString(field).ToUInt64(field);
        return v > long.MaxValue ? throw new PullFormatException(field, "range", $"height {v} is beyond {long.MaxValue}") : (long)v;
    }
}

/// <summary>One entry of a range answer: a block with the best certificate the answerer holds for it, or a certificate alone (of a block the requester holds).</summary>
/// <param name="Block">The block's encoding (records.md §5), or empty.</param>
/// <param name="Certificate">The certificate's encoding (records.md §6), or empty.</param>
public sealed record RangeEntry(byte[] Block, byte[] Certificate);

/// <summary>
/// Kind 4, a range answer (docs/spec/cluster.md §4): RLP [[[block, certificate], ...], more]. Encoding and decoding are here
/// only; the entries' bytes are decoded and checked by the engine when they are applied, never trusted for who sent them.
/// </summary>
/// <param name="Entries">In the order they are to be applied.</param>
/// <param name="More">True when the answerer stopped at a bound and holds more for the request.</param>
public sealed record RangeAnswer(IReadOnlyList<RangeEntry> Entries, bool More)
{
    /// <summary>RLP [[[block, certificate], ...], more].</summary>
    public byte[] Encode() => Rlp.Encode(RlpItem.List(
        RlpItem.List(Entries.Select(e => (RlpItem)RlpItem.List(RlpItem.BytesNoCopy(e.Block), RlpItem.BytesNoCopy(e.Certificate)))),
        RlpItem.UInt(More ? 1UL : 0UL)));

    /// <summary>The length of one entry in an answer's encoding (for the byte bound).</summary>
    public static int EncodedLength(RangeEntry entry) =>
        Rlp.EncodedLength(RlpItem.List(RlpItem.BytesNoCopy(entry.Block), RlpItem.BytesNoCopy(entry.Certificate)));

    /// <summary>Decodes a range answer (shape only).</summary>
    /// <exception cref="PullFormatException">Malformed; the field and the rule are named.</exception>
    public static RangeAnswer Decode(ReadOnlySpan<byte> bytes)
    {
        const string f = "range";
        try
        {
            var l = Rlp.Decode(bytes).AsList(f).Expect(f, 2);
            var items = l[0].AsList(f + ".entries").Items;
            var entries = new List<RangeEntry>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                var at = $"{f}.entries[{i}]";
                var e = items[i].AsList(at).Expect(at, 2);
                var block = e[0].AsString(at + ".block").Value.ToArray();
                var certificate = e[1].AsString(at + ".certificate").Value.ToArray();
                if (block.Length == 0 && certificate.Length == 0)
                    throw new PullFormatException(at, "empty", "an entry carries a block, a certificate or both");
                entries.Add(new RangeEntry(block, certificate));
            }
            var more = l[1].AsString(f + ".more").ToUInt64(f + ".more");
            if (more > 1)
                throw new PullFormatException(f + ".more", "range", $"more is 0 or 1, not {more}");
            return new RangeAnswer(entries, more == 1);
        }
        catch (RlpException e)
        {
            throw new PullFormatException(e.Field, "malformed", e.Message);
        }
    }
}
