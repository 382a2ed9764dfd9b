using System.Text;
using OpenQA.Selenium;

namespace CleverTapSegment.Tests.Dashboard;

[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class SegmentToCleverTapPageTests
{
    [Fact]
    public async Task Try_an_event_shows_the_CleverTap_request_with_the_passcode_masked()
    {
        await using var harness = await DashboardHarness.StartAsync();
        var browser = harness.Browser;
        // The delivery stats, the spool and the preview are management routes (the key), not the Segment endpoint.
        harness.OpenSignedIn("/segment-to-clevertap");
        // Delivery stats: an account card when the app reports them, otherwise a state that says they are unavailable.
        browser.Until(driver => driver.FindElements(By.CssSelector(".card[data-account], .state")).Any(element => element.Displayed));
        // The spool: delivered mode (the default), nothing waiting, no dead letters.
        Assert.Equal("delivered", browser.WaitFor("[data-spool]").GetDomAttribute("data-spool"));
        Assert.Equal("0", browser.Find("[data-stat='depth'] dd").Text);
        Assert.Contains("No dead letters", browser.Find("[data-spool]").Text, StringComparison.Ordinal);

        var input = browser.Find("textarea[name=event]");
        input.SendKeys("""{"type":"identify","userId":"u-42","traits":{"email":"ada@example.com","Plan Type":"pro"}}""");
        browser.Find(".try button[type=submit]").Click();

        var request = browser.WaitFor("[data-request='0']");
        Assert.Contains("POST", request.FindElement(By.CssSelector("h3 code")).Text, StringComparison.Ordinal);
        Assert.EndsWith("/1/upload", request.FindElement(By.CssSelector("h3 code")).Text, StringComparison.Ordinal);
        var passcode = request.FindElement(By.CssSelector("tr[data-header='X-CleverTap-Passcode'] td:last-child")).Text;
        Assert.Matches("^\\*+$", passcode);
        Assert.Contains("u-42", request.FindElement(By.CssSelector("pre")).Text, StringComparison.Ordinal);
        Assert.Contains("wouldSend", browser.Find("[data-event-status]").GetDomAttribute("data-event-status"), StringComparison.Ordinal);
        Assert.DoesNotContain(harness.CleverTap.Options.Passcode, browser.PageSource, StringComparison.Ordinal);
        harness.Finish("try-an-event");
    }

    [Fact]
    public async Task Try_an_event_shows_why_a_body_is_refused_beside_the_box()
    {
        await using var harness = await DashboardHarness.StartAsync();
        var browser = harness.Browser;
        harness.OpenSignedIn("/segment-to-clevertap");

        browser.WaitFor("textarea[name=event]").SendKeys("{\"type\": ");
        browser.Find(".try button[type=submit]").Click();

        browser.WaitForText(".try .field-error", "not valid JSON");
        Assert.Equal("true", browser.Find("textarea[name=event]").GetDomAttribute("aria-invalid"));
        harness.Finish("try-an-event-error");
    }
    [Fact]
    public async Task Dead_letters_are_listed_by_reason_and_replayed_after_a_confirmation()
    {
        // Stored mode against a CleverTap that has no upload endpoint (the harness's fake serves exports only): every
        // upload is answered 404, which CleverTap would repeat, so the spooled records become dead letters.
        await using var harness = await DashboardHarness.StartAsync(settings: new Dictionary<string, string?> { ["Ingest__Acknowledge"] = "stored" });
        var events = string.Join(",", Enumerable.Range(0, 3).Select(i =>
            $$"""{"type":"track","event":"Song Played","userId":"listener-{{i}}","messageId":"dead-letter-{{i}}","timestamp":"2026-11-22T04:00:00Z"}"""));
        using (var sent = await harness.Api.PostAsync("api/segment", new StringContent($"[{events}]", Encoding.UTF8, "application/json")))
            Assert.Equal(200, (int)sent.StatusCode);
        await harness.WaitForSpoolToDrainAsync();

        var browser = harness.Browser;
        harness.OpenSignedIn("/segment-to-clevertap");
        Assert.Equal("stored", browser.WaitFor("[data-spool]").GetDomAttribute("data-spool"));
        Assert.Equal("3", browser.Find("[data-stat='dead-letters'] dd").Text);
        // The account's 24-hour counts say the same: the three events were rejected, none delivered.
        Assert.Equal("3", browser.WaitFor(".card[data-account='default'] [data-stat='rejected'] dd").Text);
        Assert.Equal("0", browser.Find(".card[data-account='default'] [data-stat='delivered'] dd").Text);
        var row = browser.Find("tr[data-dead-letter]");
        Assert.Contains("404", row.GetDomAttribute("data-dead-letter"), StringComparison.Ordinal);
        Assert.Equal("default", row.FindElement(By.CssSelector("td")).Text);
        row.FindElement(By.CssSelector("button[data-replay]")).Click();

        var confirm = browser.WaitFor("dialog[open][role=alertdialog]");
        Assert.Equal("Replay dead letters?", confirm.FindElement(By.CssSelector("h2")).Text);
        Assert.Contains("3 record(s) of default", confirm.Text, StringComparison.Ordinal);
        browser.Screenshot("replay-confirmation");
        confirm.FindElement(By.CssSelector("button[type=submit]")).Click();

        browser.WaitForBanner("3 dead-lettered record(s) replayed");
        // The cause is not fixed, so the replayed records are refused again and come back, as the dialog warned.
        await harness.WaitForSpoolToDrainAsync();
        var spool = await harness.GetAsync("api/ingest/spool");
        Assert.Equal(3, spool["deadLetters"]!.AsArray().Sum(letter => letter!["records"]!.GetValue<int>()));
        harness.Finish("dead-letters-replayed");
    }
}
