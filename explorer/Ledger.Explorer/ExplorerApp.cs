using System.IO.Compression;
using System.Text;
using Ledger.Explorer.Pages;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Ledger.Sdk.Client;
using Ledger.Sdk.Verification;

namespace Ledger.Explorer;

/// <summary>Builds the explorer's web application: the gateway over the SDK and the server-rendered pages.</summary>
public static class ExplorerApp
{
    /// <summary>The line printed once listening, followed by the address.</summary>
    public const string ListeningPrefix = "explorer listening on ";

    /// <summary>Builds the application for <paramref name="options"/>.</summary>
    public static WebApplication Build(ExplorerOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var texts = options.TextsPath is { } tp ? Texts.Load(tp) : Texts.English;
        builder.Services.AddSingleton(texts);
        builder.Services.AddSingleton(new NodeGateway(options, time));
        var app = builder.Build();
        Map(app);
        return app;
    }

    private static void Map(WebApplication app)
    {
        var css = ReadCss();
        app.MapGet("/site.css", () => Results.Text(css, "text/css; charset=utf-8"));
        app.MapGet("/", OverviewPage.RenderAsync);
        app.MapGet("/search", Search);
        app.MapGet("/01/{gtin}/21/{serial}", DigitalLink);
        app.MapGet("/01/{gtin}/10/{lot}/21/{serial}", DigitalLink);
        app.MapGet("/00/{sscc}", (string sscc, Texts t, NodeGateway g, CancellationToken ct) => PassportFor(t, g, () => ItemIdentifier.Parse("(00)" + sscc), ct));
        app.MapGet("/evidence/01/{gtin}/21/{serial}", (string gtin, string serial, NodeGateway g, Texts t, CancellationToken ct) => Evidence(t, g, gtin, serial, ct));
        app.MapGet("/print/01/{gtin}/21/{serial}", (string gtin, string serial, NodeGateway g, Texts t, CancellationToken ct) => Print(t, g, gtin, serial, ct));
        app.MapGet("/lot/{gtin}/{lot}", LotPage.RenderAsync);
        app.MapGet("/evidence/lot/{gtin}/{lot}", LotEvidence);
        app.MapGet("/party/{address}", OtherPages.PartyAsync);
        app.MapGet("/location/{gln}", OtherPages.LocationAsync);
        app.MapGet("/block/{lane}/{height:long}", OtherPages.BlockAsync);
        app.MapGet("/record/{id}", OtherPages.RecordAsync);
        app.MapGet("/alerts", OtherPages.AlertsAsync);
    }

