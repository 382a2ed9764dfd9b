using System.Collections.ObjectModel;
using CleverTapSegment.Tests.Infra;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Interactions;
using OpenQA.Selenium.Support.UI;

namespace CleverTapSegment.Tests.Dashboard;

/// <summary>
/// Debian's Chromium, headless, driven through Debian's ChromeDriver (installed by <c>./dev test</c>; never a
/// downloaded browser). Every wait is on a DOM condition with a generous limit that only guards against a hang.
/// Page errors (uncaught exceptions, rejected promises) are collected in every document so a scenario can assert
/// the page ran cleanly.
/// </summary>
internal sealed class DashboardBrowser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ChromeDriverPath = "/usr/bin/chromedriver";
    public const int DesktopWidth = 1280;
    public const int DesktopHeight = 900;

    /// <summary>A safety net against a hang, not a timing assertion.</summary>
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    // Installed before any page script runs (a DevTools script is not subject to the page's CSP).
    private const string ErrorCollector = """
        window.__pageErrors = [];
        window.addEventListener('error', (event) => window.__pageErrors.push(String(event.message)));
        window.addEventListener('unhandledrejection', (event) => window.__pageErrors.push('unhandled rejection: ' + String(event.reason)));
        """;

    private readonly ChromeDriver _driver;
    private readonly string _profileDirectory;

    private DashboardBrowser(ChromeDriver driver, string profileDirectory, Uri baseAddress)
    {
        _driver = driver;
        _profileDirectory = profileDirectory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IWebDriver Driver => _driver;

    public static DashboardBrowser Start(Uri baseAddress)
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(ChromeDriverPath))
            throw new InvalidOperationException($"The browser tests need {ChromiumPath} and {ChromeDriverPath}: run ./dev test (it installs Debian's chromium and chromium-driver) or apt-get install chromium chromium-driver.");
        var profileDirectory = Directory.CreateTempSubdirectory("dashboard-chromium-").FullName;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", $"--user-data-dir={profileDirectory}",
            $"--window-size={DesktopWidth},{DesktopHeight}", "--lang=en-US");
        // An explicit driver path: Selenium Manager (which would download a driver) is never asked.
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        ChromeDriver? driver = null;
        try
        {
            driver = new ChromeDriver(service, options, WaitLimit);
            driver.ExecuteCdpCommand("Page.addScriptToEvaluateOnNewDocument", new Dictionary<string, object?> { ["source"] = ErrorCollector });
            var browser = new DashboardBrowser(driver, profileDirectory, baseAddress);
            browser.UseViewport(DesktopWidth, DesktopHeight);
            return browser;
        }
        catch
        {
            driver?.Quit();
            TryDelete(profileDirectory);
            throw;
        }
    }

    /// <summary>A fixed viewport (CSS pixels), so layouts and screenshots do not depend on the window decorations.</summary>
    public void UseViewport(int width, int height) =>
        _driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width,
            ["height"] = height,
            ["deviceScaleFactor"] = 1,
            ["mobile"] = width < 600,
        });

    public void Open(string path) => _driver.Navigate().GoToUrl(new Uri(BaseAddress, path.TrimStart('/')));

    /// <summary>Answers the admin-key prompt the page shows on its first refused call.</summary>
    public void EnterAdminKey(string key)
    {
        var input = WaitFor("dialog[open] input[name=adminKey]");
        input.SendKeys(key + Keys.Enter);
        Until(driver => driver.FindElements(By.CssSelector("dialog[open] input[name=adminKey]")).Count == 0);
    }

    public IWebElement WaitFor(string css) => Until(driver => driver.FindElements(By.CssSelector(css)).FirstOrDefault(element => element.Displayed));

    /// <summary>Clicks the element matching <paramref name="css"/>, finding it again if the page re-rendered it meanwhile.</summary>
    public void Click(string css) => Until(driver =>
    {
        driver.FindElement(By.CssSelector(css)).Click();
        return true;
    }, $"click {css}");

    public ReadOnlyCollection<IWebElement> FindAll(string css) => _driver.FindElements(By.CssSelector(css));

    public IWebElement Find(string css) => _driver.FindElement(By.CssSelector(css));

    /// <summary>Waits until <paramref name="condition"/> gives a value (not null, not false), re-reading the DOM each time.</summary>
    public T Until<T>(Func<IWebDriver, T?> condition, string? because = null)
    {
        var wait = new WebDriverWait(_driver, WaitLimit) { PollingInterval = TimeSpan.FromMilliseconds(100), Message = because ?? "" };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(driver => condition(driver))!;
    }

    public void WaitForText(string css, string text) =>
        Until(driver => driver.FindElements(By.CssSelector(css)).Any(element => element.Displayed && element.Text.Contains(text, StringComparison.Ordinal)),
            $"'{text}' in {css}");

    /// <summary>The banner at the top of the page once it says <paramref name="text"/>.</summary>
    public IWebElement WaitForBanner(string text)
    {
        WaitForText("#banner .banner__text", text);
        return Find("#banner .banner__text");
    }

    /// <summary>Keys sent to whatever has focus, as a person at the keyboard would.</summary>
    public void Press(params string[] keys)
    {
        var actions = new Actions(_driver);
        foreach (var key in keys)
            actions.SendKeys(key);
        actions.Perform();
    }

    public IWebElement ActiveElement => _driver.SwitchTo().ActiveElement();

    /// <summary>Presses Tab until the focused element matches <paramref name="css"/> (at most 60 presses).</summary>
    public IWebElement TabTo(string css)
    {
        for (var presses = 0; presses < 60; presses++)
        {
            if (Matches(ActiveElement, css))
                return ActiveElement;
            Press(Keys.Tab);
        }
        throw new InvalidOperationException($"Tab never reached {css}; focus is on {Describe(ActiveElement)}.");
    }

    public bool Matches(IWebElement element, string css) => (bool)_driver.ExecuteScript("return arguments[0].matches(arguments[1]);", element, css)!;

    public string Describe(IWebElement element) => (string)_driver.ExecuteScript("return arguments[0].outerHTML.slice(0, 200);", element)!;

    /// <summary>
    /// Types a day into an &lt;input type=date&gt; the way a person does: focus lands on its first part (month, in
    /// en-US) and each part moves on to the next once typed.
    /// </summary>
    public void TypeDate(IWebElement input, DateOnly day)
    {
        input.SendKeys(day.ToString("MMddyyyy", System.Globalization.CultureInfo.InvariantCulture));
        Until(_ => input.GetDomProperty("value") == day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), $"date input to read {day:yyyy-MM-dd}");
    }

    /// <summary>Chooses an option of a &lt;select&gt; by its value.</summary>
    public void Choose(IWebElement select, string value)
    {
        select.FindElement(By.CssSelector($"option[value='{value}']")).Click();
        Until(_ => select.GetDomProperty("value") == value);
    }

    public string? Attribute(IWebElement element, string name) => element.GetDomAttribute(name);

    public string PageSource => _driver.PageSource;

    public object? Script(string script, params object[] arguments) => _driver.ExecuteScript(script, arguments);

    /// <summary>Uncaught errors of the current document.</summary>
    public IReadOnlyList<string> PageErrors() =>
        (_driver.ExecuteScript("return window.__pageErrors || [];") as IEnumerable<object> ?? []).Select(error => error.ToString()!).ToList();

    /// <summary>Saves the page to <c>artifacts/screenshots/{name}.png</c>: all of it, or only what the viewport shows.</summary>
    public string Screenshot(string name, bool fullPage = true)
    {
        var directory = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".png");
        var shot = _driver.ExecuteCdpCommand("Page.captureScreenshot", new Dictionary<string, object?>
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = fullPage,
        }) as IDictionary<string, object?> ?? throw new InvalidOperationException("Page.captureScreenshot answered nothing.");
        File.WriteAllBytes(path, Convert.FromBase64String((string)shot["data"]!));
        return path;
    }

    public void Dispose()
    {
        try
        {
            _driver.Quit();
        }
        finally
        {
            _driver.Dispose();
            TryDelete(_profileDirectory);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still hold a file for a moment; the temp directory is the OS's to clean then.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
