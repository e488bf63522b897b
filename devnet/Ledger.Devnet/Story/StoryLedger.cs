using System.Security.Cryptography;
using System.Text;
using Ledger.Protocol;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;

namespace Ledger.Devnet.Story;

/// <summary>
/// Makes the story's records and keeps the item states they lead to, with the protocol library's custody rules
/// (<see cref="InMemoryCustodyContext"/>, the code the node applies). Each record's <c>deps</c> name the latest record of
/// every item it names, as the rules demand; its nonce is derived from a name unique in the story and its time is given,
/// so the same story on the same consortium is the same records — loading it again is answered <c>duplicate</c> by the node.
/// A record the rules refuse throws before anything is sent. Not thread-safe; no I/O.
/// </summary>
public sealed class StoryLedger
{
    private readonly InMemoryCustodyContext _state = new() { CertifyAllShips = true };

    /// <summary>Knows the parties' roles, GLNs and prefixes from the consortium.</summary>
    public StoryLedger(ConsortiumDefinition consortium)
    {
        ArgumentNullException.ThrowIfNull(consortium);
        foreach (var p in consortium.Parties)
            _state.AddParty(p.Address, p.Roles, p.Glns, p.CompanyPrefixes, p.DelegatedGtins);
    }

    /// <summary>The state of an item after the records made so far, null when unknown.</summary>
    public ItemState? Get(ItemId item) => _state.Get(item);

    /// <summary>The lot-level facts after the records made so far.</summary>
    public LotFacts Lots => _state.Lots;

    /// <summary>Makes the record and applies it; returns it with its outcome (a Verify's result is in the outcome).</summary>
    /// <exception cref="StoryFailedException">The custody rules refuse it (names the record and the rule's code).</exception>
    public (LedgerRecord Record, CustodyOutcome Outcome) Write(Address author, string name, DateTimeOffset time, RecordPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var deps = payload.Kind == RecordKind.Commission
            ? []
            : payload.Items.Select(i => _state.Get(i)?.LatestRecord).OfType<Hash32>().Distinct().ToList();
        var record = new LedgerRecord(author, Nonce(name), time.ToUnixTimeMilliseconds(), payload, deps);
        var outcome = _state.Apply(record);
        if (!outcome.IsAccepted)
            throw new StoryFailedException($"story: {name}: the custody rules refuse this {record.Kind}: {outcome.ErrorCode}: {outcome.Message}");
        return (record, outcome);
    }

    /// <summary>The nonce of the record named <paramref name="name"/>: the first 63 bits of SHA-256 of "ledger-devnet/story/v1/" + name.</summary>
    public static ulong Nonce(string name)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes("ledger-devnet/story/v1/" + name));
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest) >> 1;
    }
}
