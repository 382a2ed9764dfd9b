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
}
