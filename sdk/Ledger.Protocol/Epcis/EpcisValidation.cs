using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Protocol.Epcis;

/// <summary>Cross-field rules shared by the readers.</summary>
internal static partial class EpcisValidation
{
    [GeneratedRegex("^[A-Z0-9]{2,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex UomPattern();

    public static QuantityElement Quantity(string epcClass, decimal? quantity, string? uom, string path)
    {
        if (uom is not null && !UomPattern().IsMatch(uom))
            throw new EpcisFormatException(path + ".uom", "pattern", $"'{uom}' is not a UN/CEFACT unit code (^[A-Z0-9]{{2,3}}$)");
        return new QuantityElement(epcClass, quantity, uom);
    }

    public static bool TryParseDouble(string s, out double d) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out d) && double.IsFinite(d);

    public static bool TryParseDecimal(string s, out decimal d) =>
        decimal.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out d);

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$", RegexOptions.CultureInvariant)]
    private static partial Regex AbsoluteUri();

    private static void Uri(string? value, string field)
    {
        if (value is not null && !AbsoluteUri().IsMatch(value.Trim()))
            throw new EpcisFormatException(field, "pattern", $"'{value}' is not an absolute URI (EPC URN, Digital Link or other URI)");
        AsciiDigits(value, field);
    }

    /// <summary>
    /// Digits outside ASCII (Arabic-Indic, fullwidth, …) are refused (rule <c>ascii-digits</c>): GS1 keys, serials and
    /// quantities are ASCII, and such a digit would otherwise pass as a "digit" in one place and fail to parse in another.
    /// </summary>
    public static void AsciiDigits(string? value, string field)
    {
        if (value is null)
            return;
        foreach (var c in value)
        {
            if (char.IsDigit(c) && !char.IsAsciiDigit(c))
                throw new EpcisFormatException(field, "ascii-digits",
                    $"'{value}' contains the digit '{c}' (U+{(int)c:X4}); identifiers and quantities use the ASCII digits 0-9");
        }
    }

    private static void Uris(IEnumerable<string> values, string field)
    {
        var i = 0;
        foreach (var v in values)
            Uri(v, $"{field}[{i++}]");
    }

    private static void Quantities(EpcisList<QuantityElement> list, string field)
    {
        for (var i = 0; i < list.Count; i++)
        {
            Uri(list[i].EpcClass, $"{field}[{i}].epcClass");
            if (list[i].Uom is not null && list[i].Quantity is null)
                throw new EpcisFormatException($"{field}[{i}].quantity", "required", "a uom needs a quantity");
        }
    }

    public static void ValidateEvent(EpcisEvent e, string path)
    {
        Uri(e.ReadPoint?.Id, path + ".readPoint.id");
        Uri(e.BizLocation?.Id, path + ".bizLocation.id");
        for (var i = 0; i < e.BizTransactionList.Count; i++)
            Uri(e.BizTransactionList[i].Value, $"{path}.bizTransactionList[{i}].bizTransaction");
        for (var i = 0; i < e.SourceList.Count; i++)
            Uri(e.SourceList[i].Value, $"{path}.sourceList[{i}].source");
        for (var i = 0; i < e.DestinationList.Count; i++)
            Uri(e.DestinationList[i].Value, $"{path}.destinationList[{i}].destination");
        switch (e)
        {
            case ObjectEvent o:
                Uris(o.EpcList, path + ".epcList");
                Quantities(o.QuantityList, path + ".quantityList");
                break;
            case AggregationEvent a:
                Uri(a.ParentId, path + ".parentID");
                Uris(a.ChildEpcs, path + ".childEPCs");
                Quantities(a.ChildQuantityList, path + ".childQuantityList");
                if (a.ParentId is null && a.Action != EpcisAction.Observe)
                    throw new EpcisFormatException(path + ".parentID", "required", $"an AggregationEvent with action {a.Action.ToString().ToUpperInvariant()} needs a parentID");
                break;
            case TransactionEvent t:
                Uri(t.ParentId, path + ".parentID");
                Uris(t.EpcList, path + ".epcList");
                Quantities(t.QuantityList, path + ".quantityList");
                break;
            case TransformationEvent t:
                Uris(t.InputEpcList, path + ".inputEPCList");
                Uris(t.OutputEpcList, path + ".outputEPCList");
                Quantities(t.InputQuantityList, path + ".inputQuantityList");
                Quantities(t.OutputQuantityList, path + ".outputQuantityList");
                if (t.InputEpcList.IsEmpty && t.InputQuantityList.IsEmpty && t.OutputEpcList.IsEmpty && t.OutputQuantityList.IsEmpty)
                    throw new EpcisFormatException(path + ".inputEPCList", "required", "a TransformationEvent needs inputs or outputs");
                break;
            case AssociationEvent s:
                Uri(s.ParentId, path + ".parentID");
                Uris(s.ChildEpcs, path + ".childEPCs");
                Quantities(s.ChildQuantityList, path + ".childQuantityList");
                break;
        }
        switch (e)
        {
            case ObjectEvent o when o.EpcList.IsEmpty && o.QuantityList.IsEmpty && o.SensorElementList.IsEmpty:
                throw new EpcisFormatException(path + ".epcList", "required", "an ObjectEvent needs epcList, quantityList or sensorElementList");
            case TransactionEvent t when t.BizTransactionList.IsEmpty:
                throw new EpcisFormatException(path + ".bizTransactionList", "required", "a TransactionEvent needs a non-empty bizTransactionList");
        }
    }
}
