namespace Tessera.Clients.Tests.Differential;

/// <summary>What one step does on its client's connection.</summary>
public enum StepKind
{
    /// <summary>Send one command and read its reply.</summary>
    Call,

    /// <summary>Send one command and do not wait (a blocking command); a later <see cref="Read"/> takes its reply.</summary>
    Send,

    /// <summary>Read the next reply or push on the connection (a blocked command's answer, a pub/sub message).</summary>
    Read,

    /// <summary>Send every command of <see cref="Step.Pipeline"/> in one write, then read all their replies.</summary>
    Pipeline,

    /// <summary>
    /// Wait until the redis-servers behind the endpoint hold <see cref="Step.Blocked"/> blocked clients (INFO clients
    /// <c>blocked_clients</c>, summed): what another client does next then surely finds the blocked command waiting.
    /// </summary>
    UntilBlocked,
}

/// <summary>
/// How a reply is made comparable when its content differs by nature between two servers. Declared per step,
/// so every normalisation is visible in the case that needs it.
/// </summary>
public enum Normalise
{
    None,

    /// <summary>Keep the reply's structure (types, array lengths, error/non-error), drop every scalar's content: TIME, INFO, ids.</summary>
    Shape,

    /// <summary>
    /// Every aggregate's elements sorted, at every depth: replies whose order comes from a server's hash table
    /// (COMMAND INFO, COMMAND DOCS, COMMAND LIST and their subcommands).
    /// </summary>
    Unordered,
}

/// <summary>One step of a case: which client (0, 1, ...) does what.</summary>
public sealed record Step(int Client, StepKind Kind, string[] Command, Normalise Normalise = Normalise.None)
{
    /// <summary>The commands of a <see cref="StepKind.Pipeline"/> step.</summary>
    public IReadOnlyList<string[]> Pipeline { get; init; } = [];

    public static Step Call(int client, params string[] command) => new(client, StepKind.Call, command);

    public static Step Send(int client, params string[] command) => new(client, StepKind.Send, command);

    public static Step Read(int client) => new(client, StepKind.Read, []);

    public static Step Pipelined(int client, params string[][] commands) => new(client, StepKind.Pipeline, []) { Pipeline = commands };

    /// <summary>The number of blocked clients an <see cref="StepKind.UntilBlocked"/> step waits for.</summary>
    public int Blocked { get; init; }

    public static Step UntilBlocked(int count) => new(-1, StepKind.UntilBlocked, []) { Blocked = count };

    public Step Normalised(Normalise how) => this with { Normalise = how };

    public override string ToString() => Kind switch
    {
        StepKind.Read => $"client {Client}: read",
        StepKind.UntilBlocked => $"until {Blocked} blocked",
        StepKind.Pipeline => $"client {Client}: pipeline [{string.Join("; ", Pipeline.Select(Text))}]",
        _ => $"client {Client}: {Text(Command)}{(Kind == StepKind.Send ? " (no wait)" : "")}",
    };

    internal static string Text(string[] command) => string.Join(' ', command.Select(a => a.Length == 0 || a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
}

/// <summary>A named command sequence run against a plain redis-server and through the proxy.</summary>
public sealed record DiffCase(string Name, IReadOnlyList<Step> Steps)
{
    public override string ToString() => Name;
}
