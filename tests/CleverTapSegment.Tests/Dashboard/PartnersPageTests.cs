using OpenQA.Selenium;

namespace CleverTapSegment.Tests.Dashboard;

[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class PartnersPageTests
{
    private const string NewWriteKey = "wk-live-8f3a9c2e51d7b604";

    [Fact]
    public async Task Connecting_a_partner_shows_it_with_only_the_end_of_its_write_key()
    {
        await using var harness = await DashboardHarness.StartAsync();
        var browser = harness.Browser;
        harness.OpenSignedIn("/partners");
        browser.WaitForText(".state__title", "No partners yet.");

        browser.Find(".page-actions .button--primary").Click();
        var dialog = browser.WaitFor("dialog[open][data-dialog=connect-partner]");
        Assert.True(browser.Matches(browser.ActiveElement, "input[name=nickname]"));
        dialog.FindElement(By.CssSelector("input[name=nickname]")).SendKeys("CleverTap_Prod");
        var writeKey = dialog.FindElement(By.CssSelector("input[name=writeKey]"));
        Assert.Equal("password", writeKey.GetDomAttribute("type"));
        writeKey.SendKeys(NewWriteKey);
        browser.Choose(dialog.FindElement(By.CssSelector("select[name=region]")), "EU");
        browser.Choose(dialog.FindElement(By.CssSelector("select[name=userIdSource]")), "email");
        browser.Screenshot("connect-partner");
        dialog.FindElement(By.CssSelector("button[type=submit]")).Click();

        browser.WaitForBanner("Partner CleverTap_Prod connected");
        var row = browser.WaitFor("tr[data-partner=CleverTap_Prod]");
        Assert.Equal("EU region", row.FindElement(By.CssSelector("td[data-label=Region]")).Text);
        Assert.Equal("Email", row.FindElement(By.CssSelector("td[data-label='User ID']")).Text);
        Assert.Equal("b604", row.FindElement(By.CssSelector("[data-write-key-last4]")).GetDomAttribute("data-write-key-last4"));
        Assert.DoesNotContain(NewWriteKey, browser.PageSource, StringComparison.Ordinal);
        var partner = await harness.GetAsync("api/partners/CleverTap_Prod");
        Assert.Equal("EU", partner["region"]!.GetValue<string>());
        Assert.Equal("email", partner["userIdSource"]!.GetValue<string>());
        harness.Finish("partners");
    }

    [Fact]
    public async Task Rotating_the_key_and_deleting_a_partner_in_use_shows_the_refusal()
    {
        await using var harness = await DashboardHarness.StartAsync();
        await harness.CreatePartnerAsync();
        await harness.CreateRecurringExportAsync(6, harness.Today.AddDays(1), "App Launched");
        var browser = harness.Browser;
        harness.OpenSignedIn("/partners");

        browser.WaitFor($"tr[data-partner={DashboardHarness.Partner}] [data-action=rotate]").Click();
        var rotate = browser.WaitFor("dialog[open][data-dialog=rotate-key]");
        rotate.FindElement(By.CssSelector("input[name=writeKey]")).SendKeys(NewWriteKey + Keys.Enter);
        browser.WaitForBanner("now ends in b604");
        browser.Until(driver => driver.FindElement(By.CssSelector("[data-write-key-last4]")).GetDomAttribute("data-write-key-last4") == "b604");

        browser.Click($"tr[data-partner={DashboardHarness.Partner}] [data-action=delete]");
        var confirm = browser.WaitFor("dialog[open][role=alertdialog]");
        confirm.FindElement(By.CssSelector("button[type=submit]")).Click();
        browser.WaitForText("dialog[open] .form-error", "used by a PENDING or RUNNING export");
        browser.Screenshot("partner-delete-refused");
        browser.Press(Keys.Escape);
        browser.Until(driver => driver.FindElements(By.CssSelector("dialog[open]")).Count == 0);
        Assert.Single(browser.FindAll($"tr[data-partner={DashboardHarness.Partner}]"));
        harness.Finish("partner-kept");
    }
}
