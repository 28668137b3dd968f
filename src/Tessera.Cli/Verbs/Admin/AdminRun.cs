using System.CommandLine;
using Tessera.Cli.Hosting;
using Tessera.Controller.Api;
using Tessera.Model.Api;
using Tessera.Model.Security;

namespace Tessera.Cli.Verbs.Admin;

/// <summary>
/// Runs one admin verb against the controller: builds the client from <c>--controller</c> and the token
/// (<see cref="TokenSource"/>), and turns every refusal into one line on stderr (<c>error: …</c>) and exit code 1.
/// </summary>
internal static class AdminRun
{
    public static async Task<int> RunAsync(ParseResult parse, Option<Uri> controller, Func<ControllerClient, AdminOutput, CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        var output = new AdminOutput(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        string? token;
        try
        {
            token = TokenSource.Find(parse.GetValue<string?>(AdminOptions.TokenName), parse.GetValue<string?>(AdminOptions.TokenFileName));
        }
        catch (TokenFileException e)
        {
            await output.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        ControllerClient client;
        try
        {
            client = new ControllerClient(parse.GetValue(controller)!, TlsTrust.CaFile(parse.GetValue<string?>(AdminOptions.CaCertName))) { FollowLeader = true, Token = token };
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            await output.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        using var owned = client;
        try
        {
            await action(client, output, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (ControllerApiException e)
        {
            await output.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await output.Error.WriteLineAsync("error: interrupted; a change already sent is finished by the controller (see `tessera status`)").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>Prints what a change did: its summary, how the pushes went, and warnings.</summary>
    public static void WriteChange(AdminOutput output, ChangeResult change, bool json)
    {
        if (json)
        {
            output.Json(change);
            return;
        }

        output.Line(change.Summary);
        foreach (var push in change.Pushes)
        {
            if (push.Proxies.Count == 0)
            {
                output.Line($"  epoch {push.Epoch} ({push.Phase}): no proxies registered; they load it from the store when they start");
                continue;
            }

            var acked = push.Proxies.Count(static p => p.Outcome == PushOutcome.Acked);
            var line = $"  epoch {push.Epoch} ({push.Phase}) pushed to {push.Proxies.Count} proxies: {acked} acked";
            foreach (var proxy in push.Proxies.Where(static p => p.Outcome != PushOutcome.Acked))
            {
                line += $"; {proxy.Id} {(proxy.Outcome == PushOutcome.WaitedOut ? "waited out" : "unacknowledged")} ({proxy.Detail})";
            }

            output.Line(line);
        }

        foreach (var warning in change.Warnings)
        {
            output.Error.WriteLine("warning: " + warning);
        }
    }
}
