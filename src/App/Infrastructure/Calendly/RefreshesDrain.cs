namespace App.Infrastructure.Calendly;

/// <summary>
/// On shutdown (a deploy, a scale-down: SIGTERM), waits for the token refreshes in flight to commit before the process
/// exits, within the host's shutdown timeout (set above the Calendly deadline in Program.cs; fly.toml's kill_timeout
/// allows it). A refresh that reached Calendly and died unsaved would leave the coach with a dead refresh token.
/// </summary>
public sealed class RefreshesDrain(CalendlyTokens tokens, ILogger<RefreshesDrain> logger) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken ct)
    {
        var done = tokens.WhenRefreshesDoneAsync();
        if (done.IsCompleted) return;
        logger.LogInformation("Stopping: waiting for the Calendly token refreshes in flight to be saved");
        await done.WaitAsync(ct);
    }
}
