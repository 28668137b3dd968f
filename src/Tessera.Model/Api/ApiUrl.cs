namespace Tessera.Model.Api;

/// <summary>Joins a service's base URL and one of its route paths the one way every client does.</summary>
public static class ApiUrl
{
    /// <summary>
    /// <paramref name="path"/> (<see cref="ControllerRoutes"/>, <see cref="ProxyAdminRoutes"/>, with or without a
    /// query) under <paramref name="baseUrl"/>, which may or may not end with "/" and may carry a path prefix.
    /// </summary>
    /// <exception cref="UriFormatException"><paramref name="baseUrl"/> is not an absolute URL.</exception>
    public static Uri Combine(string baseUrl, string path)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(path);
        return new Uri(new Uri(baseUrl.TrimEnd('/') + "/"), path.TrimStart('/'));
    }

    /// <inheritdoc cref="Combine(string, string)"/>
    public static Uri Combine(Uri baseUrl, string path)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return Combine(baseUrl.ToString(), path);
    }
}
