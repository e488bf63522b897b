using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ledger.Sdk.Verification;

/// <summary>The JSON form of a <see cref="VerificationReport"/> (<c>ledger-verification/v1</c>, docs/spec/verifier.md §4).</summary>
public static class VerificationReportJson
{
    /// <summary>The format name.</summary>
    public const string Format = "ledger-verification/v1";

    /// <summary>Writes the report: passed, every check (name, subject, passed, code, reason) and the proven summary (null unless passed).</summary>
    public static string Write(VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteBoolean("passed", report.Passed);
            w.WriteStartArray("checks");
            foreach (var c in report.Checks)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteString("subject", c.Subject);
                w.WriteString("result", c.Passed ? "passed" : "failed");
                w.WriteString("code", c.Code);
                w.WriteString("reason", c.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (report.Summary is { } s)
            {
                w.WriteStartObject("proven");
                w.WriteString("item", s.Item.ToString());
                w.WriteBoolean("known", s.Known);
                Nullable(w, "status", s.Status?.ToString());
                Nullable(w, "at", s.At?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                Nullable(w, "atSource", s.AtSource);
                Nullable(w, "custodian", s.Custodian?.ToString());
                Nullable(w, "location", s.Location);
                Nullable(w, "lastRecord", s.LastRecord?.ToString());
                if (s.Header is { } h)
                {
                    w.WriteStartObject("header");
                    w.WriteString("lane", h.Header.Lane.ToString());
                    w.WriteNumber("height", h.Header.Height);
                    w.WriteString("hash", h.Hash().ToString());
                    w.WriteNumber("logSize", h.Header.LogSize);
                    w.WriteString("logRoot", h.Header.LogRoot.ToString());
                    w.WriteString("stateRoot", h.Header.StateRoot.ToString());
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNull("header");
                }
                if (s.Anchor is { } a)
                {
                    w.WriteStartObject("anchor");
                    w.WriteString("lane", a.Lane.ToString());
                    w.WriteNumber("size", a.Size);
                    w.WriteString("root", a.Root.ToString());
                    w.WriteBoolean("chainChecked", s.AnchorChecked);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNull("anchor");
                }
                if (s.Lanes.Count > 0)
                {
                    // An answer across lanes (v3): every lane header it was proven against.
                    w.WriteStartArray("lanes");
                    foreach (var l in s.Lanes)
                    {
                        w.WriteStartObject();
                        w.WriteString("lane", l.Header.Lane.ToString());
                        w.WriteNumber("height", l.Header.Height);
                        w.WriteString("hash", l.Hash().ToString());
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("proven");
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Nullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
            w.WriteNull(name);
        else
            w.WriteString(name, value);
    }
}
