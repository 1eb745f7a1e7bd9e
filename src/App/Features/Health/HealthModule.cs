using App.Infrastructure.Database;

namespace App.Features.Health;

/// <summary>Liveness for the process supervisor, readiness for the load balancer.</summary>
public sealed class HealthModule : ICarterModule
{
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(3);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/healthz", () => TypedResults.Text("ok"));
        group.MapGet("/readyz", CheckReadiness);
    }

    /// <summary>Ready when the database answers and every migration this build ships has been applied.</summary>
    public static async Task<ContentHttpResult> CheckReadiness(
        NpgsqlDataSource db, ILogger<HealthModule> logger, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadinessTimeout);
        try
        {
            await using var connection = await db.OpenConnectionAsync(timeout.Token);
            var pending = await DatabaseMigrator.PendingScriptsAsync(connection, timeout.Token);
            return pending.Count == 0
                ? TypedResults.Text("ready")
                : TypedResults.Text($"migrations not applied: {string.Join(", ", pending)}", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            logger.LogWarning("Readiness check failed: {Reason}", e.Message);
            return TypedResults.Text("database unreachable", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
