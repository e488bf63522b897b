using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.Protocol.Records;

namespace Ledger.Node.Tests.Flow;

/// <summary>The identifiers of the GS1 US pharma example (guideline §2.2.1.1) and small HTTP helpers for the flow.</summary>
internal static class FlowKit
{
    /// <summary>GTIN of the lowest saleable unit, urn:epc:id:sgtin:030001.0012345.* (check digit 5).</summary>
    public const string PackGtin = "00300010123455";

    /// <summary>GTIN of the case, urn:epc:id:sgtin:030001.1012345.* (check digit 2).</summary>
    public const string CaseGtin = "10300010123452";

    /// <summary>The pallet, urn:epc:id:sscc:030001.41234567890 (check digit 1).</summary>
    public const string PalletSscc = "403000112345678901";

    /// <summary>The lot and expiry the example commissions (ILMD A123, 2025-03-27).</summary>
    public const string Lot = "A123";

    /// <summary>The expiry as the ledger keeps it (YYMMDD).</summary>
    public const string Expiry = "250327";

    /// <summary>maker's line (SGLN 030001.111111.0) and shipping dock (030001.111121.0).</summary>
    public const string MakerLine = "0300011111116";

    /// <summary>maker's shipping dock, where the pallet is packed and shipped from.</summary>
    public const string MakerDock = "0300011111215";

    /// <summary>The wholesaler's DC (039999.345678.0), the example's ship-to location.</summary>
    public const string WholesalerDc = "0399993456780";

    /// <summary>The wholesaler's head office (039999.999999.0), the example's ship-to owning party.</summary>
    public const string WholesalerHq = "0399999999991";

    /// <summary>The pharmacy (039888.000001.0).</summary>
    public const string PharmacyGln = "0398880000013";

    public static ItemId Pack(string serial) => ItemId.Sgtin(PackGtin, serial);

    public static ItemId Case(string serial) => ItemId.Sgtin(CaseGtin, serial);

    public static ItemId Pallet => ItemId.Sscc(PalletSscc);

    /// <summary>The passport path of an item (GS1 Digital Link: /01/{gtin}/21/{serial} or /00/{sscc}).</summary>
    public static string PassportPath(ItemId item) =>
        item.Scheme == ItemScheme.Sgtin ? $"/01/{item.Key}/21/{item.Serial}" : $"/00/{item.Key}";

    /// <summary>The provenance path of an item, the identifier given as a bracketed element string.</summary>
    public static string ProvenancePath(ItemId item) =>
        "/v1/provenance?id=" + Uri.EscapeDataString(item.Scheme == ItemScheme.Sgtin ? $"(01){item.Key}(21){item.Serial}" : $"(00){item.Key}");

    /// <summary>The repository root (the folder holding Ledger.sln), found by walking up from the test assembly.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>A file of the repository by its path relative to the root.</summary>
    public static string ReadRepositoryFile(params string[] relative) =>
        File.ReadAllText(Path.Combine([RepositoryRoot, .. relative]));

    /// <summary>A document of this folder (tests/Ledger.Node.Tests/Flow/).</summary>
    public static string ReadFlowDocument(string name) => ReadRepositoryFile("tests", "Ledger.Node.Tests", "Flow", name);

    /// <summary>POST /epcis/capture; the 202 job JSON.</summary>
    public static async Task<JsonElement> CaptureAsync(HttpClient client, string document, string mediaType)
    {
        using var content = new StringContent(document, Encoding.UTF8, mediaType);
        using var response = await client.PostAsync("/epcis/capture", content);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST /epcis/capture answered {(int)response.StatusCode}: {body}");
        return Parse(body);
    }

    /// <summary>GET that must answer 200; the JSON body.</summary>
    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        var (status, json) = await GetAsync(client, path);
        if (status != HttpStatusCode.OK)
            throw new InvalidOperationException($"GET {path} answered {(int)status}: {json}");
        return json;
    }

    /// <summary>GET; the status and the JSON body (problem documents included).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Json)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body.Length == 0 ? default : Parse(body));
    }

    /// <summary>The value of a string member, null when absent or JSON null.</summary>
    public static string? Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>True when the member is absent or JSON null.</summary>
    public static bool IsAbsent(this JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null;

    private static JsonElement Parse(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds Ledger.sln");
    }
}
