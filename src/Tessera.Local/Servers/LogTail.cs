using System.Text;

namespace Tessera.Local.Servers;

/// <summary>Reads the last lines of a log file that a running process may still be writing.</summary>
public static class LogTail
{
    /// <summary>Bytes read from the end of the file; enough for the last few dozen Redis log lines.</summary>
    private const int TailBytes = 8 * 1024;

    /// <summary>The last <paramref name="maxLines"/> lines of <paramref name="path"/>, or a note saying why there are none.</summary>
    public static string Read(string path, int maxLines = 30)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            // FileShare.ReadWrite: redis-server keeps the log open for appending.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = Math.Max(0, stream.Length - TailBytes);
            stream.Seek(start, SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = reader.ReadToEnd();
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

            // When we started mid-file the first line is probably cut; drop it.
            var first = start > 0 ? 1 : 0;
            var from = Math.Max(first, lines.Length - maxLines);
            return from >= lines.Length ? "(log is empty)" : string.Join('\n', lines[from..]);
        }
        catch (FileNotFoundException)
        {
            return $"(no log at {path}: the server did not get far enough to open it)";
        }
        catch (DirectoryNotFoundException)
        {
            return $"(no log at {path}: its directory does not exist)";
        }
        catch (IOException e)
        {
            return $"(could not read {path}: {e.Message})";
        }
        catch (UnauthorizedAccessException e)
        {
            return $"(could not read {path}: {e.Message})";
        }
    }
}
