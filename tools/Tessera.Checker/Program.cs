using System.CommandLine;
using System.Text.Json;
using Tessera.Checker.Counters;

// tessera-checker: counters under load through proxies; prints a JSON summary, exits 1 on lost or stale data.
var endpoints = new Option<string>("--endpoints")
{
    Description = "Comma-separated host:port of the proxies to go through, e.g. 127.0.0.1:19000,127.0.0.1:19001.",
    Required = true,
};
var writers = new Option<int>("--writers") { Description = "Tasks sending INCR.", DefaultValueFactory = _ => 8 };
var readers = new Option<int>("--readers") { Description = "Tasks sending GET and checking values.", DefaultValueFactory = _ => 4 };
var keys = new Option<int>("--keys") { Description = "Number of counters.", DefaultValueFactory = _ => 1000 };
var seconds = new Option<double>("--duration") { Description = "Seconds to run.", DefaultValueFactory = _ => 30 };
var prefix = new Option<string>("--prefix") { Description = "Counter key prefix (keys are PREFIX:0 … PREFIX:N-1).", DefaultValueFactory = _ => "chk" };
var reset = new Option<bool>("--reset") { Description = "Set every counter to 0 first instead of continuing from its current value." };
var password = new Option<string?>("--password") { Description = "AUTH argument(s) for every connection: \"password\" or \"namespace password\"." };

var root = new RootCommand("""
    Checks a Tessera deployment under load: writers INCR counters through every proxy in turn, readers check that
    no value ever goes backwards, and at the end every acknowledged increment must be present. Prints a JSON
    summary {acknowledged, lost, stale, excess, errors, ...} and exits 1 when anything was lost, stale or in excess
    (errors returned to clients are counted and reported, but do not fail the run).
    """)
{
    endpoints, writers, readers, keys, seconds, prefix, reset, password,
};
root.SetAction(async (parse, cancel) =>
{
    CheckerOptions options;
    try
    {
        options = new CheckerOptions
        {
            Endpoints = [.. parse.GetValue(endpoints)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            Writers = parse.GetValue(writers),
            Readers = parse.GetValue(readers),
            Keys = parse.GetValue(keys),
            Duration = TimeSpan.FromSeconds(parse.GetValue(seconds)),
            Prefix = parse.GetValue(prefix)!,
            Reset = parse.GetValue(reset),
            Password = parse.GetValue(password),
        };
        options.Validate();
    }
    catch (ArgumentException e)
    {
        await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
        return 2;
    }

    try
    {
        var summary = await new CounterChecker(options).RunAsync(cancel).ConfigureAwait(false);
        Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        return summary.Ok ? 0 : 1;
    }
    catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
    {
        await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
        return 3;
    }
});
return await root.Parse(args).InvokeAsync();
