namespace CleverTapSegment.Tests.Hostile;

/// <summary>What a hostile case may be answered with. Never a 5xx, except the two the API documents.</summary>
public enum StatusClass
{
    /// <summary>2xx: accepted (delivered, previewed, rejected per event inside a batch).</summary>
    Success,
    /// <summary>4xx: refused as the client's fault.</summary>
    ClientError,
    /// <summary>2xx or 4xx: either is right (the case is about never failing, e.g. a rejected single event is a 400, a batch 200).</summary>
    NotServerError,
}

public static class StatusClasses
{
    /// <summary>
    /// Null when <paramref name="status"/> fits <paramref name="expected"/>; else why not. The documented 5xx: 501 for an
    /// event type the bridge does not handle (README.md, "Responses of SegmentIngest") and 503 saying CleverTap is
    /// unavailable (Segment retries).
    /// </summary>
    public static string? Check(StatusClass expected, int status, string body)
    {
        if (status == 501 && expected != StatusClass.Success)
            return null;
        if (status == 503 && body.Contains("CleverTap", StringComparison.OrdinalIgnoreCase))
            return null;
        var fits = expected switch
        {
            StatusClass.Success => status is >= 200 and < 300,
            StatusClass.ClientError => status is >= 400 and < 500,
            _ => status is >= 200 and < 500,
        };
        return fits ? null : $"answered {status}, expected {expected}: {Truncate(body)}";
    }

    private static string Truncate(string body) => body.Length <= 600 ? body : body[..600] + "…";
}
