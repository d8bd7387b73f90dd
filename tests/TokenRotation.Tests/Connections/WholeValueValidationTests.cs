using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Connections;

/// <summary>
/// Validation matches the whole value: .NET's <c>$</c> also matches before a final newline, so a pattern ending in
/// <c>$</c> accepts <c>erp\n</c>. Names with a newline or another control character are refused, naming the field.
/// </summary>
public sealed class WholeValueValidationTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("nstoken-names-");

    public void Dispose() => _root.Delete(recursive: true);

    public static TheoryData<string> ControlCharacterNames() => new()
    {
        "erp\n",
        "erp\r\n",
        "\nerp",
        "erp\t",
        "e\u0000rp",
        "erp\u007f",
    };

    [Theory]
    [MemberData(nameof(ControlCharacterNames))]
    public void A_connection_name_with_a_newline_or_control_character_is_refused_naming_the_field(string value)
    {
        Assert.False(ConnectionName.TryParse(value, out var none));
        Assert.Null(none);
        var error = Assert.Throws<FormatException>(() => ConnectionName.Parse(value));
        Assert.Contains("connection name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_connection_names_are_still_accepted()
    {
        Assert.True(ConnectionName.TryParse("erp", out var name));
        Assert.Equal("erp", name.Value);
        Assert.True(ConnectionName.TryParse("Sales-Orders-2", out var mixed));
        Assert.Equal("sales-orders-2", mixed.Value);
    }

    [Theory]
    [MemberData(nameof(ControlCharacterNames))]
    public async Task A_local_secret_file_name_with_a_newline_or_control_character_is_refused_and_nothing_is_written(string suffix)
    {
        var folder = new FileSecretFolder(_root.FullName);
        var name = "conn-" + suffix;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => folder.SetAsync(name, "value", null, new Dictionary<string, string>(), null));

        Assert.Contains("secret name", error.Message, StringComparison.Ordinal);
        Assert.Equal("name", error.ParamName);
        Assert.Empty(Directory.GetFiles(_root.FullName, "*", SearchOption.AllDirectories));
    }
}
