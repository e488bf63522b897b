using System.Text;
using Ledger.Protocol.Consortium;

namespace Ledger.Engine.Consortium;

/// <summary>Reads and writes a node's <c>consortium.json</c> (format and rules: <see cref="ConsortiumFile"/>, docs/spec/consortium.md).</summary>
public static class ConsortiumStore
{
    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="ConsortiumFormatException">Field <c>file</c> with rule <c>missing</c> or <c>io</c>, or any rule of <see cref="ConsortiumFile.Parse"/>.</exception>
    public static ConsortiumDefinition Load(string path)
    {
        var full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full, Encoding.UTF8);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConsortiumFormatException("file", "missing", $"{full} does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConsortiumFormatException("file", "io", $"cannot read {full}: {e.Message}", e);
        }
        return ConsortiumFile.Parse(text);
    }

    /// <summary>
    /// Validates and writes <paramref name="definition"/> to <paramref name="path"/>: the text goes to a temporary file in the
    /// same directory, is flushed to disk, then renamed over the target, so readers see the old file or the new one, never a mix.
    /// </summary>
    /// <exception cref="ConsortiumFormatException">A rule of <see cref="ConsortiumFile.Validate"/>, or field <c>file</c> rule <c>io</c>.</exception>
    public static void Save(string path, ConsortiumDefinition definition)
    {
        var bytes = Encoding.UTF8.GetBytes(ConsortiumFile.Serialize(definition));
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConsortiumFormatException("file", "io", $"cannot write {full}: {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }
}
