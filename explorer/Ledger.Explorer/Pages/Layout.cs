namespace Ledger.Explorer.Pages;

/// <summary>The page shell: landmarks (banner, navigation, search, main, contentinfo), a skip link and the search form.</summary>
internal static class Layout
{
    public static IResult Page(Texts t, string title, HtmlText body, int status = 200, string? query = null) =>
        Results.Content(Html.Of($"""
            <!doctype html>
            <html lang="{t["lang"]}">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} · {t["app.name"]}</title><link rel="stylesheet" href="/site.css"></head>
            <body>
            <a class="skip" href="#main">{t["nav.skip"]}</a>
            <header>
              <a class="brand" href="/">{t["app.name"]}</a>
              <nav aria-label="{t["nav.label"]}"><ul><li><a href="/">{t["nav.overview"]}</a></li><li><a href="/alerts">{t["nav.alerts"]}</a></li></ul></nav>
              <search><form action="/search" method="get">
                <label for="q">{t["search.label"]}</label>
                <input id="q" name="q" type="search" value="{query ?? ""}" autocomplete="off" spellcheck="false" aria-describedby="q-help">
                <button type="submit">{t["search.button"]}</button>
                <p id="q-help" class="help">{t["search.help"]}</p>
              </form></search>
            </header>
            <main id="main" tabindex="-1">
            <h1>{title}</h1>
            {body}
            </main>
            <footer><p>{t["footer.trust"]}</p></footer>
            </body></html>
            """).Value, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    public static HtmlText Problem(Texts t, string field, string rule, string detail) => Html.Of($"""
        <div class="problem" role="alert"><p><strong>{t["problem.title"]}</strong></p>
        <dl><dt>{t["problem.field"]}</dt><dd><code class="field">{field}</code></dd><dt>{t["problem.rule"]}</dt><dd><code class="rule">{rule}</code></dd>
        <dt>{t["problem.detail"]}</dt><dd>{detail}</dd></dl></div>
        """);

    public static HtmlText Table(string caption, IEnumerable<string> headers, IEnumerable<IEnumerable<HtmlText>> rows) => Html.Of($"""
        <div class="scroll"><table><caption>{caption}</caption><thead><tr>{headers.Select(h => Html.Of($"<th scope=\"col\">{h}</th>"))}</tr></thead>
        <tbody>{rows.Select(r => Html.Of($"<tr>{r.Select(c => Html.Of($"<td>{c}</td>"))}</tr>"))}</tbody></table></div>
        """);

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
