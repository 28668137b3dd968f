namespace Tessera.Store.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes; every wait in these tests is bounded.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what} did not happen within {timeout.TotalSeconds} s");
            }

            await Task.Delay(50);
        }
    }
}
