using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Ledger.Explorer;

/// <summary>
/// A piece of HTML that is already safe to emit. Built with <see cref="Html.Of"/>, whose interpolation holes are
/// HTML-encoded unless they are themselves <see cref="HtmlText"/>: text from a node or a user can never become markup.
/// </summary>
public sealed class HtmlText(string value)
{
    /// <summary>Nothing.</summary>
    public static readonly HtmlText Empty = new("");

    /// <summary>The markup.</summary>
    public string Value { get; } = value;

    /// <inheritdoc/>
    public override string ToString() => Value;
}

/// <summary>Helpers to build <see cref="HtmlText"/>.</summary>
public static class Html
{
    /// <summary>Markup from an interpolated string: every hole is encoded, except nested <see cref="HtmlText"/>.</summary>
    public static HtmlText Of([InterpolatedStringHandlerArgument] ref HtmlHandler handler) => handler.ToHtml();

    /// <summary>Encoded text.</summary>
    public static HtmlText Text(string? text) => new(HtmlEncoder.Default.Encode(text ?? ""));

    /// <summary>Joins pieces.</summary>
    public static HtmlText Join(IEnumerable<HtmlText> parts) => new(string.Concat(parts.Select(p => p.Value)));

    /// <summary>A value for a URL path segment or query value.</summary>
    public static string Url(string value) => Uri.EscapeDataString(value);
}

/// <summary>The interpolated string handler of <see cref="Html.Of"/>.</summary>
[InterpolatedStringHandler]
public ref struct HtmlHandler
{
    private readonly StringBuilder _builder;

    /// <summary>Starts a handler.</summary>
    public HtmlHandler(int literalLength, int formattedCount) => _builder = new StringBuilder(literalLength + formattedCount * 16);

    /// <summary>Literal markup of the template.</summary>
    public readonly void AppendLiteral(string value) => _builder.Append(value);

    /// <summary>A hole: HTML-encoded unless it is <see cref="HtmlText"/>.</summary>
    public readonly void AppendFormatted<T>(T value)
    {
        switch (value)
        {
            case HtmlText html:
                _builder.Append(html.Value);
                break;
            case IEnumerable<HtmlText> many:
                foreach (var h in many)
                    _builder.Append(h.Value);
                break;
            case null:
                break;
            case IFormattable f:
                _builder.Append(HtmlEncoder.Default.Encode(f.ToString(null, CultureInfo.InvariantCulture)));
                break;
            default:
                _builder.Append(HtmlEncoder.Default.Encode(value.ToString() ?? ""));
                break;
        }
    }

    /// <summary>The markup.</summary>
    public readonly HtmlText ToHtml() => new(_builder.ToString());
}
