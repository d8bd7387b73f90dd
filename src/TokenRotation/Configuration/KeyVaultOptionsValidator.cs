using Microsoft.Extensions.Options;

namespace TokenRotation.Configuration;

[OptionsValidator]
internal sealed partial class KeyVaultOptionsValidator : IValidateOptions<KeyVaultOptions>;
