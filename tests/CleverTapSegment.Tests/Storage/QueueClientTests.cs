using Azure;
using CleverTapSegment.Storage;

namespace CleverTapSegment.Tests.Storage;

[Collection("Azurite")]
public sealed class QueueClientTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private Task<QueueClient> NewQueueAsync() => azurite.CreateQueueAsync();

    [Fact]
    public async Task Creating_an_existing_queue_is_not_an_error()
    {
        var queue = await NewQueueAsync();

        await queue.CreateIfNotExistsAsync();

        Assert.Empty(await queue.PeekMessagesAsync(32));
    }

    [Fact]
    public async Task Sent_text_is_stored_as_base64_utf8_and_non_ascii_round_trips()
    {
        var queue = await NewQueueAsync();
        const string text = "{\"name\":\"Zoë & <Ω> 日本語 🎉\"}";

        var sent = await queue.SendMessageAsync(text);
        var received = Assert.Single(await queue.ReceiveMessagesAsync(32, Lease));

        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)), received.RawText);
        Assert.True(received.TryDecodeText(out var decoded));
        Assert.Equal(text, decoded);
        Assert.Equal(1, received.DequeueCount);
    }

    [Fact]
    public async Task Raw_messages_are_stored_unchanged_and_xml_special_characters_survive()
    {
        var queue = await NewQueueAsync();
        const string raw = "not base64 <&> \"quoted\" 'é'";

        await queue.SendRawMessageAsync(raw);
        var received = Assert.Single(await queue.ReceiveMessagesAsync(1, Lease));

        Assert.Equal(raw, received.RawText);
        Assert.False(received.TryDecodeText(out _));
    }

    [Fact]
    public async Task Received_message_is_hidden_for_its_visibility_timeout()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("one");

        var first = Assert.Single(await queue.ReceiveMessagesAsync(1, Lease));
        var second = await queue.ReceiveMessagesAsync(32, Lease);

        Assert.Empty(second);
        Assert.True(first.NextVisibleOn > first.InsertedOn);
        Assert.Empty(await queue.PeekMessagesAsync(32));
    }

    [Fact]
    public async Task Update_with_zero_timeout_makes_the_message_visible_and_returns_a_new_pop_receipt()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("retry me");
        var first = Assert.Single(await queue.ReceiveMessagesAsync(1, Lease));

        var update = await queue.UpdateMessageAsync(first.MessageId, first.PopReceipt, TimeSpan.Zero);
        var again = Assert.Single(await queue.ReceiveMessagesAsync(1, Lease));

        Assert.NotEqual(first.PopReceipt, update.PopReceipt);
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal(2, again.DequeueCount);
        Assert.True(again.TryDecodeText(out var text));
        Assert.Equal("retry me", text);
    }

    [Fact]
    public async Task Delete_with_the_current_pop_receipt_removes_the_message()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("done");
        var received = Assert.Single(await queue.ReceiveMessagesAsync(1, Lease));
        var update = await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero);

        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => queue.DeleteMessageAsync(received.MessageId, received.PopReceipt));
        await queue.DeleteMessageAsync(received.MessageId, update.PopReceipt);

        Assert.Equal(400, stale.Status);
        Assert.Empty(await queue.PeekMessagesAsync(32));
    }

    [Fact]
    public async Task Peek_does_not_change_the_dequeue_count_or_hide_the_message()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("look");
        var received = Assert.Single(await queue.ReceiveMessagesAsync(1, Lease));
        await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero);

        var firstPeek = Assert.Single(await queue.PeekMessagesAsync(32));
        var secondPeek = Assert.Single(await queue.PeekMessagesAsync(32));

        Assert.Equal(1, firstPeek.DequeueCount);
        Assert.Equal(1, secondPeek.DequeueCount);
        Assert.Equal(received.MessageId, secondPeek.MessageId);
        Assert.Equal(received.RawText, secondPeek.RawText);
    }

    [Fact]
    public async Task Send_with_a_visibility_delay_keeps_the_message_hidden()
    {
        var queue = await NewQueueAsync();

        var receipt = await queue.SendMessageAsync("later", visibilityDelay: TimeSpan.FromMinutes(10), timeToLive: TimeSpan.FromHours(1));

        Assert.Empty(await queue.PeekMessagesAsync(32));
        Assert.False(string.IsNullOrEmpty(receipt.PopReceipt));
    }

    [Fact]
    public async Task Receive_returns_up_to_the_requested_count()
    {
        var queue = await NewQueueAsync();
        for (var i = 0; i < 5; i++)
            await queue.SendMessageAsync($"m{i}");

        var batch = await queue.ReceiveMessagesAsync(3, Lease);
        var rest = await queue.ReceiveMessagesAsync(32, Lease);

        Assert.Equal(3, batch.Count);
        Assert.Equal(2, rest.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public async Task Receive_count_outside_1_to_32_fails_before_any_call(int count)
    {
        var queue = azurite.QueueServiceClient.GetQueueClient(azurite.UniqueQueueName());

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.ReceiveMessagesAsync(count, Lease));
    }

    [Fact]
    public async Task Operations_on_a_missing_queue_fail_with_404_QueueNotFound()
    {
        var queue = azurite.QueueServiceClient.GetQueueClient(azurite.UniqueQueueName());

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => queue.SendMessageAsync("x"));

        Assert.Equal(404, error.Status);
        Assert.Equal("QueueNotFound", error.ErrorCode);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("double--hyphen")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    public void Invalid_queue_names_are_rejected(string name) =>
        Assert.Throws<ArgumentException>(() => azurite.QueueServiceClient.GetQueueClient(name));
}
