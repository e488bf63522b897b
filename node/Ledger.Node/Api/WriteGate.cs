namespace Ledger.Node.Api;

/// <summary>
/// At most <c>MaxConcurrentWrites</c> write requests in flight, whatever the transport: the HTTP middleware
/// (<see cref="NodeMetrics.Use"/>) and the gRPC <c>SubmitBatch</c> call both refuse with 429 + Retry-After beyond it.
/// </summary>
public sealed class WriteGate : IDisposable
{
    private readonly SemaphoreSlim _slots;

    /// <summary>Creates the gate.</summary>
    public WriteGate(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Limit = options.MaxConcurrentWrites;
        _slots = new SemaphoreSlim(Limit, Limit);
    }

    /// <summary>The number of writes allowed in flight.</summary>
    public int Limit { get; }

    /// <summary>Takes a slot without waiting; false when every slot is taken.</summary>
    public bool TryEnter() => _slots.Wait(0);

    /// <summary>Gives a slot back.</summary>
    public void Release() => _slots.Release();

    /// <summary>The 429 refusal of a write beyond the limit.</summary>
    public ApiProblemException Refusal() => new(429, ProblemTypes.Overloaded, "Too many requests",
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"more than {Limit} write requests are in flight; retry after the Retry-After delay"),
        "request", "capacity", TimeSpan.FromSeconds(1));

    /// <inheritdoc/>
    public void Dispose() => _slots.Dispose();
}
