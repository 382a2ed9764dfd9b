namespace CleverTapSegment.Tests.Infra;

/// <summary>The text reader the invariant tests stand on: if it misread, they would check the wrong thing.</summary>
public sealed class BicepDocumentTests
{
    private const string Sample = """
        // a comment with an apostrophe: it's fine
        @secure()
        @description('The key\'s value // not a comment')
        param secretValue string

        @allowed([
          'a'
          'b'
        ])
        param choice string = 'a' /* inline */

        var settings = union({
          Plain__Name: 'x'
          'Interpolated__${choice}__Value': '${secretValue}-suffix'
        }, empty(choice) ? {} : {
          Other: '}{'
        })

        resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
          name: 'acct'
          properties: {
            allowSharedKeyAccess: false
          }

          resource queueService 'queueServices' = {
            name: 'default'
          }
        }

        output url string = 'https://${account.name}/api'
        """;

    [Fact]
    public void Declarations_keep_their_decorators_and_ignore_comments_but_not_strings()
    {
        var document = BicepDocument.Parse("sample.bicep", Sample);

        var secret = document.Get("param", "secretValue");
        Assert.True(secret.IsSecure);
        Assert.Contains(@"@description('The key\'s value // not a comment')", secret.Decorators);
        Assert.Equal(new[] { "a", "b" }, document.Get("param", "choice").AllowedValues);
        Assert.Equal("'a'", document.Get("param", "choice").Value);
        Assert.Equal(["param", "param", "var", "resource", "output"], document.Declarations.Select(d => d.Kind));
    }

    [Fact]
    public void Object_literals_yield_keys_with_interpolations_as_wildcards_and_raw_values()
    {
        var document = BicepDocument.Parse("sample.bicep", Sample);

        var properties = BicepObject.AllIn(document.Get("var", "settings").Value).SelectMany(o => o.Properties).ToList();

        Assert.Equal(["Plain__Name", "Interpolated__*__Value", "Other"], properties.Select(p => p.Key));
        Assert.Equal("'${secretValue}-suffix'", properties[1].Value);
        Assert.Equal("'}{'", properties[2].Value);
    }

    [Fact]
    public void Resource_bodies_expose_type_version_properties_and_child_resources()
    {
        var account = BicepDocument.Parse("sample.bicep", Sample).Get("resource", "account");

        Assert.Equal("Microsoft.Storage/storageAccounts", account.ResourceType);
        Assert.Equal("2023-05-01", account.ApiVersion);
        Assert.Equal("false", account.Body.Object("properties")["allowSharedKeyAccess"]);
        Assert.Equal("queueServices", Assert.Single(account.Body.ChildResources).Target);
    }

    [Fact]
    public void Blanking_strings_keeps_only_the_interpolated_expressions()
    {
        var blanked = BicepScanner.BlankStringLiterals("x: 'a-${toLower(b.name)}-${c}' // d");

        Assert.Equal("x: '    toLower(b.name)    c ' // d", blanked);
    }

    [Fact]
    public void Unbalanced_brackets_are_refused_rather_than_misread()
    {
        Assert.Throws<FormatException>(() => BicepDocument.Parse("broken.bicep", "var x = {\n  a: 1\n"));
    }
}
