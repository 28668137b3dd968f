using System.Net;
using Tessera.Controller.Api;

namespace Tessera.Controller.Tests.Support;

/// <summary>Asserts on controller refusals: the status and words that make the message useful.</summary>
public static class ApiAssert
{
    public static async Task<ControllerApiException> RefusedAsync(Func<Task> call, HttpStatusCode status, params string[] mentions)
    {
        var refused = await Assert.ThrowsAnyAsync<ControllerApiException>(call);
        Assert.True(refused.StatusCode == status, $"expected {(int)status} but got {(int)refused.StatusCode}: {refused.Message}");
        foreach (var words in mentions)
        {
            Assert.True(refused.Message.Contains(words, StringComparison.Ordinal), $"the error should mention \"{words}\": {refused.Message}");
        }

        return refused;
    }
}
