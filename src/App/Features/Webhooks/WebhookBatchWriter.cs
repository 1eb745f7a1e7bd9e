using System.Threading.Channels;

namespace App.Features.Webhooks;

/// <summary>
/// Writes deliveries to calendly_webhook_events a batch at a time (group commit): deliveries that arrive while a batch
/// is being written wait for the next one, which stores them all in one INSERT and one commit instead of one each. A
/// delivery's task completes only after its batch is committed, so the 2xx still follows the commit.
/// </summary>
public sealed class WebhookBatchWriter(NpgsqlDataSource db, ILogger<WebhookBatchWriter> logger) : BackgroundService
{
    // Large enough to cover a burst of Calendly's retries; small enough that one INSERT stays quick.
    private const int MaxBatch = 256;

    private sealed record Waiting(CalendlyWebhookEvents.NewEvent Delivery, TaskCompletionSource<bool> Stored);

    private readonly Channel<Waiting> _queue = Channel.CreateUnbounded<Waiting>(new UnboundedChannelOptions { SingleReader = true });

    // A batch with new events wakes this instance's processor at once; other instances find them when they next poll.
    private readonly Channel<bool> _newEvents = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private long _batchesStored;

    /// <summary>How many batches with new events this instance has committed: the processor sees from it whether deliveries are arriving.</summary>
    public long BatchesStored => Interlocked.Read(ref _batchesStored);

    /// <summary>Returns once a batch with new events has been committed here, or when <paramref name="timeout"/> has passed.</summary>
    public async Task WaitForNewEventsAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            await _newEvents.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Stores the delivery unless its identity is already stored; true when it is new. Not cancellable: once queued the
    /// delivery may be committed whether or not anyone waits, and Calendly's retry is then recognised.
    /// </summary>
    public async Task<bool> StoreAsync(CalendlyWebhookEvents.NewEvent delivery)
    {
        var waiting = new Waiting(delivery, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(waiting)) throw new WriterStoppedException();
        return await waiting.Stored.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Waiting>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var waiting)) batch.Add(waiting);
                await WriteAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Stopping: whatever was not written is refused (not acknowledged), so Calendly delivers it again.
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var waiting)) batch.Add(waiting);
        foreach (var waiting in batch) waiting.Stored.TrySetException(new WriterStoppedException());
    }

    private async Task WriteAsync(List<Waiting> batch)
    {
        // One row per identity: a redelivery in the same batch is a duplicate of the first.
        var distinct = batch.DistinctBy(w => w.Delivery.DedupeKey).Select(w => w.Delivery).ToArray();
        HashSet<string> inserted;
        try
        {
            await using var connection = await db.OpenConnectionAsync(CancellationToken.None);
            inserted = await CalendlyWebhookEvents.StoreAllAsync(connection, distinct, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not store {Count} webhook deliveries; they are refused and Calendly will deliver them again", batch.Count);
            foreach (var waiting in batch) waiting.Stored.TrySetException(e);
            return;
        }
        if (inserted.Count > 0)
        {
            Interlocked.Increment(ref _batchesStored);
            _newEvents.Writer.TryWrite(true);
        }
        // The first delivery of a new identity stored it; any other with that identity is a duplicate.
        foreach (var waiting in batch) waiting.Stored.TrySetResult(inserted.Remove(waiting.Delivery.DedupeKey));
    }
}

/// <summary>The app is stopping: a delivery is refused rather than acknowledged unstored.</summary>
public sealed class WriterStoppedException() : Exception("The app is stopping and stores no more webhook deliveries.");
