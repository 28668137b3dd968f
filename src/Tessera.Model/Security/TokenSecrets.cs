using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Model.Security;

/// <summary>
/// Making and checking secrets: API tokens are <c>tsr_</c> + 32 random bytes in base64url (shown once, stored as
/// their SHA-256 in hex); the cluster secret is 32 random bytes in base64url. Comparisons take constant time.
/// </summary>
public static class TokenSecrets
{
    /// <summary>What every API token starts with, so one found in a log or a file is recognisable.</summary>
    public const string Prefix = "tsr_";

    /// <summary>A new API token.</summary>
    public static string NewToken() => Prefix + NewSecret();

    /// <summary>32 random bytes in base64url (no padding).</summary>
    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The SHA-256 of <paramref name="token"/>'s UTF-8 bytes, lower-case hex: what the store keeps.</summary>
    public static string Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>True when both strings are equal, in time that depends only on their lengths.</summary>
    public static bool FixedTimeEquals(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
    }
}
