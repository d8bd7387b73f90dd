using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace TokenRotation.Configuration;

[OptionsValidator]
public sealed partial class NetSuiteOptionsValidator : IValidateOptions<NetSuiteOptions>;
