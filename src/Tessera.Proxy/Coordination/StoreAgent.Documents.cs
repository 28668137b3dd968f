using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Model.Security;
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

    /// <summary>A namespace's access document arrived, changed or went: its users to the tenants, its backend credentials and TLS to the backends.</summary>
    private void ApplyAccess(string ns, NamespaceAccess? access)
    {
        _tenants.SetAccess(ns, access);
        ApplyBackendTls(ns, access?.BackendTls);
        _backends.SetCredentials(ns, access?.Backend);
    }

    /// <summary>
    /// The namespace's backend TLS to the backends, parsed once per change. Settings that cannot be parsed (the controller
    /// checks them, so only a hand-edited document) are logged and the previous ones kept, as a bad later config is.
    /// </summary>
    private void ApplyBackendTls(string ns, BackendTls? settings)
    {
        if (settings is null)
        {
            if (_backends.SetTls(ns, null))
            {
                _logger.LogInformation("Namespace {Namespace}: backend TLS removed; its servers are reached over plain TCP.", ns);
            }

            return;
        }

        if (_backends.TlsOf(ns) == settings)
        {
            return;
        }

        try
        {
            var tls = BackendTlsClient.Create(settings);
            _backends.SetTls(ns, tls);
            _logger.LogInformation("Namespace {Namespace}: backend TLS set (CA {Ca}, client certificate {Client}); its links reconnect.", ns, tls.Ca.Subject, tls.ClientCertificate?.Subject ?? "none");
        }
        catch (ArgumentException ex)
        {
            _logger.LogError("Namespace {Namespace}: ignoring its backend TLS, which cannot be used ({Reason}); keeping the previous settings.", ns, ex.Message);
        }
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