    private static string ReadCss()
    {
        using var s = typeof(ExplorerApp).Assembly.GetManifestResourceStream("Ledger.Explorer.Assets.site.css")!;
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>
    /// One search box for every identifier form. A serialised item opens its passport; a GTIN with a lot the lot view; a
    /// GLN its location; a party address its party; otherwise the protocol library's field and rule are shown.
    /// </summary>
    internal static async Task<IResult> Search(string? q, Texts t, NodeGateway g, CancellationToken ct)
    {
        var text = q?.Trim() ?? "";
        if (text.Length == 0)
            return Layout.Page(t, t["search.title"], Layout.Problem(t, "identifier", "required", t["search.required"]), 400, q);
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && text.Length == 42)
            return Results.Redirect("/party/" + text);
        if (text.Length == 13 && text.All(char.IsAsciiDigit))
        {
            try
            {
                return Results.Redirect("/location/" + Gln.Parse(text).Value);
            }
            catch (Gs1FormatException e)
            {
                return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Detail), 400, q);
            }
        }
        try
        {
            var item = ItemIdentifier.Parse(text);
            return Results.Redirect(PassportPage.Path(item));
        }
        catch (Gs1FormatException e) when (e.Rule == "serialised")
        {
            // Not a pack or logistic unit: a lot, a location, or a product.
            var id = Gs1Identifier.Parse(text.Contains(' ', StringComparison.Ordinal) ? text.Replace(" ", "", StringComparison.Ordinal) : text);
            if (id.Gtin is { } gtin && id.Lot is { } lot)
                return Results.Redirect($"/lot/{gtin.Value}/{Html.Url(lot)}");
            if (id.Gln is { } gln)
                return Results.Redirect("/location/" + gln.Value);
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Detail), 400, q);
        }
        catch (Gs1FormatException e) when (e.Field == "input" && e.Rule == "syntax")
        {
            // Free text: a lot number the blocks read so far name.
            var (records, _) = await g.IndexAsync(ct).ConfigureAwait(false);
            var lots = records.Select(r => r.Record.Payload).OfType<CommissionPayload>().Where(c => c.Lot == text).Select(c => c.Gtin).Distinct().ToList();
            if (lots.Count == 1)
                return Results.Redirect($"/lot/{lots[0]}/{Html.Url(text)}");
            if (lots.Count > 1)
                return Layout.Page(t, t["search.title"], Html.Of($"<ul>{lots.Select(x => Html.Of($"<li><a href=\"/lot/{x}/{Html.Url(text)}\">{x} {text}</a></li>"))}</ul>"), 200, q);
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Detail), 400, q);
        }
        catch (Gs1FormatException e)
        {
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Detail), 400, q);
        }
        catch (RecordFormatException e)
        {
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Message), 400, q);
        }
    }

    /// <summary>
    /// GS1 Digital Link resolution: <c>/01/{gtin}/21/{serial}</c> or <c>/01/{gtin}/10/{lot}/21/{serial}</c> (with <c>?17=</c>, …; checked by the protocol library's Digital Link parser) opens the passport for
    /// the default link type, <c>linkType=gs1:pip</c>, <c>gs1:traceability</c>, <c>gs1:certificationInfo</c> or <c>all</c>; other
    /// link types are 404 naming <c>linkType</c>.
    /// </summary>
    internal static Task<IResult> DigitalLink(HttpContext http, string gtin, string serial, Texts t, NodeGateway g, CancellationToken ct)
    {
        var linkType = http.Request.Query["linkType"].ToString();
        string[] served = ["", "gs1:pip", "gs1:traceability", "gs1:certificationInfo", "all", "pip", "traceability"];
        if (!served.Contains(linkType, StringComparer.Ordinal))
            return Task.FromResult(Layout.Page(t, t["search.title"], Layout.Problem(t, "linkType", "unsupported", t["dl.linktype", linkType]), 404));
        var uri = "https://id.gs1.org" + http.Request.Path + http.Request.QueryString;
        return PassportFor(t, g, () =>
        {
            var id = Gs1Identifier.Parse(StripLinkType(uri));
            return ItemIdentifier.Parse(id.ToBracketed());
        }, ct);
    }

    private static string StripLinkType(string uri)
    {
        var q = uri.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
            return uri;
        var kept = uri[(q + 1)..].Split('&').Where(p => !p.StartsWith("linkType=", StringComparison.Ordinal) && !p.StartsWith("context=", StringComparison.Ordinal)).ToList();
        return kept.Count == 0 ? uri[..q] : uri[..q] + "?" + string.Join('&', kept);
    }

    private static async Task<IResult> PassportFor(Texts t, NodeGateway g, Func<ItemId> parse, CancellationToken ct)
    {
        ItemId item;
        try
        {
            item = parse();
        }
        catch (Gs1FormatException e)
        {
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Detail), 400);
        }
        catch (RecordFormatException e)
        {
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Message), 400);
        }
        var answer = await g.PassportAsync(item, ct).ConfigureAwait(false);
        return Layout.Page(t, t["passport.title", item], PassportPage.Render(t, g, answer), 200, ItemIdentifier.ToElementString(item));
    }

    /// <summary>
    /// The evidence archive of a passport: the answer exactly as the node sent it, the consortium file and the verification
    /// report (<c>ledger-verification/v1</c>) made at the time named in README.txt, which gives the <c>ledger verify-proof</c>
    /// command that checks the same answer offline at that time.
    /// </summary>
    internal static async Task<IResult> Evidence(Texts t, NodeGateway g, string gtin, string serial, CancellationToken ct)
    {
        ItemId item;
        try
        {
            item = ItemIdentifier.Parse($"(01){gtin}(21){serial}");
        }
        catch (Gs1FormatException e)
        {
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Detail), 400);
        }
        var a = await g.PassportAsync(item, ct).ConfigureAwait(false);
        if (a.Json is null)
            return Layout.Page(t, t["search.title"], Html.Of($"<p role=\"alert\">{t["reason.no-node", string.Join("; ", a.NodeErrors)]}</p>"), 503);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Entry(string name, string content)
            {
                using var w = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Optimal).Open(), new UTF8Encoding(false));
                w.Write(content);
            }
            Entry("provenance.json", a.Json);
            Entry("consortium.json", g.ConsortiumJson);
            if (a.Report is { } report)
                Entry("verification.json", VerificationReportJson.Write(report));
            var at = a.At.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            Entry("README.txt", t["evidence.readme", item, at, a.Node?.ToString() ?? "", PassportPage.StatusOf(t, g, a).Reason]
                + "\n\nledger verify-proof provenance.json --consortium consortium.json --at " + at + "\n");
        }
        var name = $"evidence-{item.Key}-{string.Concat(item.Serial.Where(char.IsAsciiLetterOrDigit))}.zip";
        return Results.File(buffer.ToArray(), "application/zip", name);
    }

    /// <summary>
    /// The evidence archive of a lot: per pack (<c>packs/&lt;serial&gt;/</c>) the answer as sent and the verification report,
    /// the consortium file once, and README.txt listing each pack's status and the command that checks it offline.
    /// </summary>
    internal static async Task<IResult> LotEvidence(string gtin, string lot, Texts t, NodeGateway g, CancellationToken ct)
    {
        List<ItemId> packs;
        try
        {
            packs = await LotPage.PacksAsync(g, gtin, lot, ct).ConfigureAwait(false);
        }
        catch (RecordFormatException e)
        {
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Message), 400);
        }
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Entry(string name, string content)
            {
                using var w = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Optimal).Open(), new UTF8Encoding(false));
                w.Write(content);
            }
            Entry("consortium.json", g.ConsortiumJson);
            var readme = new StringBuilder(t["evidence.lot.readme", gtin, lot, packs.Count]).Append('\n');
            foreach (var pack in packs.Take(LotPage.MaxPacks))
            {
                var a = await g.PassportAsync(pack, ct).ConfigureAwait(false);
                var folder = "packs/" + string.Concat(pack.Serial.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')) + "/";
                var at = a.At.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
                if (a.Json is not null)
                    Entry(folder + "provenance.json", a.Json);
                if (a.Report is { } report)
                    Entry(folder + "verification.json", VerificationReportJson.Write(report));
                readme.Append('\n').Append(pack).Append(": ").Append(PassportPage.StatusOf(t, g, a).Reason).Append('\n')
                    .Append("ledger verify-proof ").Append(folder).Append("provenance.json --consortium consortium.json --at ").Append(at).Append('\n');
            }
            Entry("README.txt", readme.ToString());
        }
        return Results.File(buffer.ToArray(), "application/zip", $"evidence-{gtin}-{string.Concat(lot.Where(char.IsAsciiLetterOrDigit))}.zip");
    }

    internal static async Task<IResult> Print(Texts t, NodeGateway g, string gtin, string serial, CancellationToken ct)
    {
        ItemId item;
        try
        {
            item = ItemIdentifier.Parse($"(01){gtin}(21){serial}");
        }
        catch (Gs1FormatException e)
        {
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Detail), 400);
        }
        var a = await g.PassportAsync(item, ct).ConfigureAwait(false);
        var s = PassportPage.StatusOf(t, g, a);
        var p = a.Proven;
        var body = Html.Of($"""
            <section class="print" aria-labelledby="print-h"><h2 id="print-h">{t["print.statement"]}</h2>
            <dl class="facts"><dt>{t["passport.item"]}</dt><dd>{item}</dd><dt>{t["print.status"]}</dt><dd>{t["status." + s.Key]} — {s.Reason}</dd>
            <dt>{t["print.proven"]}</dt><dd>{(s.Proven ? t["print.yes"] : t["print.no"])}</dd>
            <dt>{t["print.at"]}</dt><dd>{Layout.Time(a.At)}</dd>
            <dt>{t["print.header"]}</dt><dd>{(p?.Header is { } h ? $"lane {h.Header.Lane} height {h.Header.Height} hash {h.Hash()}" : "—")}</dd>
            <dt>{t["print.checks"]}</dt><dd>{t["print.checks.value", a.Report?.Checks.Count(c => c.Passed) ?? 0, a.Report?.Checks.Count ?? 0]}</dd>
            <dt>{t["print.node"]}</dt><dd>{a.Node?.ToString() ?? "—"}</dd>
            <dt>{t["print.limits"]}</dt><dd>{t["print.limits.value"]}</dd></dl>
            <p>{t["print.reproduce"]} <code>ledger verify-proof provenance.json --consortium consortium.json --at {a.At.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}</code></p></section>
            """);
        return Layout.Page(t, t["print.title", item], body);
    }

    /// <summary>Runs the explorer until stopped: <c>ledger-explorer --nodes URL[,URL…] --consortium FILE [--token-file FILE] [--urls URL]</c>.</summary>
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine("ledger-explorer --nodes <url>[,<url>…] --consortium <consortium.json> [--token-file <file> | --key-file <file>] [--urls <listen-url>] [--texts <texts.json>] [--config <explorer.json>]");
            Console.WriteLine("Environment: LEDGER_EXPLORER_Nodes, _Consortium, _TokenFile, _KeyFile, _Urls, _Texts. Flags win over the environment, the environment over --config.");
            return 0;
        }
        WebApplication app;
        try
        {
            app = Build(ExplorerOptions.Read(args));
        }
        catch (ExplorerOptionsException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }
        catch (ConsortiumFormatException e)
        {
            await Console.Error.WriteLineAsync("Consortium: " + e.Message).ConfigureAwait(false);
            return 2;
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync("Texts: " + e.Message).ConfigureAwait(false);
            return 2;
        }
        await using var running = app;
        await app.StartAsync().ConfigureAwait(false);
        foreach (var url in app.Urls)
            Console.WriteLine(ListeningPrefix + url);
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }
}
