using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Model.Tenants;

namespace Tessera.Proxy.Coordination;

/// <remarks>Reading the store's documents: an unreadable one is logged and counts as absent.</remarks>
internal sealed partial class StoreAgent
{
    /// <summary>
    /// The document <paramref name="json"/> at <paramref name="key"/>, or null (logged, naming <paramref name="what"/>)
    /// when it does not parse: an unreadable namespace is not served, an unreadable fresh-replica set leaves reads at
    /// the masters, an unreadable registration is not counted.
    /// </summary>
    private T? Read<T>(string key, string json, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, TesseraJson.Options);
        }
        catch (JsonException ex)
        {
            _logger.LogError("Ignoring unreadable {What} {Key}: {Reason}", what, key, ex.Message);
            return null;
        }
    }

    /// <summary>A namespace's access document arrived, changed or went: its users to the tenants, its backend credentials to the backends.</summary>
    private void ApplyAccess(string ns, NamespaceAccess? access)
    {
        _tenants.SetAccess(ns, access);
        _backends.SetCredentials(ns, access?.Backend);
    }

    /// <summary>An access document; an unreadable one counts as no users (nobody gets in by it) and is logged.</summary>
    private NamespaceAccess? ParseAccess(string key, string json)
    {
        try
        {
            var access = JsonSerializer.Deserialize<NamespaceAccess>(json, TesseraJson.Options);
            _ = access is null || access.Salt.Length == 0 ? [] : Convert.FromBase64String(access.Salt);
            return access;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            _logger.LogError("Ignoring unreadable access document {Key}: {Reason}", key, ex.Message);
            return null;
        }
    }
}
