using System.Text.Json;
using System.Text.Json.Nodes;

namespace CleverTapSegment.Tests.Infra;

/// <summary>The reader and evaluator the invariant tests stand on: if they misread, the tests would check the wrong thing.</summary>
public sealed class ArmExpressionTests
{
    [Theory]
    [InlineData("[reference('identity').outputs.clientId.value]")]
    [InlineData("[format('{0}/{1}', parameters('name'), 'it''s')]")]
    [InlineData("[__bicep.keyVaultReference(variables('names').keyVault, 'clevertap-passcode')]")]
    [InlineData("[parameters('queueNames')[copyIndex()]]")]
    [InlineData("[if(equals(parameters('n'), -1), createObject(), createObject('a', true()))]")]
    public void Expressions_render_back_to_their_canonical_text(string text)
    {
        Assert.Equal(text, ArmExpression.Parse(text).ToJsonString());
    }

    [Fact]
    public void Namespaced_functions_and_property_access_parse_apart()
    {
        var call = Assert.IsType<ArmCall>(ArmExpression.Parse("[__bicep.keyVaultReference(variables('names').keyVault, 'x')]"));

        Assert.Equal("__bicep.keyVaultReference", call.Name);
        var vault = Assert.IsType<ArmPropertyAccess>(call.Arguments[0]);
        Assert.Equal(("keyVault", "names"), (vault.Property, Assert.IsType<ArmCall>(vault.Target).SymbolName("variables")));
    }

    [Theory]
    [InlineData("[[not an expression]")]
    [InlineData("plain")]
    public void Escaped_and_plain_strings_are_not_expressions(string text)
    {
        Assert.False(ArmExpression.IsExpression(text));
    }

    [Fact]
    public void Malformed_expressions_are_refused_rather_than_misread()
    {
        Assert.Throws<FormatException>(() => ArmExpression.Parse("[concat('a', ]"));
    }

    private const string Template = """
        {
          "parameters": { "plan": { "type": "string" }, "secret": { "type": "securestring" }, "names": { "type": "array" } },
          "variables": {
            "isFlex": "[equals(parameters('plan'), 'Flex')]",
            "base": { "Plain": "x", "Version": "[string(parameters('names'))]" },
            "optional": "[if(empty(parameters('secret')), createObject(), createObject('Secret', 'ref'))]",
            "perName": "[reduce(parameters('names'), createObject(), lambda('acc', 'n', union(lambdaVariables('acc'), createObject(format('Item__{0}__Id', lambdaVariables('n')), 'id'))))]"
          },
          "resources": [
            {
              "type": "Microsoft.Web/sites/config", "apiVersion": "2025-03-01", "name": "[format('{0}/{1}', 'app', 'appsettings')]",
              "properties": "[union(variables('base'), variables('optional'), variables('perName'), if(variables('isFlex'), createObject(), createObject('PremiumOnly', 'p')))]"
            }
          ]
        }
        """;

    [Theory]
    [InlineData("Flex", "Plain,Version,Secret,Item__*__Id")]
    [InlineData("Premium", "Plain,Version,Secret,Item__*__Id,PremiumOnly")]
    public void Evaluation_picks_the_plan_branch_and_keeps_every_key_an_unknown_condition_may_set(string plan, string expectedKeys)
    {
        using var json = JsonDocument.Parse(Template);
        var template = ArmTemplate.Parse(json.RootElement);
        var evaluator = new ArmEvaluator(new Dictionary<string, JsonNode?> { ["plan"] = JsonValue.Create(plan) });

        var settings = (JsonObject)evaluator.Evaluate(template.Resources[0].Json.GetProperty("properties"), template)!;

        Assert.Equal(expectedKeys.Split(','), settings.Select(s => s.Key));
        Assert.Equal("x", ArmEvaluator.Text(settings["Plain"]));
        Assert.Equal("[string(parameters('names'))]", ArmEvaluator.Text(settings["Version"])); // unknown: kept as an expression
    }

    [Fact]
    public void Name_patterns_turn_unknown_format_arguments_into_wildcards()
    {
        Assert.Equal("clevertap-passcode-*", ArmEvaluator.Pattern(JsonValue.Create("[format('clevertap-passcode-{0}', toLower(lambdaVariables('p').key))]")));
        Assert.Equal("literal", ArmEvaluator.Pattern(JsonValue.Create("literal")));
    }
}
