using Ledger.Protocol.Epcis;

namespace Ledger.Engine.Epcis;

/// <summary>A stored event with the sequence number the store gave it (increasing in capture order).</summary>
/// <param name="Sequence">The store's sequence number.</param>
/// <param name="Event">The captured event.</param>
public readonly record struct EpcisStoredEvent(long Sequence, EpcisEvent Event);

/// <summary>One page of query results.</summary>
/// <param name="Items">The matching events in sequence order, at most <see cref="EpcisQuery.PerPage"/>.</param>
/// <param name="NextPageToken">
/// The token for the next page (pass it back as <c>nextPageToken</c> with the same filters), or null when no further
/// event matches.
/// </param>
public sealed record EpcisQueryPage(IReadOnlyList<EpcisStoredEvent> Items, string? NextPageToken)
{
    /// <summary>The events of <see cref="Items"/>.</summary>
    public IEnumerable<EpcisEvent> Events => Items.Select(i => i.Event);
}
