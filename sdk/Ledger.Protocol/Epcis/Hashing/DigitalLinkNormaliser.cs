using System.Text.RegularExpressions;
using Ledger.Protocol.Gs1;

namespace Ledger.Protocol.Epcis.Hashing;

/// <summary>
/// Converts EPC URNs (<c>urn:epc:id:…</c>, <c>urn:epc:class:lgtin:…</c>, <c>urn:epc:idpat:…</c>) and GS1 Digital Link
/// URIs into the constrained canonical GS1 Digital Link form used by the EPCIS event hash (CBV 2.0 §8.9 rule 15):
/// domain <c>https://id.gs1.org</c>, GTIN padded to 14 digits, check digits computed, only the finest key/qualifier
/// combination kept, query string dropped. A re-implementation of <c>dl_normaliser.py</c> of
/// RalphTro/epcis-event-hash-generator (MIT), pattern for pattern.
/// </summary>
public static class DigitalLinkNormaliser
{
    private const string C = @"(\%2[125-9A-Fa-f]|\%3[0-9A-Fa-f]|\%4[1-9A-Fa-f]|\%5[0-9AaFf]|\%6[1-9A-Fa-f]|\%7[0-9Aa]|[!\')(*+,.0-9:;=A-Za-z_-])";
    private const string CpiC = @"(\%2[3dfDF]|\%3[0-9]|\%4[1-9A-Fa-f]|\%5[0-9Aa]|[0-9A-Z-])";
    private const string Gcp13 = @"((\d{6}\.\d{7})|(\d{7}\.\d{6})|(\d{8}\.\d{5})|(\d{9}\.\d{4})|(\d{10}\.\d{3})|(\d{11}\.\d{2})|(\d{12}\.\d{1}))";
    private const string Gcp12Dot = @"(([\d]{6}\.[\d]{6})|([\d]{7}\.[\d]{5})|([\d]{8}\.[\d]{4})|([\d]{9}\.[\d]{3})|([\d]{10}\.[\d]{2})|([\d]{11}\.[\d]{1})|([\d]{12}\.\.))";
    private const string Gcp12 = @"(([\d]{6}\.[\d]{6})|([\d]{7}\.[\d]{5})|([\d]{8}\.[\d]{4})|([\d]{9}\.[\d]{3})|([\d]{10}\.[\d]{2})|([\d]{11}\.[\d]{1})|([\d]{12}\.))";
    private const string Gcp17 = @"(([\d]{6}\.[\d]{11}$)|([\d]{7}\.[\d]{10}$)|([\d]{8}\.[\d]{9}$)|([\d]{9}\.[\d]{8}$)|([\d]{10}\.[\d]{7}$)|([\d]{11}\.[\d]{6}$)|([\d]{12}\.[\d]{5}$))";
    private const string Gcp16 = @"(([\d]{6}\.[\d]{10}$)|([\d]{7}\.[\d]{9}$)|([\d]{8}\.[\d]{8}$)|([\d]{9}\.[\d]{7}$)|([\d]{10}\.[\d]{6}$)|([\d]{11}\.[\d]{5}$)|([\d]{12}\.[\d]{4}$))";
    private const string Dl = @"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]";

    private static string Var(string c, int total) =>
        "(" + string.Join("|", Enumerable.Range(6, 7).Select(n => $@"([\d]{{{n}}}\.{c}{{1,{total - n}}})")) + ")";

