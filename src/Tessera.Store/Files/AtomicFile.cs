namespace Tessera.Store.Files;

/// <summary>Whole-file writes that readers never see half done: write a hidden temp file beside the target, then rename over it.</summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        string directory = Path.GetDirectoryName(path)!;

        // Temp names start with '.', which no encoded key segment does, so listings never pick them up.
        string temp = Path.Combine(directory, "." + Path.GetFileName(path) + ".tmp-" + Guid.NewGuid().ToString("N"));
        try
        {
            WriteNew(temp, contents);
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(directory);
            WriteNew(temp, contents);
        }

        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Reads a whole file; null when it does not exist (a concurrent delete is not an error for readers).</summary>
    public static byte[]? TryRead(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static void WriteNew(string path, ReadOnlySpan<byte> contents)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        stream.Write(contents);
    }
}
