namespace Tessera.Model.Tenants;

/// <summary>Redis 7's ACL command categories, the names a user's denied list may hold (<c>ACL CAT</c> lists the same).</summary>
public static class AclCategories
{
    /// <summary>Every category, with its leading '@'. The order is fixed: proxies number the categories by it.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "@keyspace", "@read", "@write", "@set", "@sortedset", "@list", "@hash", "@string", "@bitmap", "@hyperloglog",
        "@geo", "@stream", "@pubsub", "@admin", "@fast", "@slow", "@blocking", "@dangerous", "@connection",
        "@transaction", "@scripting",
    ];

    /// <summary>
    /// The category as Redis writes it ("admin" and "@ADMIN" both give "@admin"), or null when there is no such
    /// category.
    /// </summary>
    public static string? Normalize(string? category)
    {
        if (string.IsNullOrWhiteSpace(category))
        {
            return null;
        }

        var name = category.Trim().ToLowerInvariant();
        name = name.StartsWith('@') ? name : "@" + name;
        return All.Contains(name) ? name : null;
    }
}
