using Microsoft.Extensions.DependencyInjection.Extensions;

namespace App.Infrastructure.Database;

/// <summary>
/// Something that acts on PostgreSQL notifications (NOTIFY) sent by any instance, or by the database itself.
/// </summary>
public interface INotificationHandler
{
    /// <summary>The channels it listens on.</summary>
    IReadOnlyCollection<string> Channels { get; }

    /// <summary>A notification on one of <see cref="Channels"/>. Called on the listening connection's loop: must not block.</summary>
    void Handle(string channel, string payload);

    /// <summary>Listening has begun, or begun again: from now on every notification reaches <see cref="Handle"/>.</summary>
    void Listening()
    {
    }

    /// <summary>
    /// Listening again after the connection was lost: NOTIFY is not queued for a listener that is away, so whatever was
    /// sent meanwhile is missed and the handler makes up for it.
    /// </summary>
    Task ResumeAsync(CancellationToken ct);
}

/// <summary>
/// One listening connection per instance, whatever the number of handlers and channels (and of the people they serve):
/// it listens on every handler's channels and hands each notification to the handlers of its channel. After the
/// connection is lost (a database restart, a network blip) it reconnects within a second, backing off to five seconds
/// in a long outage, and tells every handler it was away.
/// </summary>
public sealed class DatabaseNotificationListener(NpgsqlDataSource db, IEnumerable<INotificationHandler> handlers,
    ILogger<DatabaseNotificationListener> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    private readonly ILookup<string, INotificationHandler> _byChannel =
        handlers.SelectMany(handler => handler.Channels, (handler, channel) => (handler, channel)).ToLookup(h => h.channel, h => h.handler);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        var listenedBefore = false;
        // Channel names are the handlers' constants, never input.
        var listen = string.Join("; ", _byChannel.Select(channel => $"listen {channel.Key}"));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => Dispatch(e.Channel, e.Payload);
                await connection.ExecuteAsync(listen);
                foreach (var handler in _byChannel.SelectMany(channel => channel).Distinct()) handler.Listening();
                if (listenedBefore)
                {
                    foreach (var handler in _byChannel.SelectMany(channel => channel).Distinct())
                        await handler.ResumeAsync(stoppingToken);
                    logger.LogInformation("Listening for database notifications again ({Channels})", string.Join(", ", _byChannel.Select(c => c.Key)));
                }
                listenedBefore = true;
                retry = FirstRetry;
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Listening for database notifications failed ({Reason}); trying again in {Retry}", e.Message, retry);
                await Task.Delay(retry, stoppingToken);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Dispatch(string channel, string payload)
    {
        foreach (var handler in _byChannel[channel])
        {
            try
            {
                handler.Handle(channel, payload);
            }
            catch (Exception e)
            {
                // One handler's bad day must not end the connection every other handler listens on.
                logger.LogWarning("A {Handler} could not handle a notification on {Channel}: {Reason}", handler.GetType().Name, channel, e.Message);
            }
        }
    }
}

public static class DatabaseNotificationServices
{
    /// <summary>Registers a handler of database notifications (a singleton), and the one listener they all share.</summary>
    public static IServiceCollection AddNotificationHandler<THandler>(this IServiceCollection services)
        where THandler : class, INotificationHandler
    {
        services.TryAddSingleton<THandler>();
        services.AddSingleton<INotificationHandler>(provider => provider.GetRequiredService<THandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DatabaseNotificationListener>());
        return services;
    }
}
