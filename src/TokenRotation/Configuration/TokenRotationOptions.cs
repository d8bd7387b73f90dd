using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace TokenRotation.Configuration;

/// <summary>Global settings of the service, bound from the <c>TokenRotation</c> configuration section.</summary>
public sealed class TokenRotationOptions
{
    public const string SectionName = "TokenRotation";

    /// <summary>Name of this deployment, shown on the status page and in health output.</summary>
    [Required]
    [RegularExpression("^[0-9A-Za-z-]{1,63}$", ErrorMessage = "TokenRotation:ServiceName must be 1-63 letters, digits or '-'.")]
    public string ServiceName { get; set; } = "nstoken";
}

[OptionsValidator]
public sealed partial class TokenRotationOptionsValidator : IValidateOptions<TokenRotationOptions>;