    private static readonly Regex Sgtin = R(@"^urn:epc:id:sgtin:" + Gcp13 + @"\." + C + "{1,20}$");
    private static readonly Regex Sscc = R(@"^urn:epc:id:sscc:((\d{6}\.\d{11}$)|(\d{7}\.\d{10}$)|(\d{8}\.\d{9}$)|(\d{9}\.\d{8}$)|(\d{10}\.\d{7}$)|(\d{11}\.\d{6}$)|(\d{12}\.\d{5}$))");
    private static readonly Regex Sgln = R(@"^urn:epc:id:sgln:((\d{6}\.\d{6})|(\d{7}\.\d{5})|(\d{8}\.\d{4})|(\d{9}\.\d{3})|(\d{10}\.\d{2})|(\d{11}\.\d{1})|(\d{12}\.))\." + C + "{1,20}$");
    private static readonly Regex Grai = R(@"^urn:epc:id:grai:" + Gcp12Dot + @"\." + C + "{1,16}$");
    private static readonly Regex Giai = R(@"^urn:epc:id:giai:" + Var(C, 30) + "$");
    private static readonly Regex Gsrn = R(@"^urn:epc:id:gsrn:" + Gcp17);
    private static readonly Regex Gsrnp = R(@"^urn:epc:id:gsrnp:" + Gcp17);
    private static readonly Regex Gdti = R(@"^urn:epc:id:gdti:" + Gcp12Dot + C + "{1,20}$");
    private static readonly Regex Cpi = R(@"^urn:epc:id:cpi:" + Var(CpiC, 30) + @"\.[\d]{1,12}$");
    private static readonly Regex Sgcn = R(@"^urn:epc:id:sgcn:" + Gcp12 + @"\.[\d]{1,12}$");
    private static readonly Regex Ginc = R(@"^urn:epc:id:ginc:" + Var(C, 30) + "$");
    private static readonly Regex Gsin = R(@"^urn:epc:id:gsin:" + Gcp16);
    private static readonly Regex Itip = R(@"^urn:epc:id:itip:" + Gcp13 + @"\.[\d]{2}\.[\d]{2}\." + C + "{1,20}$");
    private static readonly Regex Upui = R(@"^urn:epc:id:upui:" + Gcp13 + @"\." + C + "{1,28}$");
    private static readonly Regex Pgln = R(@"^urn:epc:id:pgln:" + Gcp12 + "$");
    private static readonly Regex Lgtin = R(@"^urn:epc:class:lgtin:" + Gcp13 + @"\." + C + "{1,20}$");
    private static readonly Regex PatSgtin = R(@"^urn:epc:idpat:sgtin:" + Gcp13 + @"\.\*$");
    private static readonly Regex PatGrai = R(@"^urn:epc:idpat:grai:" + Gcp12Dot + @"\.\*$");
    private static readonly Regex PatGdti = R(@"^urn:epc:idpat:gdti:" + Gcp12Dot + @"\.\*$");
    private static readonly Regex PatSgcn = R(@"^urn:epc:idpat:sgcn:" + Gcp12Dot + @"\.\*$");
    private static readonly Regex PatCpi = R(@"^urn:epc:idpat:cpi:" + Var(CpiC, 30) + @"\.\*$");
    private static readonly Regex PatItip = R(@"^urn:epc:idpat:itip:" + Gcp13 + @"\.[\d]{2}\.[\d]{2}\.\*$");
    private static readonly Regex PatUpui = R(@"^urn:epc:idpat:upui:" + Gcp13 + @"\.\*$");

    private static readonly Regex DlAny = R(@"^https?:(\/\/((([^\/?#]*)@)?([^\/?#:]*)(:([^\/?#]*))?))?((([^?#]*)(\/(01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai)\/)(\d{4}[^\/]+)(\/[^/]+\/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?)|(\/[A-Za-z_-]{10}$))");
    private static readonly Regex DlCanonicalDomain = R(@"^(?:https:\/\/id.gs1.org\/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/(\d{4}[^\/]+)(\/[^\/]+\/[^\/]+)?[\/]?(\?([^?\n]*))?(#([^\n]*))?|(\/[A-Za-z_-]{10}$))");

