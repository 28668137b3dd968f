using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tessera.Model.Api;

namespace Tessera.Controller.Api;

/// <summary>
/// Request and answer bodies of the controller API, one way for every route: JSON with
/// <see cref="TesseraJson.Options"/>, and a missing or malformed body refused with 400 showing an example of
/// the body the route expects.
/// </summary>
internal static class ApiBodies
{
    /// <summary>An answer with <paramref name="value"/> as its JSON body.</summary>
    public static IResult Json<T>(T value) => Results.Json(value, TesseraJson.Options);

    /// <summary>An error answer: <c>{"error": message}</c> with <paramref name="status"/>.</summary>
    public static IResult Error(int status, string message) => Results.Json(new ApiError(message), TesseraJson.Options, statusCode: status);

    /// <summary>Reads a JSON body that the route requires; 400 showing <paramref name="example"/> when it is missing or malformed.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext http, string example)
        where T : class
    {
        try
        {
            // Any content type: `curl -d '{"name":"x"}'` sends form encoding by default, and the body is JSON all the same.
            var body = http.Request.ContentLength == 0
                ? null
                : await JsonSerializer.DeserializeAsync<T>(http.Request.Body, TesseraJson.Options, http.RequestAborted).ConfigureAwait(false);
            return body ?? throw Missing(http, example);
        }
        catch (Exception e) when (IsMalformed(e))
        {
            throw Malformed(http, example, e);
        }
    }

    /// <summary>
    /// Reads a JSON body that the route may go without: no body at all (a plain <c>curl -X POST</c>) means
    /// <paramref name="whenEmpty"/>. A chunked body has no length, so the body is read to know.
    /// </summary>
    public static async Task<T> ReadOrDefaultAsync<T>(HttpContext http, string example, Func<T> whenEmpty)
        where T : class
    {
        using var reader = new StreamReader(http.Request.Body);
        var text = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return whenEmpty();
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, TesseraJson.Options) ?? throw Missing(http, example);
        }
        catch (Exception e) when (IsMalformed(e))
        {
            throw Malformed(http, example, e);
        }
    }

    /// <summary>The <c>?limit=N</c> of a listing: 1–<paramref name="max"/>, 100 (or <paramref name="max"/> when smaller) when absent; 400 otherwise.</summary>
    public static int Limit(HttpContext http, int max)
    {
        if (!http.Request.Query.TryGetValue("limit", out var values) || values.Count == 0)
        {
            return Math.Min(100, max);
        }

        return int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0 && limit <= max
            ? limit
            : throw OperationRefusedException.BadRequest($"limit '{values[0]}' is not allowed; use 1–{max}");
    }

    private static bool IsMalformed(Exception e) => e is JsonException or InvalidOperationException or NotSupportedException;

    private static OperationRefusedException Missing(HttpContext http, string example) =>
        OperationRefusedException.BadRequest($"{http.Request.Method} {http.Request.Path} needs a JSON body like {example}");

    private static OperationRefusedException Malformed(HttpContext http, string example, Exception e) =>
        OperationRefusedException.BadRequest($"{http.Request.Method} {http.Request.Path} needs a JSON body like {example} ({e.Message.TrimEnd('.')})");
}
