using Ledger.Engine.Lane;
using Ledger.Node.Verification;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Microsoft.AspNetCore.Http;

namespace Ledger.Node.Api;

/// <summary>
/// The integrator's hot paths without a transport: batch submission, provenance and product verification, with their
/// authorization rules. The HTTP endpoints (<see cref="LedgerEndpoints"/>, <see cref="ProductEndpoints"/>) and the gRPC
/// service (<c>LedgerGrpcService</c>) both call these methods with a <see cref="Caller"/> resolved by
/// <see cref="CallerResolver.Resolve"/>; a refusal is an <see cref="ApiProblemException"/> (or a library format exception),
/// which each transport answers in its own way from the one mapping in <c>NodeExceptionHandler.Describe</c>.
/// The follow feed's transport-free loop is <see cref="FollowFeed"/>.
/// </summary>
public static class LedgerOperations
{
    /// <summary>The refusal of an unauthenticated caller where a party is needed (401).</summary>
    public static ApiProblemException Unauthenticated() => new(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized, "Unauthorized",
        "authenticate with 'Authorization: Bearer <token>' or a signed request; unauthenticated callers may only verify a product identifier", "Authorization", "required");

    /// <summary>The refusal of a node that has not opened its ledger yet (503).</summary>
    public static ApiProblemException NotReady() => new(StatusCodes.Status503ServiceUnavailable, ProblemTypes.NotReady, "Not ready", "the ledger is not open yet", "ledger", "ready",
        TimeSpan.FromSeconds(1));