    private static readonly Regex[] Valid =
    [
        R(@"^https:\/\/id.gs1.org\/00\/(\d{18})$"),
        R(@"^https:\/\/id.gs1.org\/01\/(\d{14})\/21\/(" + Dl + "{0,20})$"),
        R(@"^https:\/\/id.gs1.org\/01\/(\d{14})\/10\/(" + Dl + "{0,20})$"),
        R(@"^https:\/\/id.gs1.org\/01\/(\d{14})$"),
        R(@"^https:\/\/id.gs1.org\/01\/(\d{14})\/235\/(" + Dl + "{0,28})$"),
        R(@"^https:\/\/id.gs1.org\/253\/(\d{13})(" + Dl + "{0,17})$"),
        R(@"^https:\/\/id.gs1.org\/255\/(\d{13})(\d{0,12})$"),
        R(@"^https:\/\/id.gs1.org\/401\/(" + Dl + "{0,30})$"),
        R(@"^https:\/\/id.gs1.org\/402\/(\d{17})$"),
        R(@"^https:\/\/id.gs1.org\/414\/(\d{13})$"),
        R(@"^https:\/\/id.gs1.org\/414\/(\d{13})\/254\/(" + Dl + "{0,20})$"),
        R(@"^https:\/\/id.gs1.org\/417\/(\d{13})$"),
        R(@"^https:\/\/id.gs1.org\/8003\/(\d{14})(" + Dl + "{0,16})$"),
        R(@"^https:\/\/id.gs1.org\/8004\/(" + Dl + "{0,30})$"),
        R(@"^https:\/\/id.gs1.org\/8006\/(\d{18})\/21\/(" + Dl + "{0,20})$"),
        R(@"^https:\/\/id.gs1.org\/8006\/(\d{18})\/10\/(" + Dl + "{0,20})$"),
        R(@"^https:\/\/id.gs1.org\/8006\/(\d{18})$"),
        R(@"^https:\/\/id.gs1.org\/8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})\/8011/(\d{0,12})$"),
        R(@"^https:\/\/id.gs1.org\/8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})$"),
        R(@"^https:\/\/id.gs1.org\/8017\/(\d{18})$"),
        R(@"^https:\/\/id.gs1.org\/8018\/(\d{18})$"),
    ];

    // The normalisation steps' patterns, in the order they are applied (upstream's dl_normaliser).
    private static readonly Regex Step1 = R(@"^https:\/\/id.gs1.org\/01\/\d{14}");
    private static readonly Regex Step2 = R(@"^https:\/\/id.gs1.org\/01\/\d{13}");
    private static readonly Regex Step3 = R(@"^https:\/\/id.gs1.org\/01\/\d{12}");
    private static readonly Regex Step4 = R(@"^https:\/\/id.gs1.org\/01\/\d{8}");
    private static readonly Regex Step5 = R(@"^https:\/\/id.gs1.org\/8006\/\d{18}\/22\/(" + Dl + "{0,20})$");
    private static readonly Regex Step6 = R(@"^https:\/\/id.gs1.org\/01\/\d{14}\/22\/(" + Dl + "{0,20})$");
    private static readonly Regex Step7 = R(@"^https:\/\/id.gs1.org\/8006\/\d{18}\/22\/([\x2F\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{0,20})$");
    private static readonly Regex Step8 = R(@"^https:\/\/id.gs1.org\/01\/\d{14}\/22\/([\x2F\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{0,20})$");
    private static readonly Regex Step9 = R(@"^https:\/\/id.gs1.org\/8006\/\d{18}\/10\/(" + Dl + @"{0,20})\/21\/(" + Dl + "{0,20})$");
    private static readonly Regex Step10 = R(@"^https:\/\/id.gs1.org\/01\/(\d{14})\/10\/(" + Dl + @"{0,20})\/21\/(" + Dl + "{0,20})$");

