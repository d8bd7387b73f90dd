using Microsoft.Extensions.Options;

namespace TokenRotation.Configuration;

[OptionsValidator]
internal sealed partial class TokenRotationOptionsValidator : IValidateOptions<TokenRotationOptions>;
