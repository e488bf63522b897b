using System.Globalization;
using Ledger.Protocol.Consortium;
using Ledger.Sdk.Client;

namespace Ledger.Explorer.Pages;

/// <summary>The network overview: parties and roles, nodes up or down, each lane's head, recent blocks, records per second, alerts.</summary>
internal static class OverviewPage
{
    public static async Task<IResult> RenderAsync(Texts t, NodeGateway g, CancellationToken ct)
    {
        var c = g.Consortium;
        var nodes = await g.NodesAsync(ct).ConfigureAwait(false);
        var parties = Layout.Table(t["overview.parties.caption"], [t["col.name"], t["col.roles"], t["col.glns"], t["col.prefixes"], t["col.node"]],
            c.Parties.Select(p => (IEnumerable<HtmlText>)[Html.Of($"<a href=\"/party/{p.Address}\">{p.Name}</a>"), Html.Text(string.Join(", ", ConsortiumFile.RoleNamesOf(p.Roles))),
                Html.Join(p.Glns.Select(x => Html.Of($"<a href=\"/location/{x}\">{x}</a> "))), Html.Text(string.Join(", ", p.CompanyPrefixes)), Html.Text(g.NodeOf(p.Node)?.Name ?? p.Node.ToString())]));
        var nodeRows = nodes.Select(n => (IEnumerable<HtmlText>)[
            Html.Text(n.Url.ToString()),
            Html.Of($"<span class=\"{(n.Up ? "pass" : "fail")}\">{(n.Up ? t["node.up"] : t["node.down"])}</span>{(n.Error is { } e ? Html.Of($" <small>{e}</small>") : HtmlText.Empty)}"),
            Html.Text(n.Lane?.Name ?? (n.Head is null ? "—" : n.Head.Header.Header.Lane.ToString())),
            n.Head is { } h ? Html.Of($"<a href=\"/block/{h.Header.Header.Lane}/{h.Height}\">{h.Height}</a>") : Html.Text(n.Up ? "0" : "—"),
            Html.Text(n.HeadCheck is null ? "—" : n.HeadCheck.IsValid ? t["check.passed"] : t["check.failed"] + ": " + n.HeadCheck),
            Html.Text(n.Head is { } hh ? hh.Certificate is { } cert ? t["node.certified", cert.Cosignatures.Count, c.Quorum] : t["node.uncertified"] : "—"),
        ]);
        var up = nodes.FirstOrDefault(n => n.Up && n.Head is not null);
        var recent = up is null ? [] : await g.RecentHeadersAsync(up.Url, up.Head!.Height, 60, ct).ConfigureAwait(false);
        var blocks = Layout.Table(t["overview.blocks.caption"], [t["col.lane"], t["col.height"], t["col.when"], t["col.records"], t["col.certified"]],
            recent.Take(10).Select(h => (IEnumerable<HtmlText>)[Html.Text(g.NodeOf(h.Header.Header.Lane)?.Name ?? h.Header.Header.Lane.ToString()),
                Html.Of($"<a href=\"/block/{h.Header.Header.Lane}/{h.Height}\">{h.Height}</a>"),
                Html.Text(Layout.Time(DateTimeOffset.FromUnixTimeMilliseconds(h.Header.Header.TimeMs))), Html.Text(h.Header.Header.RecordCount.ToString(CultureInfo.InvariantCulture)),
                Html.Text(h.Certificate is null ? t["node.uncertified"] : t["node.certified", h.Certificate.Cosignatures.Count, c.Quorum])]));
        var (alerts, _) = await g.AlertsAsync(10, ct).ConfigureAwait(false);
        var body = Html.Of($"""
            <p>{t["overview.consortium", c.Name, c.Version, c.Nodes.Count, c.Quorum]}</p>
            <section aria-labelledby="nodes-h"><h2 id="nodes-h">{t["overview.nodes"]}</h2>{Layout.Table(t["overview.nodes.caption"],
                [t["col.url"], t["col.state"], t["col.lane"], t["col.head"], t["col.signature"], t["col.certified"]], nodeRows)}
            <p class="note">{t["overview.anchors"]}</p></section>
            <section aria-labelledby="rate-h"><h2 id="rate-h">{t["overview.rate"]}</h2>{Rate(t, recent)}</section>
            <section aria-labelledby="blocks-h"><h2 id="blocks-h">{t["overview.blocks"]}</h2>{blocks}</section>
            <section aria-labelledby="parties-h"><h2 id="parties-h">{t["overview.parties"]}</h2>{parties}</section>
            <section aria-labelledby="oal-h"><h2 id="oal-h">{t["overview.alerts"]}</h2><p class="note">{t["alerts.unsigned"]}</p>
            {(alerts.Count == 0 ? Html.Of($"<p>{t["alerts.none"]}</p>") : Html.Of($"<ul class=\"alerts\">{alerts.Select(a => Html.Of($"<li class=\"alert\"><strong>{a.Kind}</strong> {a.Item ?? ""} — {a.Evidence} ({Layout.Time(a.Time)})</li>"))}</ul>"))}
            <p class="note">{t["overview.evidence"]}</p></section>
            """);
        return Layout.Page(t, t["overview.title"], body);
    }

    /// <summary>Records per second per minute over the last ten minutes of the recent headers, as an SVG bar chart with a table.</summary>
    private static HtmlText Rate(Texts t, IReadOnlyList<LedgerHeader> recent)
    {
        if (recent.Count == 0)
            return Html.Of($"<p>{t["rate.none"]}</p>");
        var end = DateTimeOffset.FromUnixTimeMilliseconds(recent[0].Header.Header.TimeMs);
        var buckets = new double[10];
        foreach (var h in recent)
        {
            var ago = (end - DateTimeOffset.FromUnixTimeMilliseconds(h.Header.Header.TimeMs)).TotalMinutes;
            if (ago is >= 0 and < 10)
                buckets[9 - (int)ago] += h.Header.Header.RecordCount / 60.0;
        }
        var max = Math.Max(buckets.Max(), 0.001);
        var bars = buckets.Select((v, i) =>
        {
            var height = v / max * 100;
            return Html.Of($"""<rect x="{i * 30 + 4}" y="{(110 - height).ToString("F1", CultureInfo.InvariantCulture)}" width="22" height="{height.ToString("F1", CultureInfo.InvariantCulture)}" class="bar"><title>{v.ToString("F2", CultureInfo.InvariantCulture)}</title></rect>""");
        });
        var desc = string.Join(", ", buckets.Select((v, i) => $"-{9 - i} min: {v.ToString("F2", CultureInfo.InvariantCulture)}/s"));
        return Html.Of($"""
            <svg role="img" aria-labelledby="rate-t rate-d" viewBox="0 0 300 120" width="100%" style="max-width:600px" xmlns="http://www.w3.org/2000/svg">
            <title id="rate-t">{t["overview.rate"]}</title><desc id="rate-d">{desc}</desc>{bars}<line x1="0" y1="110" x2="300" y2="110" class="axis"/></svg>
            <p class="note">{t["rate.note", Layout.Time(end)]} {desc}</p>
            """);
    }
}