    // Compiled: every identifier of every hashed event is tried against these, so matching speed is the hashing speed.
    // \d means the ASCII digits here (.NET's \d takes every Unicode digit, which the check-digit code cannot read);
    // the patterns use \d only bare or as [\d].
    private static Regex R(string pattern) =>
        new(pattern.Replace(@"[\d]", @"\d", StringComparison.Ordinal).Replace(@"\d", "[0-9]", StringComparison.Ordinal), RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private static string Mid(string s, int start, int length) => s.Substring(start, length);

    private static string WithCheck(string digits) => digits + CheckDigit.Compute(digits);

    private static string Encode(string s) => s
        .Replace("!", "%21", StringComparison.Ordinal).Replace("(", "%28", StringComparison.Ordinal)
        .Replace(")", "%29", StringComparison.Ordinal).Replace("*", "%2A", StringComparison.Ordinal)
        .Replace("+", "%2B", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal)
        .Replace(":", "%3A", StringComparison.Ordinal);

    private static string Gtin14(string uri, int prefixStart, int partition)
    {
        var gcp = uri[prefixStart..partition];
        var itemRef = Mid(uri, partition + 1, 13 - gcp.Length);
        return WithCheck(itemRef[..1] + gcp + itemRef[1..]);
    }

    /// <summary>The canonical Digital Link for <paramref name="uri"/>, or null when it carries no convertible GS1 key.</summary>
    public static string? Normalise(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var p = uri.IndexOf('.', StringComparison.Ordinal);
        if (p < 0)
            return null;
        if (uri.StartsWith("urn:epc:", StringComparison.Ordinal))
            return NormaliseEpc(uri, p);
        return NormaliseDigitalLink(uri);
    }

    private static string? NormaliseEpc(string uri, int p)
    {
        if (Sgtin.IsMatch(uri))
            return "https://id.gs1.org/01/" + Gtin14(uri, 17, p) + "/21/" + Encode(uri[32..]);
        if (Sscc.IsMatch(uri))
        {
            var gcp = uri[16..p];
            var serialRef = uri[(p + 1)..];
            return "https://id.gs1.org/00/" + WithCheck(serialRef[..1] + gcp + serialRef[1..]);
        }
        if (Sgln.IsMatch(uri))
        {
            var gcp = uri[16..p];
            var gln = WithCheck(gcp + Mid(uri, p + 1, 12 - gcp.Length));
            var ext = uri[30..];
            return ext == "0" ? "https://id.gs1.org/414/" + gln : "https://id.gs1.org/414/" + gln + "/254/" + Encode(ext);
        }
        if (Grai.IsMatch(uri))
        {
            var gcp = uri[16..p];
            return "https://id.gs1.org/8003/" + WithCheck("0" + gcp + Mid(uri, p + 1, 12 - gcp.Length)) + Encode(uri[30..]);
        }
        if (Giai.IsMatch(uri))
            return "https://id.gs1.org/8004/" + uri[16..p] + Encode(uri[(p + 1)..]);
        if (Gsrn.IsMatch(uri))
            return "https://id.gs1.org/8018/" + WithCheck(uri[16..p] + uri[(p + 1)..]);
        if (Gsrnp.IsMatch(uri))
            return "https://id.gs1.org/8017/" + WithCheck(uri[17..p] + uri[(p + 1)..]);
        if (Gdti.IsMatch(uri))
        {
            var gcp = uri[16..p];
            return "https://id.gs1.org/253/" + WithCheck(gcp + Mid(uri, p + 1, 12 - gcp.Length)) + Encode(uri[30..]);
        }
        if (Cpi.IsMatch(uri))
        {
            var sep = uri.LastIndexOf('.');
            return "https://id.gs1.org/8010/" + Encode(uri[15..p] + uri[(p + 1)..sep]) + "/8011/" + uri[(sep + 1)..];
        }
        if (Sgcn.IsMatch(uri))
        {
            var gcp = uri[16..p];
            return "https://id.gs1.org/255/" + WithCheck(gcp + Mid(uri, p + 1, 12 - gcp.Length)) + uri[30..];
        }
        if (Ginc.IsMatch(uri))
            return "https://id.gs1.org/401/" + uri[16..p] + Encode(uri[(p + 1)..]);
        if (Gsin.IsMatch(uri))
            return "https://id.gs1.org/402/" + WithCheck(uri[16..p] + uri[(p + 1)..]);
        if (Itip.IsMatch(uri))
            return "https://id.gs1.org/8006/" + Gtin14(uri, 16, p) + uri[31..33] + uri[34..36] + "/21/" + Encode(uri[37..]);
        if (Upui.IsMatch(uri))
            return "https://id.gs1.org/01/" + Gtin14(uri, 16, p) + "/235/" + Encode(uri[31..]);
        if (Pgln.IsMatch(uri))
        {
            var gcp = uri[16..p];
            return "https://id.gs1.org/417/" + WithCheck(gcp + Mid(uri, p + 1, 12 - gcp.Length));
        }
        if (Lgtin.IsMatch(uri))
            return "https://id.gs1.org/01/" + Gtin14(uri, 20, p) + "/10/" + Encode(uri[35..]);
        if (PatSgtin.IsMatch(uri))
            return "https://id.gs1.org/01/" + Gtin14(uri, 20, p);
        if (PatGrai.IsMatch(uri))
        {
            var gcp = uri[19..p];
            return "https://id.gs1.org/8003/" + WithCheck("0" + gcp + Mid(uri, p + 1, 12 - gcp.Length));
        }
        if (PatGdti.IsMatch(uri))
        {
            var gcp = uri[19..p];
            return "https://id.gs1.org/253/" + WithCheck(gcp + Mid(uri, p + 1, 12 - gcp.Length));
        }
        if (PatSgcn.IsMatch(uri))
        {
            var gcp = uri[19..p];
            return "https://id.gs1.org/255/" + WithCheck(gcp + Mid(uri, p + 1, 12 - gcp.Length));
        }
        if (PatCpi.IsMatch(uri))
        {
            var sep = uri.LastIndexOf('.');
            return "https://id.gs1.org/8010/" + Encode(uri[18..p] + uri[(p + 1)..sep]);
        }
        if (PatItip.IsMatch(uri))
            return "https://id.gs1.org/8006/" + Gtin14(uri, 19, p) + uri[34..36] + uri[37..39];
        if (PatUpui.IsMatch(uri))
            return "https://id.gs1.org/01/" + Gtin14(uri, 19, p);
        return null;
    }

    private static readonly (string Short, string Ai)[] ShortNames =
    [
        ("/gtin/", "/01/"), ("/itip/", "/8006/"), ("/cpid/", "/8010/"), ("/gln/", "/414/"), ("/party/", "/417/"),
        ("/gsrnp/", "/8017/"), ("/gsrn/", "/8018/"), ("/gcn/", "/255/"), ("/sscc/", "/00/"), ("/gdti/", "/253/"),
        ("/ginc/", "/401/"), ("/gsin/", "/402/"), ("/grai/", "/8003/"), ("/giai/", "/8004/"), ("/cpv/", "/22/"),
        ("/lot/", "/10/"), ("/ser/", "/21/"),
    ];

    private static readonly string[] DomainKeys = ["/00/", "/01/", "/253/", "/255/", "/401/", "/402/", "/414/", "/417/", "/8003/", "/8004/", "/8006/", "/8010/", "/8017/", "/8018/"];

    private static string? NormaliseDigitalLink(string uri)
    {
        if (!DlAny.IsMatch(uri))
            return null;
        var q = uri.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
            uri = uri[..q];
        foreach (var (s, ai) in ShortNames)
            uri = uri.Replace(s, ai, StringComparison.Ordinal);
        if (!DlCanonicalDomain.IsMatch(uri))
        {
            foreach (var key in DomainKeys)
            {
                var i = uri.IndexOf(key, StringComparison.Ordinal);
                if (i != -1)
                {
                    uri = "https://id.gs1.org" + uri[i..];
                    break;
                }
            }
        }
        if (!Step1.IsMatch(uri))
        {
            if (Step2.IsMatch(uri))
                uri = uri.Replace("/01/", "/01/0", StringComparison.Ordinal);
            else if (Step3.IsMatch(uri))
                uri = uri.Replace("/01/", "/01/00", StringComparison.Ordinal);
            else if (Step4.IsMatch(uri))
                uri = uri.Replace("/01/", "/01/000000", StringComparison.Ordinal);
        }

        // remove the CPV (22): key qualifier that is not part of the constrained form
        var cpvAt = uri.IndexOf("/22/", StringComparison.Ordinal);
        var x = uri[(cpvAt + 4)..];
        if (Step5.IsMatch(uri)
            || Step6.IsMatch(uri))
        {
            // Python: uri[:find('/22/')] + x[x.find('/'):-1]; x has no '/', so find gives -1 and the slice x[-1:-1] is empty
            uri = uri[..cpvAt] + PySlice(x, x.IndexOf('/', StringComparison.Ordinal), -1);
        }
        if (Step7.IsMatch(uri)
            || Step8.IsMatch(uri))
        {
            cpvAt = uri.IndexOf("/22/", StringComparison.Ordinal);
            x = uri[(cpvAt + 4)..];
            uri = uri[..cpvAt] + PySlice(x, x.IndexOf('/', StringComparison.Ordinal), null);
        }
        if (Step9.IsMatch(uri)
            || Step10.IsMatch(uri))
        {
            var lotAt = uri.IndexOf("/10/", StringComparison.Ordinal);
            var y = uri[(lotAt + 4)..];
            uri = uri[..lotAt] + y[y.IndexOf('/', StringComparison.Ordinal)..];
        }
        return Valid.Any(r => r.IsMatch(uri)) ? uri : null;
    }

    /// <summary>Python slice semantics s[start:end] with negative indices counted from the end.</summary>
    private static string PySlice(string s, int start, int? end)
    {
        int Norm(int i) => i < 0 ? Math.Max(0, s.Length + i) : Math.Min(i, s.Length);
        var a = Norm(start);
        var b = end is null ? s.Length : Norm(end.Value);
        return b <= a ? "" : s[a..b];
    }
}
