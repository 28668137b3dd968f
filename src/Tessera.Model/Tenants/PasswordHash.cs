using System.Security.Cryptography;

namespace Tessera.Model.Tenants;

/// <summary>
/// How namespace passwords are stored: HMAC-SHA256 keyed with the namespace's random salt, as lowercase hex.
/// </summary>
/// <remarks>
/// Why a fast keyed hash and not a slow one (PBKDF2, bcrypt): the <c>AUTH &lt;password&gt;</c> form (twemproxy, Codis)
/// finds the namespace from the password alone, and passwords must be unique across the store, so the hash must
/// be deterministic per namespace and cheap enough to compute once per namespace on every AUTH (an AUTH flood
/// must not eat the proxy's CPU). Redis's own ACL stores SHA-256 of passwords for the same reasons; the salt makes
/// precomputed tables useless. Generated passwords (the default) are 32 random characters, out of reach of
/// brute force with any hash.
/// </remarks>
public static class PasswordHash
{
    /// <summary>Bytes of random salt per namespace.</summary>
    public const int SaltBytes = 32;

    public static string NewSalt() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(SaltBytes));

    /// <summary>The hash of <paramref name="password"/> under <paramref name="salt"/> (base64, from <see cref="NewSalt"/>).</summary>
    public static string Compute(string salt, ReadOnlySpan<byte> password) => Compute(Convert.FromBase64String(salt), password);

    /// <summary>The hash of <paramref name="password"/> under the decoded salt.</summary>
    public static string Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> password)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, password, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>A new random password: 32 characters of letters and digits (about 190 bits).</summary>
    public static string Generate() => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
}
