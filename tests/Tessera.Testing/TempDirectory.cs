namespace Tessera.Testing;

/// <summary>
/// A fresh folder under the system's temp folder (<c>prefix-XXXXXX</c>), deleted on dispose (retried briefly: a
/// server that is shutting down may write one last log line). <see cref="StoreUrl"/> is a file store inside it.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "tessera-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    /// <summary>A file:/// store URL in a subfolder.</summary>
    public string StoreUrl => new Uri(System.IO.Path.Combine(Path, "store")).AbsoluteUri;

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        for (var attempt = 0; attempt < 5 && Directory.Exists(Path); attempt++)
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(100);
            }
        }
    }
}
