using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Store;

namespace Tessera.Testing;

/// <summary>
/// Where test controllers write the first admin token of their store (one file per store URL, in a folder of this
/// test process, never the user's ~/.config), and which controller URL belongs to which store, so helpers
/// (<see cref="TestControllers.Client"/>, <see cref="AdminCli"/>) send the right admin token without each test
/// passing it.
/// </summary>
public static class TestTokens
{
    private static readonly Lazy<string> Folder = new(static () =>
    {
        var folder = Directory.CreateTempSubdirectory("tessera-tokens-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A few bytes left in the temp folder; nothing to fail the run for.
            }
        };
        return folder;
    });

    private static readonly ConcurrentDictionary<string, string> FileByController = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The admin token file of the controllers on <paramref name="storeUrl"/>.</summary>
    public static string FileFor(string storeUrl) =>
        Path.Combine(Folder.Value, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(storeUrl)))[..16] + ".token");

    /// <summary>Notes that the controller at <paramref name="controllerUrl"/> runs on <paramref name="storeUrl"/>.</summary>
    public static void Register(Uri controllerUrl, string storeUrl) => FileByController[Key(controllerUrl.ToString())] = FileFor(storeUrl);

    /// <summary>The admin token of <paramref name="storeUrl"/> (its first controller wrote it before listening).</summary>
    public static string AdminToken(string storeUrl) => Read(FileFor(storeUrl));

    /// <summary>The admin token of the store the controller at <paramref name="controllerUrl"/> runs on, or null when it is not known here.</summary>
    public static string? ForController(string controllerUrl) =>
        FileByController.TryGetValue(Key(controllerUrl), out var file) && File.Exists(file) ? Read(file) : null;

    /// <summary>
    /// The store's cluster secret, created here when it has none (as a controller's first start would), for tests
    /// that run proxies on a store without a controller, or call a proxy's admin API as the controller does.
    /// </summary>
    public static async Task<string> ClusterSecretAsync(ICoordinatorStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var document = JsonSerializer.Serialize(new ClusterSecretDocument(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))), TesseraJson.Options);
        await store.CreateAsync(StorePaths.ClusterSecret, document);
        var stored = await store.GetAsync(StorePaths.ClusterSecret) ?? throw new InvalidOperationException("the cluster secret vanished from the store");
        return JsonSerializer.Deserialize<ClusterSecretDocument>(stored.Value, TesseraJson.Options)!.Secret;
    }

    /// <summary><see cref="ClusterSecretAsync(ICoordinatorStore)"/> of the store at <paramref name="storeUrl"/>.</summary>
    public static async Task<string> ClusterSecretAsync(string storeUrl)
    {
        await using var store = StoreFactory.Open(storeUrl);
        return await ClusterSecretAsync(store);
    }

    /// <summary>An HttpClient for a proxy's admin API that sends the store's cluster secret, as controllers do.</summary>
    public static async Task<HttpClient> ProxyAdminHttpAsync(Uri adminUrl, string storeUrl, TimeSpan timeout)
    {
        var http = new HttpClient { BaseAddress = adminUrl, Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await ClusterSecretAsync(storeUrl));
        return http;
    }

    private static string Read(string file) => File.ReadAllText(file).Trim();

    private static string Key(string url) => url.Trim().TrimEnd('/');
}
