using System.Globalization;
using System.Text.Json;
using Ledger.Protocol;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Ledger.Sdk.Provenance;

namespace Ledger.Sdk.Client;

public sealed partial class LedgerClient
{
    /// <summary>
    /// The node's provenance JSON (<c>ledger-provenance/v2</c>, or <c>v3</c> across lanes, GET /v1/provenance) for an identifier, unchanged, so it can be
    /// stored and verified offline. See <see cref="ItemIdentifier.Parse"/> for the accepted forms.
    /// </summary>
    /// <exception cref="Gs1FormatException">The identifier is malformed or names no serialised item (checked before sending).</exception>
    /// <exception cref="LedgerRequestException">The node refused (e.g. 403 for a party not involved with the item).</exception>
    public async Task<string> GetProvenanceJsonAsync(string identifier, CancellationToken cancellationToken = default)
    {
        var item = ItemIdentifier.Parse(identifier);
        if (_options.Transport == LedgerTransport.Grpc)
            return await GetProvenanceGrpcAsync(ItemIdentifier.ToElementString(item), cancellationToken).ConfigureAwait(false);
        var (_, text) = await SendAsync(HttpMethod.Get, "/v1/provenance?id=" + Uri.EscapeDataString(ItemIdentifier.ToElementString(item)), null, null,
            retry: true, null, allowNotFound: false, cancellationToken).ConfigureAwait(false);
        return text!;
    }

    /// <summary>
    /// An item's provenance (GET /v1/provenance) typed: state, children, every record with its seal and inclusion proof,
    /// the signed header and state proof, alerts. Check it offline with <c>Ledger.Sdk.Verification</c>; to keep the exact
    /// bytes the node sent, use <see cref="GetProvenanceJsonAsync"/> and <see cref="ProvenanceDocument.Parse"/>.
    /// </summary>
    /// <exception cref="Gs1FormatException">The identifier is malformed or names no serialised item.</exception>
    /// <exception cref="LedgerRequestException">The node refused (e.g. 403 for a party not involved with the item).</exception>
    /// <exception cref="ProvenanceFormatException">The node's answer is not a well-formed ledger-provenance/v2 or v3 document.</exception>
    public async Task<ProvenanceDocument> GetProvenanceAsync(string identifier, CancellationToken cancellationToken = default) =>
        ProvenanceDocument.Parse(await GetProvenanceJsonAsync(identifier, cancellationToken).ConfigureAwait(false));

    /// <summary>The same for an item given as GTIN-14 and serial.</summary>
    public Task<ProvenanceDocument> GetProvenanceAsync(string gtin, string serial, CancellationToken cancellationToken = default) =>
        GetProvenanceAsync(ItemIdentifier.ToElementString(ItemId.Sgtin(gtin, serial, "identifier")), cancellationToken);

    /// <summary>The latest record id of an item (provenance <c>state.latestRecord</c>), or null when the ledger does not know it.</summary>
    public async Task<Hash32?> GetLatestRecordAsync(ItemId item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        using var doc = JsonDocument.Parse(await GetProvenanceJsonAsync(ItemIdentifier.ToElementString(item), cancellationToken).ConfigureAwait(false));
        return doc!.RootElement.TryGetProperty("state", out var s) && s.ValueKind == JsonValueKind.Object && NullableString(s, "latestRecord") is { } latest
            ? Hash32.Parse(latest)
            : null;
    }

