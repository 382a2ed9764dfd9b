using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CleverTapSegment.Storage;

/// <summary>One queue. Failures throw <see cref="Azure.RequestFailedException"/> with the service's error code.</summary>
/// <remarks>REST reference: https://learn.microsoft.com/rest/api/storageservices/queue-service-rest-api</remarks>
public sealed class QueueClient
{
    // https://learn.microsoft.com/rest/api/storageservices/get-messages#uri-parameters
    private const int MaxMessagesPerGet = 32;
    private static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    private readonly HttpPipeline _pipeline;
    private readonly string _queueUri;

    internal QueueClient(HttpPipeline pipeline, Uri endpoint, string name)
    {
        _pipeline = pipeline;
        _queueUri = endpoint.AbsoluteUri.TrimEnd('/') + "/" + name;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Creates the queue; an existing one is fine (204, or 409 <c>QueueAlreadyExists</c> if it has metadata), one being deleted is not.</summary>
    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(RequestMethod.Put, _queueUri);
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status is 201 or 204)
            return;
        // 409 is also QueueBeingDeleted, which must surface: the queue is not usable yet.
        var error = StorageErrors.Create(response);
        if (error.Status != 409 || error.ErrorCode != "QueueAlreadyExists")
            throw error;
    }

    /// <summary>Puts UTF-8 text base64-encoded (what the Functions queue trigger expects).</summary>
    public Task<QueueSendReceipt> SendMessageAsync(string messageText, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        return PutMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(messageText)), visibilityDelay, timeToLive, cancellationToken);
    }

    /// <summary>Puts text exactly as given (no encoding): for copying a message to its poison queue unchanged.</summary>
    public Task<QueueSendReceipt> SendRawMessageAsync(string rawText, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rawText);
        return PutMessageAsync(rawText, visibilityDelay: null, timeToLive: null, cancellationToken);
    }

    /// <summary>Dequeues up to <paramref name="maxMessages"/> (1..32), hiding each for <paramref name="visibilityTimeout"/>.</summary>
    public async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ValidateCount(maxMessages);
        ValidateVisibility(visibilityTimeout, minimum: TimeSpan.FromSeconds(1), nameof(visibilityTimeout));
        using var request = CreateRequest(RequestMethod.Get, _queueUri + "/messages");
        request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture), escapeValue: false);
        request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout), escapeValue: false);
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status != 200)
            throw StorageErrors.Create(response);
        return QueueXml.Messages(response.Content.ToString())
            .Select(m => new QueueMessage(
                QueueXml.Text(m, "MessageId"), QueueXml.Text(m, "PopReceipt"), QueueXml.Text(m, "MessageText"),
                long.Parse(QueueXml.Text(m, "DequeueCount"), CultureInfo.InvariantCulture),
                QueueXml.Time(m, "InsertionTime"), QueueXml.Time(m, "ExpirationTime"), QueueXml.Time(m, "TimeNextVisible")))
            .ToList();
    }

    /// <summary>Looks at up to <paramref name="maxMessages"/> (1..32) visible messages without dequeuing them.</summary>
    public async Task<IReadOnlyList<PeekedQueueMessage>> PeekMessagesAsync(int maxMessages, CancellationToken cancellationToken = default)
    {
        ValidateCount(maxMessages);
        using var request = CreateRequest(RequestMethod.Get, _queueUri + "/messages");
        request.Uri.AppendQuery("peekonly", "true", escapeValue: false);
        request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture), escapeValue: false);
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status != 200)
            throw StorageErrors.Create(response);
        return QueueXml.Messages(response.Content.ToString())
            .Select(m => new PeekedQueueMessage(
                QueueXml.Text(m, "MessageId"), QueueXml.Text(m, "MessageText"),
                long.Parse(QueueXml.Text(m, "DequeueCount"), CultureInfo.InvariantCulture), QueueXml.Time(m, "InsertionTime")))
            .ToList();
    }

    /// <summary>Deletes a received message; 404 (already gone) and 400 (a newer pop receipt exists) throw.</summary>
    public async Task DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        using var request = CreateMessageRequest(RequestMethod.Delete, messageId, popReceipt);
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status != 204)
            throw StorageErrors.Create(response);
    }

    /// <summary>Makes a received message visible again after <paramref name="visibilityTimeout"/> (0 = now). The returned pop receipt replaces the old one.</summary>
    public async Task<QueueUpdateReceipt> UpdateMessageAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ValidateVisibility(visibilityTimeout, minimum: TimeSpan.Zero, nameof(visibilityTimeout));
        using var request = CreateMessageRequest(RequestMethod.Put, messageId, popReceipt);
        request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout), escapeValue: false);
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status != 204)
            throw StorageErrors.Create(response);
        if (!response.Headers.TryGetValue("x-ms-popreceipt", out var newReceipt) || !response.Headers.TryGetValue("x-ms-time-next-visible", out var nextVisible))
            throw new InvalidOperationException("The Queue service did not return the new pop receipt.");
        return new QueueUpdateReceipt(newReceipt, QueueXml.ParseTime(nextVisible));
    }

    // https://learn.microsoft.com/rest/api/storageservices/put-message
    private async Task<QueueSendReceipt> PutMessageAsync(string rawText, TimeSpan? visibilityDelay, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(RequestMethod.Post, _queueUri + "/messages");
        if (visibilityDelay is { } delay)
        {
            ValidateVisibility(delay, TimeSpan.Zero, nameof(visibilityDelay));
            request.Uri.AppendQuery("visibilitytimeout", Seconds(delay), escapeValue: false);
        }
        if (timeToLive is { } ttl)
        {
            if (ttl <= TimeSpan.Zero && ttl != Timeout.InfiniteTimeSpan)
                throw new ArgumentOutOfRangeException(nameof(timeToLive), ttl, "The time to live must be positive, or Timeout.InfiniteTimeSpan for never.");
            request.Uri.AppendQuery("messagettl", ttl == Timeout.InfiniteTimeSpan ? "-1" : Seconds(ttl), escapeValue: false);
        }
        request.Headers.SetValue("Content-Type", "application/xml; charset=utf-8");
        request.Content = RequestContent.Create(QueueXml.PutMessageBody(rawText));
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status != 201)
            throw StorageErrors.Create(response);
        var message = QueueXml.Messages(response.Content.ToString()).Single();
        return new QueueSendReceipt(QueueXml.Text(message, "MessageId"), QueueXml.Text(message, "PopReceipt"), QueueXml.Time(message, "TimeNextVisible"));
    }

    private Request CreateMessageRequest(RequestMethod method, string messageId, string popReceipt)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        var request = CreateRequest(method, _queueUri + "/messages/" + Uri.EscapeDataString(messageId));
        request.Uri.AppendQuery("popreceipt", popReceipt, escapeValue: true);
        return request;
    }

    private Request CreateRequest(RequestMethod method, string uri)
    {
        var request = _pipeline.CreateRequest();
        request.Method = method;
        request.Uri.Reset(new Uri(uri));
        return request;
    }

    private static void ValidateCount(int maxMessages)
    {
        if (maxMessages is < 1 or > MaxMessagesPerGet)
            throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, $"Between 1 and {MaxMessagesPerGet} messages per call.");
    }

    private static void ValidateVisibility(TimeSpan value, TimeSpan minimum, string parameterName)
    {
        if (value < minimum || value > MaxVisibilityTimeout)
            throw new ArgumentOutOfRangeException(parameterName, value, $"Must be between {minimum.TotalSeconds} s and 7 days.");
    }

    // The service takes whole seconds; round up so a requested lease is never shortened.
    private static string Seconds(TimeSpan value) => ((long)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
