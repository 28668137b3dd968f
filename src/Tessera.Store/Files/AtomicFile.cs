namespace Tessera.Store.Files;

/// <summary>Whole-file writes that readers never see half done: write a hidden temp file beside the target, then rename over it.</summary>
internal static class AtomicFile
{
    /// <param name="path">The file to replace.</param>
    /// <param name="contents">Its new contents.</param>
    /// <param name="durable">
    /// Flush the temp file to disk (fsync) before the rename, so that after a machine crash the file holds either
    /// its old or its new contents, never an empty or partial one (the rename itself may be lost: the old version
    /// is then what is read). Lease heartbeats skip it: they are rewritten every few seconds, and a lease whose
    /// holder crashed with the machine is dead anyway.
    /// </param>
    public static void Write(string path, ReadOnlySpan<byte> contents, bool durable = true)
    {
        string directory = Path.GetDirectoryName(path)!;

        // Temp names start with '.', which no encoded key segment does, so listings never pick them up.
        string temp = Path.Combine(directory, "." + Path.GetFileName(path) + ".tmp-" + Guid.NewGuid().ToString("N"));
        try
        {
            WriteNew(temp, contents, durable);
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(directory);
            WriteNew(temp, contents, durable);
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

    private static void WriteNew(string path, ReadOnlySpan<byte> contents, bool durable)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        stream.Write(contents);
        if (durable)
        {
            stream.Flush(flushToDisk: true);
        }
    }
}