    /// <summary>
    /// Verifies a product identifier the GS1 Lightweight Verification Messaging way
    /// (GET /01/{gtin}/21/{serial}?linkType=verificationService&amp;context=…&amp;reqGLN=…&amp;corrUUID=…). The node records the
    /// verification. A lot (AI 10) or expiry (AI 17) in <paramref name="identifier"/> is sent along and checked too.
    /// </summary>
    /// <param name="identifier">Any GS1 form naming a GTIN and serial.</param>
    /// <param name="context">The LVM context, e.g. <c>dscsaSaleableReturn</c>.</param>
    /// <param name="requestorGln">The requesting party's GLN (<c>reqGLN</c>).</param>
    /// <param name="correlationId">The correlation UUID; a new one when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="Gs1FormatException">The identifier is malformed or not a GTIN + serial.</exception>
    public async Task<ProductVerification> VerifyProductAsync(string identifier, string context, string requestorGln, Guid? correlationId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestorGln);
        var parsed = ItemIdentifier.ParseGs1(identifier);
        var item = ItemIdentifier.FromGs1(parsed);
        if (item.Gtin is null)
            throw new Gs1FormatException("identifier", "sgtin", "verification needs a GTIN with a serial (AI 01 + 21), not an SSCC");
        var path = "/01/" + item.Gtin + "/21/" + Uri.EscapeDataString(item.Serial);
        if (parsed.Lot is { } lot)
            path += "/10/" + Uri.EscapeDataString(lot);
        var corr = (correlationId ?? Guid.NewGuid()).ToString("D", CultureInfo.InvariantCulture);
        var query = "?linkType=verificationService&context=" + Uri.EscapeDataString(context) + "&reqGLN=" + Uri.EscapeDataString(requestorGln)
            + "&corrUUID=" + corr;
        if (parsed.Value("17") is { } exp)
            query += "&exp=" + exp;
        using var doc = _options.Transport == LedgerTransport.Grpc
            ? JsonDocument.Parse(await VerifyProductGrpcAsync(item.Gtin, item.Serial, parsed.Lot, parsed.Value("17"), context, requestorGln, corr, cancellationToken).ConfigureAwait(false))
            : await SendJsonAsync(HttpMethod.Get, path + query, null, null, retry: true, null, cancellationToken).ConfigureAwait(false);
        var r = doc!.RootElement;
        var data = r.GetProperty("data");
        string? info = data.TryGetProperty("additionalInfo", out var ai)
            ? ai.ValueKind == JsonValueKind.String ? ai.GetString() : ai.GetRawText()
            : null;
        return new ProductVerification(DateTimeOffset.Parse(r.GetProperty("verificationTimestamp").GetString()!, CultureInfo.InvariantCulture),
            NullableString(r, "responderGLN"), data.GetProperty("verified").GetBoolean(), NullableString(data, "verificationFailureReason"), info,
            NullableString(r, "corrUUID"));
    }
}

/// <summary>Turns the identifier forms people and scanners produce into the item they name.</summary>
public static class ItemIdentifier
{
    /// <summary>
    /// Parses scan data (with or without FNC1/GS separators and symbology identifier), a GS1 Digital Link URI, an EPC URN
    /// (sgtin/sscc), an element string (bracketed or not), a bare 18-digit SSCC, or "GTIN serial" (space separated)
    /// into a serialised item.
    /// </summary>
    /// <exception cref="Gs1FormatException">Malformed, or names no serialised item (field <c>identifier</c>).</exception>
    public static ItemId Parse(string identifier)
    {
        if (string.IsNullOrWhiteSpace(identifier))
            throw new Gs1FormatException("identifier", "required", "give an identifier: scan data, a Digital Link, an EPC URN, GTIN + serial or an SSCC");
        var text = identifier.Trim();
        if (text.Length == 18 && text.All(char.IsAsciiDigit))
            return ItemId.Sscc(text, "identifier");
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2 && parts[0].Length == 14 && parts[0].All(char.IsAsciiDigit))
            return ItemId.Sgtin(parts[0], parts[1], "identifier");
        return FromGs1(ParseGs1(text));
    }

    /// <summary>The item as a bracketed element string, the form sent to the node: <c>(01)…(21)…</c> or <c>(00)…</c>.</summary>
    public static string ToElementString(ItemId item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Gtin is { } gtin ? "(01)" + gtin + "(21)" + item.Serial : "(00)" + item.Key;
    }

    internal static Gs1Identifier ParseGs1(string identifier)
    {
        if (string.IsNullOrWhiteSpace(identifier))
            throw new Gs1FormatException("identifier", "required", "give an identifier");
        var text = identifier.Trim();
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2 && parts[0].Length == 14 && parts[0].All(char.IsAsciiDigit))
            text = "(01)" + parts[0] + "(21)" + parts[1];
        return Gs1Identifier.Parse(text);
    }

    internal static ItemId FromGs1(Gs1Identifier id)
    {
        if (id.Value("00") is { } sscc)
            return ItemId.Sscc(sscc, "identifier");
        if (id.Value("01") is { } gtin && id.Serial is { } serial)
            return ItemId.Sgtin(gtin, serial, "identifier");
        throw new Gs1FormatException("identifier", "serialised", "names no serialised item: give a GTIN with a serial (AI 01 + 21) or an SSCC (AI 00)");
    }
}
