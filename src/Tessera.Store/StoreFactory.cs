using Tessera.Store.Etcd;
using Tessera.Store.Files;

namespace Tessera.Store;

/// <summary>Opens the coordinator store a URL names.</summary>
public static class StoreFactory
{
    /// <summary>What <see cref="Open"/> accepts, for help texts and error messages.</summary>
    public const string AcceptedUrls = "file:///absolute/path (embedded store for one machine) or etcd://[user[:password]@]host:port[,host:port…] (etcd v3 cluster; with a user and no password, the password comes from $TESSERA_ETCD_PASSWORD; etcds://…[?ca=/path/ca.pem] for TLS)";

    /// <summary>
    /// <c>file:///abs/path</c> → <see cref="FileStore"/>; <c>etcd://host:port[,host:port…]</c> → <see cref="EtcdStore"/>
    /// (port 2379 when omitted). Anything else throws <see cref="ArgumentException"/>.
    /// </summary>
    public static ICoordinatorStore Open(string url, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || !uri.IsFile || !string.IsNullOrEmpty(uri.Host) || !url.StartsWith("file:///", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid(url, "a file URL needs an absolute path and no host, like file:///var/lib/tessera");
            }

            return new FileStore(uri.LocalPath, new FileStoreOptions { TimeProvider = timeProvider ?? TimeProvider.System });
        }

        if (url.StartsWith("etcd://", StringComparison.OrdinalIgnoreCase) || url.StartsWith(EtcdStore.TlsScheme, StringComparison.OrdinalIgnoreCase))
        {
            IReadOnlyList<Uri> endpoints;
            (string Url, string? User, string? Password) split;
            string? caFile;
            try
            {
                split = EtcdStore.SplitCredentials(url);
                endpoints = EtcdStore.ParseEndpoints(split.Url);
                caFile = EtcdStore.ParseCaFile(split.Url);
            }
            catch (ArgumentException e)
            {
                // Never echo a URL that may hold a password.
                throw Invalid(System.Text.RegularExpressions.Regex.Replace(url, "//[^/]*@", "//***@"), e.Message);
            }

            return new EtcdStore(endpoints, new EtcdStoreOptions { User = split.User, Password = split.Password, CaFile = caFile });
        }

        throw Invalid(url, "unknown scheme");
    }

    private static ArgumentException Invalid(string url, string problem) =>
        new($"Store URL \"{url}\" is not usable ({problem}). Accepted: {AcceptedUrls}.", nameof(url));
}