    /// <summary>Throws the 401 refusal unless a party authenticated.</summary>
    public static void RequireParty(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsAuthenticated)
            throw Unauthenticated();
    }

    /// <summary>A 403 refusal.</summary>
    public static ApiProblemException Forbidden(string detail) =>
        new(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden", detail, "Authorization", "permission");

    /// <summary>A 404 answer naming what was looked up.</summary>
    public static ApiProblemException NotFound(string field, string detail) =>
        new(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found", detail, field, "exists");

    /// <summary>A 400 refusal of the request itself.</summary>
    public static ApiProblemException BadRequest(string field, string rule, string detail) =>
        new(StatusCodes.Status400BadRequest, ProblemTypes.InvalidRequest, "Invalid request", detail, field, rule);

    /// <summary>
    /// Submits a signed batch in its canonical encoding as <paramref name="caller"/>; returns once durable. A batch the
    /// custody rules refuse is an <see cref="ApiProblemException"/> 422 (<c>code</c> and <c>outcomes</c> in its problem)
    /// carrying the <see cref="SubmitResult"/> in <see cref="BatchRefusedException.Result"/>.
    /// </summary>
    /// <exception cref="Ledger.Protocol.Rlp.RlpException">The bytes are not a canonical signed batch.</exception>
    /// <exception cref="RecordFormatException">A record or the signature is malformed.</exception>
    public static async Task<SubmitResult> SubmitBatchAsync(LedgerService ledger, Caller caller, byte[] encoded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        RequireParty(caller);
        var batch = SignedBatch.Decode(encoded);
        if (batch.Header.Author != caller.Party!.Address)
            throw Forbidden($"the batch is authored by {batch.Header.Author}; {caller.Party.Name} ({caller.Party.Address}) writes only as itself");
        var result = await ledger.Engine.SubmitAsync(batch, cancellationToken);
        if (result.Accepted)
            return result;
        var first = result.Outcomes.First(o => o.Status == OutcomeStatus.Rejected && o.Code != LedgerEngine.BatchRejectedCode);
        throw new BatchRefusedException(result, first);
    }

    /// <summary>The JSON model of a submission's answer (<c>accepted</c>, <c>block</c>, <c>outcomes</c>).</summary>
    public static object SubmissionJson(SubmitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new
        {
            accepted = result.Accepted,
            block = result.Height,
            // accepted: durable in the block; certified: the block has the quorum's cosignatures (api.md §5)
            state = SubmissionState(result),
            outcomes = result.Outcomes.Select(LedgerJson.Outcome).ToList(),
        };
    }

    /// <summary>A submission's acknowledgement state on every transport: <c>accepted</c>, <c>certified</c>, or null (in no block).</summary>
    public static string? SubmissionState(SubmitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Height is null ? null : result.Certified ? "certified" : "accepted";
    }

    /// <summary>The ledger-provenance/v2 model of an item (v3, every lane, in a consortium of several nodes: docs/spec/verifier.md §7) for <paramref name="caller"/> (an involved party or a regulator).</summary>
    /// <exception cref="Gs1FormatException">The identifier names no serialised item.</exception>
    public static object Provenance(LedgerService ledger, Caller caller, string? id)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        RequireParty(caller);
        if (string.IsNullOrWhiteSpace(id))
            throw BadRequest("id", "required", "give the identifier as ?id=… or in the path");
        var item = LedgerEndpoints.ParseItem(id);
        if (ledger.Engine.Consortium.NodeAddresses.Count > 1)
        {
            // Several nodes: the item's records are on several lanes; the answer carries every lane (ledger-provenance/v3).
            var across = ledger.Engine.GetProvenanceAcrossLanes(item);
            var all = across.ToHistory();
            if (!caller.IsRegulator && all.Records.Count > 0 && !ProductEndpoints.Involved(ledger, caller, all))
                throw Forbidden($"{caller.Party!.Name} never held, shipped, received or owns the brand of {item}; a regulator can read it");
            var own = across.Lanes.FirstOrDefault(l => l.Lane == ledger.Engine.Lane)?.Header;
            return LedgerJson.Provenance(across, ledger.Engine.Lane, Ledger.Engine.Anchoring.LaneAnchors.ForHeader(ledger.Engine, ledger.Anchors, own));
        }
        var answer = ledger.Engine.GetProvenance(item);
        if (!caller.IsRegulator && answer.Records.Count > 0 && !ProductEndpoints.Involved(ledger, caller, answer))
            throw Forbidden($"{caller.Party!.Name} never held, shipped, received or owns the brand of {item}; a regulator can read it");
        return LedgerJson.Provenance(answer, Ledger.Engine.Anchoring.LaneAnchors.ForHeader(ledger.Engine, ledger.Anchors, answer.Header));
    }

    /// <summary>
    /// Answers a GS1 LVM verification request and records the verification (anyone may ask): the UTF-8 JSON of the
    /// response. An authenticated hosted party records its own scan; anyone else's is recorded by the node.
    /// </summary>
    public static async Task<byte[]> VerifyProductAsync(LedgerService ledger, Caller caller, LvmRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        if (!request.IsVerificationRequest)
            throw BadRequest("linkType", "verificationService", "a verification needs linkType=verificationService");
        var item = ItemId.Sgtin(request.Gtin.Value, request.Serial, "21");
        var brandOwner = ledger.Consortium.BrandOwnerOf(request.Gtin.Value);
        if (brandOwner is null || brandOwner.Glns.Count == 0)
            throw NotFound("01", $"GTIN {request.Gtin.Value} is not under a company prefix of the consortium: no responder for it here");
        var key = caller.Hosted?.Key ?? ledger.Identity.Key;
        // reqGLN is recorded as the requester states it: checked against the caller's GLNs when a party authenticated,
        // taken as claimed from an anonymous requester (the record's author, the node, says who vouched for it).
        if (caller.Hosted is not null && request.RequesterGln is { } g && !caller.Party!.Glns.Contains(g.Value))
            throw BadRequest("reqGLN", "gln-not-owned", $"{g.Value} is not a location of {caller.Party.Name}");
        var location = request.RequesterGln?.Value ?? "";
        var draft = new Draft(null, view => [new LedgerRecord(key.Address, NextNonce(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            new VerifyPayload(item, request.Lot, request.Expiry?.Text, request.Context!, location, request.CorrelationId?.ToString()), view.DepsFor([item]))]);
        var result = await ledger.Engine.SubmitHostedAsync(key, [draft], rollback: true, cancellationToken);
        var outcome = result.Outcomes[0];
        if (outcome.Verification is not { } verification)
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, ProblemTypes.Overloaded, "Verification not recorded",
                outcome.Message ?? "the verification could not be recorded; retry", "request", outcome.Code ?? "retry", TimeSpan.FromSeconds(1));
        var response = LvmResponse.FromVerification(verification, DateTimeOffset.UtcNow, Gln.Parse(brandOwner.Glns[0]), request.CorrelationId!.Value);
        return response.ToUtf8Json();
    }

    private static long _nonce = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 16;

    private static ulong NextNonce() => (ulong)Interlocked.Increment(ref _nonce);
}

/// <summary>A signed batch the custody rules refused (422 custody-rejected); the problem carries <c>code</c> and <c>outcomes</c>.</summary>
public sealed class BatchRefusedException : Exception
{
    /// <summary>Creates the refusal from the submission's result and its first refused record.</summary>
    public BatchRefusedException(SubmitResult result, RecordOutcome first)
        : base(first?.Message ?? "refused")
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(first);
        Result = result;
        Problem = new ApiProblemException(StatusCodes.Status422UnprocessableEntity, ProblemTypes.CustodyRejected, "Refused by the custody rules", first.Message ?? "refused", "records", first.Code);
        Problem.Problem.Extensions["code"] = first.Code;
        Problem.Problem.Extensions["outcomes"] = result.Outcomes.Select(LedgerJson.Outcome).ToList();
    }

    /// <summary>The submission's outcomes.</summary>
    public SubmitResult Result { get; }

    /// <summary>The problem answered.</summary>
    public ApiProblemException Problem { get; }
}
