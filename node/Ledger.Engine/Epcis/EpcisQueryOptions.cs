namespace Ledger.Engine.Epcis;

/// <summary>Server-side settings of the EPCIS query: page sizes and the page-token key.</summary>
public sealed record EpcisQueryOptions
{
    /// <summary>The defaults: 30 events per page, at most 1000, tokens checked with an unkeyed hash.</summary>
    public static EpcisQueryOptions Default { get; } = new();

    /// <summary>Events per page when the client gives no <c>perPage</c>. Default 30.</summary>
    public int DefaultPerPage { get; init; } = 30;

    /// <summary>The largest <c>perPage</c> accepted; larger values are rejected (rule <c>range</c>). Default 1000.</summary>
    public int MaxPerPage { get; init; } = 1000;

    /// <summary>
    /// Optional secret of the node. When set, page tokens carry an HMAC-SHA256 under this key, so a client cannot forge a
    /// token for a position it was not given; when empty, tokens carry an unkeyed SHA-256 check that detects alteration
    /// and reuse with other filters but not deliberate forgery.
    /// </summary>
    public ReadOnlyMemory<byte> TokenKey { get; init; }
}
