using OpenQA.Selenium;

namespace CleverTapSegment.Tests.Dashboard;

[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class ExportsPageTests
{
    [Fact]
    public async Task One_time_export_created_in_the_dialog_runs_to_done_with_its_counters()
    {
        await using var harness = await DashboardHarness.StartAsync();
        await harness.CreatePartnerAsync();
        var browser = harness.Browser;
        // Held CleverTap answers keep the run in progress until the page has shown it running.
        harness.CleverTap.HoldResponses();
        harness.OpenSignedIn("/exports");

        browser.WaitFor(".page-actions .button--primary").Click();
        var dialog = browser.WaitFor("dialog[open][data-dialog=create-export]");
        dialog.FindElement(By.CssSelector("input[name=selection][value=selected]")).Click();
        dialog.FindElement(By.CssSelector("input[name=eventName][value='App Launched']")).Click();
        dialog.FindElement(By.CssSelector("input[name=otherEvents]")).SendKeys("Charged");
        var yesterday = harness.Today.AddDays(-1);
        browser.TypeDate(dialog.FindElement(By.CssSelector("input[name=day]")), yesterday);
        browser.Script("arguments[0].scrollTop = 0;", dialog.FindElement(By.CssSelector(".dialog__body")));
        browser.Screenshot("create-dialog");
        dialog.FindElement(By.CssSelector("button[type=submit]")).Click();

        browser.WaitForBanner("Segment export has initiated");
        var row = browser.WaitFor("tr[data-export-id]");
        Assert.Equal(DashboardHarness.Partner, row.FindElement(By.CssSelector("td[data-label=Partner]")).Text);
        Assert.Contains("App Launched, Charged", row.FindElement(By.CssSelector("td[data-label=Data]")).Text, StringComparison.Ordinal);
        // The list refreshes itself while the export runs: find the link afresh when clicking.
        browser.Click("tr[data-export-id] [data-action=view]");

        browser.WaitFor(".page-intro .badge[data-status=RUNNING]");
        browser.WaitFor("[data-progress=running] progress");
        browser.Screenshot("export-running");
        harness.CleverTap.ReleaseResponses();

        browser.WaitFor(".page-intro .badge[data-status=DONE]");
        var expected = harness.ExportableRecords(["App Launched", "Charged"], yesterday);
        Assert.Equal(20, expected);
        browser.Until(driver => driver.FindElement(By.CssSelector(".summary [data-counter=exported] .counter__value")).Text == "20");
        Assert.Empty(browser.FindAll("[data-progress=running]"));
        var items = browser.FindAll(".table--items tbody tr");
        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.Equal("DONE", item.GetDomAttribute("data-status")));
        Assert.Equal(20, harness.Segment.AcceptedMessages);
        harness.Finish("export-done");
    }

    [Fact]
    public async Task Skipped_item_shows_its_reason_on_the_export_page()
    {
        await using var harness = await DashboardHarness.StartAsync();
        await harness.CreatePartnerAsync();
        var id = await harness.CreateOneTimeExportAsync(harness.Today.AddDays(-2), "Notification Sent", "App Launched");
        await harness.WaitForWorkToDrainAsync();
        var browser = harness.Browser;

        harness.OpenSignedIn($"/exports/{id}");

        browser.WaitFor(".page-intro .badge[data-status=DONE]");
        var skipped = browser.WaitFor("tr[data-event='Notification Sent']");
        Assert.Equal("SKIPPED", skipped.GetDomAttribute("data-status"));
        Assert.Contains("SKIPPED", skipped.FindElement(By.CssSelector("td[data-label=Status]")).Text, StringComparison.Ordinal);
        var reason = skipped.FindElement(By.CssSelector("[data-detail=reason]")).Text;
        Assert.Contains("not allowed", reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("DONE", browser.Find("tr[data-event='App Launched']").GetDomAttribute("data-status"));
        harness.Finish("export-detail");
    }

    [Fact]
    public async Task Item_whose_CleverTap_calls_keep_failing_shows_its_last_error_and_next_attempt()
    {
        // A minute between attempts, and room for many: the item stays RUNNING, waiting for its retry, while the page looks.
        await using var harness = await DashboardHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:01:00",
            ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "50",
        });
        await harness.CreatePartnerAsync();
        // Every page fails (after the client's retries, made at once by Retry-After: 0).
        harness.CleverTap.FailureRetryAfter = TimeSpan.Zero;
        harness.CleverTap.FailPage(0);
        var id = await harness.CreateOneTimeExportAsync(harness.Today.AddDays(-1), "Charged");
        var browser = harness.Browser;

        harness.OpenSignedIn($"/exports/{id}");

        browser.WaitFor(".page-intro .badge[data-status=RUNNING]");
        // The page refreshes itself while the export runs: the error shows once the first attempt has failed.
        var lastError = browser.WaitFor("tr[data-event=Charged] [data-detail=lastError]");
        Assert.Equal("RUNNING", browser.Find("tr[data-event=Charged]").GetDomAttribute("data-status"));
        Assert.Contains("CleverTap", lastError.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.CleverTap.Options.Passcode, browser.PageSource, StringComparison.Ordinal);
        var item = (await harness.GetAsync($"api/exports/{id}"))["runs"]![0]!["items"]![0]!;
        var nextAttempt = browser.WaitFor("tr[data-event=Charged] [data-detail=nextAttemptAt] time");
        Assert.Equal(item["nextAttemptAt"]!.GetValue<string>(), nextAttempt.GetDomAttribute("datetime"));
        Assert.Equal(item["lastError"]!["at"]!.GetValue<DateTimeOffset>() + TimeSpan.FromMinutes(1), item["nextAttemptAt"]!.GetValue<DateTimeOffset>());
        harness.Finish("export-item-retrying");
    }

    [Fact]
    public async Task Filters_by_status_and_by_exported_on_range_then_reset_all()
    {
        var start = DateTimeOffset.UtcNow.AddDays(-20);
        await using var harness = await DashboardHarness.StartAsync(new DateTimeOffset(start.Year, start.Month, start.Day, 12, 0, 0, TimeSpan.Zero));
        await harness.CreatePartnerAsync();
        // Created 20, 10 and 0 days ago; recurring with a start far enough ahead that none runs (exported on = created).
        var startDate = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30);
        var old = await harness.CreateRecurringExportAsync(6, startDate, "App Launched");
        harness.Time.Advance(TimeSpan.FromDays(10));
        var middle = await harness.CreateRecurringExportAsync(8, startDate, "Charged");
        harness.Time.SetUtcNow(DateTimeOffset.UtcNow);
        var recent = await harness.CreateRecurringExportAsync(12, startDate, "UTM Visited");
        await harness.StopExportAsync(recent);
        var browser = harness.Browser;
        harness.OpenSignedIn("/exports");
        Assert.Equal([recent, middle, old], RowIds(browser, 3));

        browser.Find("button[aria-controls]").Click();
        browser.Choose(browser.WaitFor("select[name=status]"), "STOPPED");
        browser.Until(_ => RowIds(browser).SequenceEqual([recent]));
        browser.Choose(browser.Find("select[name=status]"), "PENDING");
        browser.Until(_ => RowIds(browser).SequenceEqual([middle, old]));

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        browser.TypeDate(browser.Find("input[name=exportedFrom]"), today.AddDays(-12));
        browser.TypeDate(browser.Find("input[name=exportedTo]"), today.AddDays(-8));
        browser.Find(".filters__range button[type=submit]").Click();
        browser.Until(_ => RowIds(browser).SequenceEqual([middle]));
        Assert.Contains("(2)", browser.Find("button[aria-controls]").Text, StringComparison.Ordinal);
        browser.Screenshot("exports-filtered");

        browser.Find(".filters__footer button").Click();
        browser.Until(_ => RowIds(browser).SequenceEqual([recent, middle, old]));
        Assert.Equal("", browser.Find("select[name=status]").GetDomProperty("value"));
        Assert.Equal("", browser.Find("input[name=exportedFrom]").GetDomProperty("value"));
        harness.Finish("exports-filters-reset");
    }

    [Fact]
    public async Task Page_size_and_pages_walk_through_every_export()
    {
        await using var harness = await DashboardHarness.StartAsync();
        await harness.CreatePartnerAsync();
        var ids = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            ids.Add(await harness.CreateRecurringExportAsync(4 + i % 20, harness.Today.AddDays(1 + i), "App Launched"));
            harness.Time.Advance(TimeSpan.FromMinutes(1));
        }
        ids.Reverse(); // newest first
        var browser = harness.Browser;
        harness.OpenSignedIn("/exports");

        // Default: 20 a page.
        Assert.Equal(ids.Take(20), RowIds(browser, 20));
        Assert.Equal("20", browser.Find("select[name=pageSize]").GetDomProperty("value"));

        browser.Choose(browser.Find("select[name=pageSize]"), "10");
        browser.Until(_ => RowIds(browser).SequenceEqual(ids.Take(10)));
        Assert.False(browser.Find(".pager__turn button:first-child").Enabled);
        browser.Screenshot("exports-page-of-10");
        // Usable on a phone: the table becomes one card per export, nothing wider than the screen.
        browser.UseViewport(375, 800);
        browser.Until(_ => (long)browser.Script("return document.documentElement.scrollWidth;")! <= 375, "no horizontal scrolling at 375 px");
        browser.Script("window.scrollTo(0, 0);");
        browser.Screenshot("exports-list-375", fullPage: false);
        browser.UseViewport(DashboardBrowser.DesktopWidth, DashboardBrowser.DesktopHeight);

        var next = browser.Find(".pager__turn button:last-child");
        next.Click();
        browser.Until(_ => RowIds(browser).SequenceEqual(ids.Skip(10).Take(10)));
        next.Click();
        browser.Until(_ => RowIds(browser).SequenceEqual(ids.Skip(20)));
        Assert.Contains("21–25", browser.Find(".pager__page").Text, StringComparison.Ordinal);
        Assert.False(next.Enabled);

        browser.Find(".pager__turn button:first-child").Click();
        browser.Until(_ => RowIds(browser).SequenceEqual(ids.Skip(10).Take(10)));
        browser.Choose(browser.Find("select[name=pageSize]"), "40");
        browser.Until(_ => RowIds(browser).SequenceEqual(ids));
        harness.Finish("exports-page-size-40");
    }

    [Fact]
    public async Task Stopping_a_recurring_export_asks_first_then_shows_it_stopped()
    {
        await using var harness = await DashboardHarness.StartAsync();
        await harness.CreatePartnerAsync();
        var id = await harness.CreateRecurringExportAsync(6, harness.Today.AddDays(1), "App Launched");
        var browser = harness.Browser;
        harness.OpenSignedIn("/exports");

        var row = browser.WaitFor($"tr[data-export-id='{id}']");
        Assert.Equal("PENDING", row.GetDomAttribute("data-status"));
        row.FindElement(By.CssSelector("[data-action=stop]")).Click();
        var confirm = browser.WaitFor("dialog[open][role=alertdialog]");
        Assert.Equal("Stop export?", confirm.FindElement(By.CssSelector("h2")).Text);
        browser.Screenshot("stop-confirmation");
        confirm.FindElement(By.CssSelector("button[type=submit]")).Click();

        browser.WaitForBanner("Segment data export stopped");
        browser.Until(driver => driver.FindElement(By.CssSelector($"tr[data-export-id='{id}']")).GetDomAttribute("data-status") == "STOPPED");
        Assert.Equal("STOPPED", browser.Find($"tr[data-export-id='{id}'] .badge").Text);
        Assert.Equal("STOPPED", (await harness.GetAsync($"api/exports/{id}"))["status"]!.GetValue<string>());
        Assert.Equal("true", browser.Find($"tr[data-export-id='{id}'] [data-action=stop]").GetDomAttribute("aria-disabled"));
        harness.Finish("export-stopped");
    }

    [Fact]
    public async Task Edit_is_refused_on_a_one_time_export_with_the_rule_and_a_running_recurring_export_is_edited_for_its_next_run()
    {
        await using var harness = await DashboardHarness.StartAsync();
        await harness.CreatePartnerAsync();
        var oneTime = await harness.CreateOneTimeExportAsync(harness.Today.AddDays(-1), "App Launched");
        await harness.WaitForWorkToDrainAsync();
        // Starts today: its 00:00 run is due at once and stays in progress while CleverTap's answers are held.
        harness.CleverTap.HoldResponses();
        var recurring = await harness.CreateRecurringExportAsync(6, harness.Today, "Charged");
        // One of each status the list can show without failing credentials: DONE, RUNNING, PENDING, STOPPED.
        await harness.CreateRecurringExportAsync(12, harness.Today.AddDays(2), "App Installed");
        await harness.StopExportAsync(await harness.CreateRecurringExportAsync(24, harness.Today.AddDays(3), "UTM Visited"));
        var browser = harness.Browser;
        harness.OpenSignedIn("/exports");

        var edit = browser.WaitFor($"tr[data-export-id='{oneTime}'] [data-action=edit]");
        Assert.Equal("true", edit.GetDomAttribute("aria-disabled"));
        var rule = browser.Find($"#{edit.GetDomAttribute("aria-describedby")}").GetDomProperty("textContent");
        Assert.StartsWith("One-time exports cannot be edited", rule, StringComparison.Ordinal);
        edit.Click();
        Assert.StartsWith("One-time exports cannot be edited", browser.WaitForBanner("One-time exports cannot be edited").Text, StringComparison.Ordinal);
        Assert.Empty(browser.FindAll("dialog[open]"));

        browser.Until(driver => driver.FindElement(By.CssSelector($"tr[data-export-id='{recurring}']")).GetDomAttribute("data-status") == "RUNNING");
        browser.Click($"tr[data-export-id='{recurring}'] [data-action=edit]");
        var dialog = browser.WaitFor("dialog[open][data-dialog=edit-export]");
        Assert.Contains("apply from its next run", dialog.FindElement(By.CssSelector(".notice")).Text, StringComparison.Ordinal);
        Assert.False(dialog.FindElement(By.CssSelector("input[name=frequency][value=oneTime]")).Enabled);
        browser.Choose(dialog.FindElement(By.CssSelector("select[name=everyHours]")), "8");
        browser.Screenshot("edit-running-export");
        dialog.FindElement(By.CssSelector("button[type=submit]")).Click();

        browser.WaitForBanner("Export updated");
        browser.WaitForText($"tr[data-export-id='{recurring}'] td[data-label=Frequency]", "Every 8 h");
        Assert.Equal(8, (await harness.GetAsync($"api/exports/{recurring}"))["recurring"]!["everyHours"]!.GetValue<int>());
        harness.Finish("export-edited");
        browser.Find("#banner .banner__close").Click();
        browser.Until(driver => driver.FindElements(By.CssSelector("#banner .banner__text")).Count == 0);
        browser.Screenshot("exports-list");
    }

    [Fact]
    public async Task Validation_errors_are_shown_beside_their_fields()
    {
        await using var harness = await DashboardHarness.StartAsync();
        await harness.CreatePartnerAsync();
        var browser = harness.Browser;
        harness.OpenSignedIn("/exports");

        browser.WaitFor(".page-actions .button--primary").Click();
        var dialog = browser.WaitFor("dialog[open][data-dialog=create-export]");
        dialog.FindElement(By.CssSelector("input[name=selection][value=selected]")).Click();
        browser.Choose(dialog.FindElement(By.CssSelector("select[name=oneTimeKind]")), "range");
        // Beyond the last 60 days: the API refuses it, naming oneTime.from.
        browser.TypeDate(dialog.FindElement(By.CssSelector("input[name=from]")), harness.Today.AddDays(-90));
        dialog.FindElement(By.CssSelector("button[type=submit]")).Click();

        var eventsGroup = browser.WaitFor("fieldset[data-field='events.names'].has-error");
        var eventsError = eventsGroup.FindElement(By.CssSelector(":scope > .field-error"));
        Assert.Contains("at least one event name", eventsError.Text, StringComparison.Ordinal);
        Assert.Contains(eventsError.GetDomAttribute("id")!, eventsGroup.GetDomAttribute("aria-describedby"), StringComparison.Ordinal);

        var from = dialog.FindElement(By.CssSelector("input[name=from]"));
        Assert.Equal("true", from.GetDomAttribute("aria-invalid"));
        var fromError = browser.Find($"#{from.GetDomAttribute("aria-describedby")!.Split(' ').Last()}");
        Assert.Contains("within the last 60 days", fromError.Text, StringComparison.Ordinal);
        Assert.Equal(from.FindElement(By.XPath("..")), fromError.FindElement(By.XPath("..")));
        Assert.True(browser.FindAll("dialog[open]").Count == 1, "the dialog stays open with the errors");
        harness.Finish("create-dialog-errors");
    }

    [Fact]
    public async Task Keyboard_alone_creates_an_export()
    {
        await using var harness = await DashboardHarness.StartAsync();
        await harness.CreatePartnerAsync();
        var browser = harness.Browser;
        harness.OpenSignedIn("/exports");
        browser.WaitFor(".state");

        // Esc closes a dialog and gives focus back to what opened it.
        browser.TabTo(".page-actions .button--primary");
        browser.Press(Keys.Enter);
        browser.WaitFor("dialog[open][data-dialog=create-export]");
        Assert.True(browser.Matches(browser.ActiveElement, "select[name=partner]"), "focus starts on the first field");
        browser.Press(Keys.Escape);
        browser.Until(driver => driver.FindElements(By.CssSelector("dialog[open]")).Count == 0);
        Assert.True(browser.Matches(browser.ActiveElement, ".page-actions .button--primary"));

        browser.Press(Keys.Enter);
        var dialog = browser.WaitFor("dialog[open][data-dialog=create-export]");
        browser.TabTo("input[name=selection]:checked");
        browser.Press(Keys.ArrowRight, Keys.ArrowRight);
        browser.Until(_ => browser.Matches(browser.ActiveElement, "input[name=selection][value=selected]:checked"));
        browser.TabTo("input[name=eventName][value='App Launched']");
        browser.Press(Keys.Space);
        browser.TabTo("select[name=oneTimeKind]");
        browser.Press("Y"); // the first option starting with Y: Yesterday
        browser.Until(_ => dialog.FindElement(By.CssSelector("select[name=oneTimeKind]")).GetDomProperty("value") == "yesterday");
        // Tab wraps inside the dialog: from the last control back to the first.
        browser.TabTo("button[type=submit]");
        browser.Press(Keys.Tab);
        Assert.True((bool)browser.Script("return arguments[0].contains(document.activeElement);", dialog)!, "focus stays in the dialog");
        browser.TabTo("button[type=submit]");
        browser.Press(Keys.Enter);

        browser.WaitForBanner("Segment export has initiated");
        var row = browser.WaitFor("tr[data-export-id]");
        Assert.Contains("1 selected: App Launched", row.Text, StringComparison.Ordinal);
        Assert.Contains("Yesterday", row.Text, StringComparison.Ordinal);
        harness.Finish("keyboard-created-export");
    }

    private static IReadOnlyList<string> RowIds(DashboardBrowser browser, int? waitForCount = null)
    {
        if (waitForCount is { } count)
            browser.Until(_ => browser.FindAll("tbody tr[data-export-id]").Count == count);
        return browser.FindAll("tbody tr[data-export-id]").Select(row => row.GetDomAttribute("data-export-id")!).ToList();
    }
}
