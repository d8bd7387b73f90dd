using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace TokenRotation.Configuration;

/// <summary>
/// NetSuite endpoint templates, bound from the <c>NetSuite</c> section. <c>{account}</c> is replaced by the
/// account's host label (<c>1234567-sb1</c>). Override only for the simulator or a data-center URL.
/// </summary>
public sealed class NetSuiteOptions
{
    public const string SectionName = "NetSuite";

    [Required]
    public string SuiteTalkUrlTemplate { get; set; } = "https://{account}.suitetalk.api.netsuite.com";

    [Required]
    public string RestletsUrlTemplate { get; set; } = "https://{account}.restlets.api.netsuite.com";

    [Required]
    public string AppUrlTemplate { get; set; } = "https://{account}.app.netsuite.com";
}

[OptionsValidator]
public sealed partial class NetSuiteOptionsValidator : IValidateOptions<NetSuiteOptions>;
