namespace Tessera.Testing;

/// <summary>Keys chosen by where they hash, for tests on the two-group cluster (slots 0-511 on group 1, 512-1023 on group 2).</summary>
public static class TestKeys
{
    /// <summary>The first key "prefix:N" whose slot belongs to <paramref name="group"/> (1 or 2).</summary>
    public static string OnGroup(int group, string prefix)
    {
        for (int i = 0; ; i++)
        {
            string key = $"{prefix}:{i}";
            if ((Tessera.Resp.Keys.KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(key)) < 512) == (group == 1))
            {
                return key;
            }
        }
    }
}
