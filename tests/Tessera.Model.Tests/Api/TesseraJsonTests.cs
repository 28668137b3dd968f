using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Topology;

namespace Tessera.Model.Tests.Api;

public sealed class TesseraJsonTests
{
    [Fact]
    public void Wire_options_write_camel_case_without_nulls_or_html_escaping_and_read_any_case()
    {
        var text = JsonSerializer.Serialize(new ApiError("use `tessera status` or 'x'"), TesseraJson.Options);

        Assert.Equal("""{"error":"use `tessera status` or 'x'"}""", text);
        Assert.Equal("boom", JsonSerializer.Deserialize<ApiError>("""{"ERROR":"boom"}""", TesseraJson.Options)!.Error);
    }

    [Fact]
    public void Config_file_options_take_comments_and_trailing_commas_but_no_unknown_keys()
    {
        const string file = """
            {
              // a comment
              "epoch": 3, /* another */
              "namespaces": [],
            }
            """;

        Assert.Equal(3, JsonSerializer.Deserialize<TopologyConfig>(file, TesseraJson.ConfigFile)!.Epoch);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TopologyConfig>("""{"epoch": 3, "epohc": 4}""", TesseraJson.ConfigFile));
        Assert.Contains("\n", JsonSerializer.Serialize(new TopologyConfig { Epoch = 1 }, TesseraJson.ConfigFile), StringComparison.Ordinal);
    }
}
