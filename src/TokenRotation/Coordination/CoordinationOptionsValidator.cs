using Microsoft.Extensions.Options;

namespace TokenRotation.Coordination;

[OptionsValidator]
internal sealed partial class CoordinationOptionsValidator : IValidateOptions<CoordinationOptions>;
